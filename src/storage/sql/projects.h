#pragma once

#include "domain/rows/project_rows.h"
#include "storage/sql/db.h"

namespace limbo::storage::sql {

class Projects final : public domain::ProjectRows {
 public:
  explicit Projects(Db& db) : db_(db) {}

  std::vector<domain::Project> Active(std::int64_t ws) override;
  std::optional<domain::Project> ByUrl(std::int64_t ws, const std::string& url) override;
  std::optional<domain::Project> ActiveByUrl(std::int64_t ws, const std::string& url) override;
  std::optional<domain::Project> ById(const std::string& id) override;
  bool ActiveUrlTaken(std::int64_t ws, const std::string& url) override;
  std::vector<std::string> ActiveUrlsAmong(std::int64_t ws, const std::vector<std::string>& urls) override;
  std::vector<std::string> ActiveAmong(const std::vector<std::string>& ids) override;
  void Insert(const domain::Project& p) override;
  void SetTrash(const std::string& id, std::optional<std::int64_t> trash_item_id) override;
  void ClearTrash(const std::vector<std::string>& ids) override;
  void SetUrl(const std::string& id, const std::string& url, domain::TimeMs at) override;
  void SetGroup(const std::string& id, const std::optional<std::string>& group_id) override;
  int TakeVersionNumber(const std::string& project_id) override;
  void Delete(const std::string& project_id) override;

 private:
  Db& db_;
};

}  // namespace limbo::storage::sql
