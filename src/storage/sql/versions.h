#pragma once

#include "domain/rows/version_rows.h"
#include "storage/sql/db.h"

namespace limbo::storage::sql {

class Versions final : public domain::VersionRows {
 public:
  explicit Versions(Db& db) : db_(db) {}

  std::vector<domain::Version> Active(const std::string& project_id) override;
  std::optional<domain::Version> ByNumber(const std::string& project_id, int number) override;
  std::optional<domain::Version> ById(std::int64_t id) override;
  std::int64_t InsertWithSnapshot(domain::Version& v) override;
  void SetTrash(std::int64_t version_id, std::optional<std::int64_t> trash_item_id) override;
  void ClearTrash(const std::vector<std::int64_t>& version_ids) override;
  std::vector<std::string> DeleteAllOfProject(const std::string& project_id) override;
  std::vector<std::string> Delete(std::int64_t version_id) override;

  void UpsertModel(const domain::Model& m) override;
  void DeleteModel(std::int64_t version_id) override;
  void StopModelsOfProject(const std::string& project_id, std::int64_t trash_item_id) override;
  void StopModelOf(std::int64_t version_id, std::int64_t trash_item_id) override;
  void RestartModelsStoppedBy(std::int64_t trash_item_id) override;
  void RestartModelsStoppedByAny(const std::vector<std::int64_t>& trash_item_ids) override;

 private:
  Db& db_;
};

}  // namespace limbo::storage::sql
