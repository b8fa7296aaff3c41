#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "domain/entities.h"

namespace limbo::domain {

// Project groups of a workspace.
class GroupRows {
 public:
  virtual ~GroupRows() = default;

  virtual std::vector<Group> List(std::int64_t ws) = 0;
  virtual std::optional<Group> ById(std::int64_t ws, const std::string& id) = 0;
  virtual void Insert(std::int64_t ws, const Group& g, TimeMs at) = 0;
  virtual void Rename(std::int64_t ws, const std::string& id, const std::string& name) = 0;
  // Active projects leave the group; trashed projects forget it too (restore puts them in no group).
  virtual void Delete(std::int64_t ws, const std::string& id) = 0;
};

}  // namespace limbo::domain
