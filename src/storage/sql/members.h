#pragma once

#include "domain/rows/member_rows.h"
#include "storage/sql/db.h"

namespace limbo::storage::sql {

class Members final : public domain::MemberRows {
 public:
  explicit Members(Db& db) : db_(db) {}

  std::optional<domain::Member> MemberOf(std::int64_t ws, const std::string& user_id) override;
  std::vector<domain::Member> List(std::int64_t ws) override;
  std::vector<std::pair<domain::Workspace, std::string>> WorkspacesOf(const std::string& user_id) override;
  void Insert(std::int64_t ws, const std::string& user_id, const std::string& role_id, domain::TimeMs at) override;
  void UpdateRoleOf(std::int64_t ws, const std::string& user_id, const std::string& role_id) override;
  void Delete(std::int64_t ws, const std::string& user_id) override;
  int CountWithRole(std::int64_t ws, const std::string& role_id) override;

  std::optional<domain::Role> CustomRole(std::int64_t ws, const std::string& id) override;
  std::vector<domain::Role> CustomRoles(std::int64_t ws) override;
  void InsertRole(std::int64_t ws, const domain::Role& role) override;
  void UpdateRole(std::int64_t ws, const domain::Role& role) override;
  void DeleteRole(std::int64_t ws, const std::string& id) override;

 private:
  Db& db_;
};

}  // namespace limbo::storage::sql
