#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "domain/entities.h"

namespace limbo::domain {

// Workflows, active and trashed.
class WorkflowRows {
 public:
  virtual ~WorkflowRows() = default;

  virtual std::vector<Workflow> Active(std::int64_t ws) = 0;
  // The active workflow with that url, or else the most recently trashed one.
  virtual std::optional<Workflow> ByUrl(std::int64_t ws, const std::string& url) = 0;
  virtual std::optional<Workflow> ById(const std::string& id) = 0;
  virtual bool ActiveUrlTaken(std::int64_t ws, const std::string& url) = 0;
  // The urls among `urls` an active workflow of the workspace has.
  virtual std::vector<std::string> ActiveUrlsAmong(std::int64_t ws, const std::vector<std::string>& urls) = 0;
  virtual void Insert(const Workflow& w) = 0;
  virtual void SetTrash(const std::string& id, std::optional<std::int64_t> trash_item_id) = 0;
  // Makes the workflows active again (SetTrash to none, one statement).
  virtual void ClearTrash(const std::vector<std::string>& ids) = 0;
  virtual void SetUrl(const std::string& id, const std::string& url) = 0;
  virtual void Delete(const std::string& workflow_id) = 0;
};

}  // namespace limbo::domain
