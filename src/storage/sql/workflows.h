#pragma once

#include "domain/rows/workflow_rows.h"
#include "storage/sql/db.h"

namespace limbo::storage::sql {

class Workflows final : public domain::WorkflowRows {
 public:
  explicit Workflows(Db& db) : db_(db) {}

  std::vector<domain::Workflow> Active(std::int64_t ws) override;
  std::optional<domain::Workflow> ByUrl(std::int64_t ws, const std::string& url) override;
  std::optional<domain::Workflow> ById(const std::string& id) override;
  bool ActiveUrlTaken(std::int64_t ws, const std::string& url) override;
  std::vector<std::string> ActiveUrlsAmong(std::int64_t ws, const std::vector<std::string>& urls) override;
  void Insert(const domain::Workflow& w) override;
  void SetTrash(const std::string& id, std::optional<std::int64_t> trash_item_id) override;
  void ClearTrash(const std::vector<std::string>& ids) override;
  void SetUrl(const std::string& id, const std::string& url) override;
  void Delete(const std::string& workflow_id) override;

 private:
  Db& db_;
};

}  // namespace limbo::storage::sql
