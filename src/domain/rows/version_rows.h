#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "domain/entities.h"

namespace limbo::domain {

// Dataset versions and the models trained from them.
class VersionRows {
 public:
  virtual ~VersionRows() = default;

  virtual std::vector<Version> Active(const std::string& project_id) = 0;
  virtual std::optional<Version> ByNumber(const std::string& project_id, int number) = 0;
  virtual std::optional<Version> ById(std::int64_t id) = 0;
  // Inserts the version and snapshots the project's current image links into it.
  virtual std::int64_t InsertWithSnapshot(Version& v) = 0;
  virtual void SetTrash(std::int64_t version_id, std::optional<std::int64_t> trash_item_id) = 0;
  // Makes the versions active again (SetTrash to none, one statement).
  virtual void ClearTrash(const std::vector<std::int64_t>& version_ids) = 0;
  // Deletes the versions' jobs, models and rows; returns the job ids whose model files may exist.
  virtual std::vector<std::string> DeleteAllOfProject(const std::string& project_id) = 0;
  virtual std::vector<std::string> Delete(std::int64_t version_id) = 0;

  virtual void UpsertModel(const Model& m) = 0;
  // The version has no model any more (its run went to the Trash and no other finished run is left).
  virtual void DeleteModel(std::int64_t version_id) = 0;
  // Stops the serving models and remembers which trash item stopped them (T4).
  virtual void StopModelsOfProject(const std::string& project_id, std::int64_t trash_item_id) = 0;
  virtual void StopModelOf(std::int64_t version_id, std::int64_t trash_item_id) = 0;
  virtual void RestartModelsStoppedBy(std::int64_t trash_item_id) = 0;
  // RestartModelsStoppedBy for several trash items, in one statement.
  virtual void RestartModelsStoppedByAny(const std::vector<std::int64_t>& trash_item_ids) = 0;
};

}  // namespace limbo::domain
