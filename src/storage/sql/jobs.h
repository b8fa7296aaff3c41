#pragma once

#include "domain/rows/job_rows.h"
#include "storage/sql/db.h"

namespace limbo::storage::sql {

class Jobs final : public domain::JobRows {
 public:
  explicit Jobs(Db& db) : db_(db) {}

  void Insert(const domain::Job& j) override;
  void Update(const domain::Job& j) override;
  std::optional<domain::Job> ById(std::int64_t ws, const std::string& id) override;
  std::vector<domain::Job> Visible(std::int64_t ws, int limit) override;
  std::vector<domain::Job> OfVersion(std::int64_t version_id) override;
  std::optional<domain::Job> NewestFinishedOf(std::int64_t version_id, const std::string& except_job) override;
  void SetTrash(const std::string& job_id, std::optional<std::int64_t> trash_item_id) override;
  void Delete(const std::string& job_id) override;
  std::int64_t ModelBytesOfProject(const std::string& project_id) override;
  std::int64_t ModelBytesOfVersion(std::int64_t version_id) override;
  std::vector<std::string> AllIds() override;
  std::vector<std::string> IdsWithModels() override;
  std::optional<domain::Job> ActiveOf(std::int64_t version_id) override;
  std::vector<domain::Job> Active(int limit) override;
  std::int64_t CancelAllOfProject(const std::string& project_id, const std::string& reason,
                                  domain::TimeMs now) override;
  std::int64_t CancelAllOf(std::int64_t version_id, const std::string& reason, domain::TimeMs now) override;
  std::vector<std::pair<domain::JobState, std::int64_t>> CountByState() override;

 private:
  Db& db_;
};

}  // namespace limbo::storage::sql
