#include "storage/sql/members.h"

namespace limbo::storage::sql {

using domain::Member;
using domain::PermissionSet;
using domain::Role;
using domain::TimeMs;
using domain::Workspace;

namespace {

#define MEMBER_SELECT \
  "SELECT u.id, u.email, u.name, m.role_id, m.joined_at FROM members m JOIN users u ON u.id = m.user_id "

Member ReadMember(const Rows& r) { return Member{r.Text(0), r.Text(1), r.Text(2), r.Text(3), r.Int(4)}; }

Workspace ReadWorkspace(const Rows& r) {
  return Workspace{r.Int(0), r.Text(1), r.Text(2), static_cast<int>(r.Int(3)), r.Int(4), r.Int(5)};
}

#define ROLE_SELECT "SELECT id, name, permissions FROM roles "

Role ReadRole(const Rows& r) { return Role{r.Text(0), r.Text(1), PermissionSet::Decode(r.Text(2)), false}; }

}  // namespace

// ---- Members -----------------------------------------------------------------------------------

std::optional<Member> Members::MemberOf(std::int64_t ws, const std::string& user_id) {
  return One<Member>(db_.Query(MEMBER_SELECT "WHERE m.workspace_id = ? AND m.user_id = ?", ws, user_id), ReadMember);
}

std::vector<Member> Members::List(std::int64_t ws) {
  return All<Member>(db_.Query(MEMBER_SELECT "WHERE m.workspace_id = ? ORDER BY u.email", ws), ReadMember);
}

std::vector<std::pair<Workspace, std::string>> Members::WorkspacesOf(const std::string& user_id) {
  return All<std::pair<Workspace, std::string>>(
      db_.Query("SELECT w.id, w.url, w.name, w.retention_days, w.storage_quota_bytes, w.created_at, m.role_id "
                "FROM members m JOIN workspaces w ON w.id = m.workspace_id WHERE m.user_id = ? ORDER BY w.url",
                user_id),
      [](const Rows& r) {
        return std::pair{ReadWorkspace(r), r.Text(6)};
      });
}

void Members::Insert(std::int64_t ws, const std::string& user_id, const std::string& role_id, TimeMs at) {
  db_.Exec("INSERT INTO members(workspace_id, user_id, role_id, joined_at) VALUES (?, ?, ?, ?)", ws, user_id, role_id,
           at);
}

void Members::UpdateRoleOf(std::int64_t ws, const std::string& user_id, const std::string& role_id) {
  db_.Exec("UPDATE members SET role_id = ? WHERE workspace_id = ? AND user_id = ?", role_id, ws, user_id);
}

void Members::Delete(std::int64_t ws, const std::string& user_id) {
  db_.Exec("DELETE FROM members WHERE workspace_id = ? AND user_id = ?", ws, user_id);
}

int Members::CountWithRole(std::int64_t ws, const std::string& role_id) {
  return static_cast<int>(
      Scalar(db_.Query("SELECT COUNT(*) FROM members WHERE workspace_id = ? AND role_id = ?", ws, role_id)));
}

// ---- Custom roles ------------------------------------------------------------------------------

std::optional<Role> Members::CustomRole(std::int64_t ws, const std::string& id) {
  return One<Role>(db_.Query(ROLE_SELECT "WHERE workspace_id = ? AND id = ?", ws, id), ReadRole);
}

std::vector<Role> Members::CustomRoles(std::int64_t ws) {
  return All<Role>(db_.Query(ROLE_SELECT "WHERE workspace_id = ? ORDER BY name", ws), ReadRole);
}

void Members::InsertRole(std::int64_t ws, const Role& r) {
  db_.Exec("INSERT INTO roles(id, workspace_id, name, permissions) VALUES (?, ?, ?, ?)", r.id, ws, r.name,
           r.permissions.Encode());
}

void Members::UpdateRole(std::int64_t ws, const Role& r) {
  db_.Exec("UPDATE roles SET name = ?, permissions = ? WHERE workspace_id = ? AND id = ?", r.name,
           r.permissions.Encode(), ws, r.id);
}

void Members::DeleteRole(std::int64_t ws, const std::string& id) {
  db_.Exec("DELETE FROM roles WHERE workspace_id = ? AND id = ?", ws, id);
}

}  // namespace limbo::storage::sql
