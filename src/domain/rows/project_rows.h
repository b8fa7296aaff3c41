#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "domain/entities.h"

namespace limbo::domain {

// Projects, active and trashed (a trashed project keeps its row, pointing at its trash item).
class ProjectRows {
 public:
  virtual ~ProjectRows() = default;

  virtual std::vector<Project> Active(std::int64_t ws) = 0;
  // The active project with that url, or else the most recently trashed one.
  virtual std::optional<Project> ByUrl(std::int64_t ws, const std::string& url) = 0;
  // The active project with that url only (one entry of a unique index, nothing to sort).
  virtual std::optional<Project> ActiveByUrl(std::int64_t ws, const std::string& url) = 0;
  virtual std::optional<Project> ById(const std::string& id) = 0;
  virtual bool ActiveUrlTaken(std::int64_t ws, const std::string& url) = 0;
  // The urls among `urls` an active project of the workspace has.
  virtual std::vector<std::string> ActiveUrlsAmong(std::int64_t ws, const std::vector<std::string>& urls) = 0;
  // The ids among `ids` of projects that exist and are active.
  virtual std::vector<std::string> ActiveAmong(const std::vector<std::string>& ids) = 0;
  virtual void Insert(const Project& p) = 0;
  virtual void SetTrash(const std::string& id, std::optional<std::int64_t> trash_item_id) = 0;
  // Makes the projects active again (SetTrash to none, one statement).
  virtual void ClearTrash(const std::vector<std::string>& ids) = 0;
  virtual void SetUrl(const std::string& id, const std::string& url, TimeMs at) = 0;
  virtual void SetGroup(const std::string& id, const std::optional<std::string>& group_id) = 0;
  // Hands out the next version number of the project; numbers are never reused.
  virtual int TakeVersionNumber(const std::string& project_id) = 0;
  // Removes the row (its links, versions and jobs are gone already).
  virtual void Delete(const std::string& project_id) = 0;
};

}  // namespace limbo::domain
