#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "domain/entities.h"

namespace limbo::domain {

// Training jobs.
class JobRows {
 public:
  virtual ~JobRows() = default;

  virtual void Insert(const Job& j) = 0;
  virtual void Update(const Job& j) = 0;
  virtual std::optional<Job> ById(std::int64_t ws, const std::string& id) = 0;
  // Jobs whose project and version are active, newest first.
  virtual std::vector<Job> Visible(std::int64_t ws, int limit) = 0;
  virtual std::optional<Job> ActiveOf(std::int64_t version_id) = 0;
  virtual std::vector<Job> Active(int limit) = 0;
  // Cancels queued/running jobs (T3), freezing their credits at `now`.
  virtual void CancelAllOfProject(const std::string& project_id, const std::string& reason, TimeMs now) = 0;
  virtual void CancelAllOf(std::int64_t version_id, const std::string& reason, TimeMs now) = 0;
};

}  // namespace limbo::domain
