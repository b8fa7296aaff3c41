#pragma once

#include <cstdint>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "domain/entities.h"

namespace limbo::domain {

// What `limbod fsck` compares and repairs: stored counters against a recount from the rows.
class FsckRows {
 public:
  virtual ~FsckRows() = default;

  virtual std::vector<std::pair<std::string, std::int64_t>> AllBlobRefs() = 0;
  virtual std::vector<std::string> AllBlobGc() = 0;
  // Every sha256 the image rows use, with how many rows use it and its size.
  virtual std::vector<std::tuple<std::string, std::int64_t, std::int64_t>> ImageShaCounts() = 0;
  virtual std::vector<std::pair<std::int64_t, Usage>> RecountUsage() = 0;
  virtual void SetBlobRefs(const std::string& sha256, std::int64_t refs, std::int64_t size) = 0;
  virtual void SetUsage(std::int64_t ws, const Usage& u) = 0;
};

}  // namespace limbo::domain
