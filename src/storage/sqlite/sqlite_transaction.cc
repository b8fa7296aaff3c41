#include "storage/sqlite/sqlite_transaction.h"

#include <algorithm>
#include <string_view>

namespace limbo::storage::sqlite {

using namespace limbo::domain;  // NOLINT: this file implements the domain's interface

namespace {

const char* TrashCounterColumnUpdate(ItemType t) {
  switch (t) {
    case ItemType::kProject:
      return "UPDATE workspaces SET trash_projects = trash_projects + ?, trash_bytes = trash_bytes + ? WHERE id = ?";
    case ItemType::kVersion:
      return "UPDATE workspaces SET trash_versions = trash_versions + ?, trash_bytes = trash_bytes + ? WHERE id = ?";
    case ItemType::kWorkflow:
      return "UPDATE workspaces SET trash_workflows = trash_workflows + ?, trash_bytes = trash_bytes + ? WHERE id = ?";
  }
  return "";
}

constexpr std::string_view kWorkspaceCols = "id, url, name, retention_days, storage_quota_bytes, created_at";
Workspace ReadWorkspace(Statement& s, int o = 0) {
  return Workspace{s.Int(o), s.Text(o + 1), s.Text(o + 2), static_cast<int>(s.Int(o + 3)), s.Int(o + 4), s.Int(o + 5)};
}

User ReadUser(Statement& s) { return User{s.Text(0), s.Text(1), s.Text(2), s.Text(3), s.Int(4)}; }

#define PROJECT_SELECT                                                                                   \
  "SELECT p.id, p.workspace_id, p.url, p.name, p.type, p.annotation, p.group_id, COALESCE(g.name, ''), " \
  "p.image_count, p.image_bytes, "                                                                       \
  "(SELECT COUNT(*) FROM versions v WHERE v.project_id = p.id AND v.trash_item_id IS NULL), "            \
  "p.created_at, p.updated_at, p.created_by, p.trash_item_id "                                           \
  "FROM projects p LEFT JOIN groups g ON g.id = p.group_id "

Project ReadProject(Statement& s) {
  Project p;
  p.id = s.Text(0);
  p.workspace_id = s.Int(1);
  p.url = s.Text(2);
  p.name = s.Text(3);
  p.type = s.Text(4);
  p.annotation = s.Text(5);
  p.group_id = s.OptText(6);
  p.group_name = s.Text(7);
  p.image_count = s.Int(8);
  p.image_bytes = s.Int(9);
  p.version_count = s.Int(10);
  p.created_at = s.Int(11);
  p.updated_at = s.Int(12);
  p.created_by = s.Text(13);
  p.trash_item_id = s.OptInt(14);
  return p;
}

#define IMAGE_SELECT                                                                               \
  "SELECT i.id, i.workspace_id, i.name, i.sha256, i.size_bytes, i.width, i.height, i.created_at, " \
  "(SELECT group_concat(url, char(31)) FROM (SELECT p.url FROM project_images pi "                 \
  " JOIN projects p ON p.id = pi.project_id WHERE pi.image_id = i.id AND p.trash_item_id IS NULL " \
  " ORDER BY p.url)) "

Image ReadImage(Statement& s) {
  Image img;
  img.id = s.Text(0);
  img.workspace_id = s.Int(1);
  img.name = s.Text(2);
  img.sha256 = s.Text(3);
  img.size_bytes = s.Int(4);
  img.width = static_cast<int>(s.Int(5));
  img.height = static_cast<int>(s.Int(6));
  img.created_at = s.Int(7);
  std::string urls = s.Text(8);
  std::size_t start = 0;
  while (!urls.empty() && start <= urls.size()) {
    auto end = urls.find('\x1f', start);
    if (end == std::string::npos) end = urls.size();
    img.project_urls.push_back(urls.substr(start, end - start));
    start = end + 1;
  }
  return img;
}

#define VERSION_SELECT                                                                        \
  "SELECT v.id, v.project_id, v.number, v.name, v.image_count, v.image_bytes, v.created_at, " \
  "v.trash_item_id, m.state, m.job_id, m.created_at FROM versions v "                         \
  "LEFT JOIN models m ON m.version_id = v.id "

Version ReadVersion(Statement& s) {
  Version v;
  v.id = s.Int(0);
  v.project_id = s.Text(1);
  v.number = static_cast<int>(s.Int(2));
  v.name = s.Text(3);
  v.image_count = s.Int(4);
  v.image_bytes = s.Int(5);
  v.created_at = s.Int(6);
  v.trash_item_id = s.OptInt(7);
  if (!s.IsNull(8)) v.model = Model{v.id, s.Text(8), s.Text(9), s.Int(10)};
  return v;
}

#define JOB_SELECT                                                                              \
  "SELECT j.id, j.workspace_id, j.project_id, p.url, j.version_id, j.version_number, j.state, " \
  "j.cancel_reason, j.created_at, j.started_at, j.ended_at, j.duration_ms FROM jobs j "         \
  "JOIN projects p ON p.id = j.project_id "

Job ReadJob(Statement& s) {
  Job j;
  j.id = s.Text(0);
  j.workspace_id = s.Int(1);
  j.project_id = s.Text(2);
  j.project_url = s.Text(3);
  j.version_id = s.Int(4);
  j.version_number = static_cast<int>(s.Int(5));
  j.state = ParseJobState(s.Text(6)).value_or(JobState::kFailed);
  j.cancel_reason = s.OptText(7);
  j.created_at = s.Int(8);
  j.started_at = s.OptInt(9);
  j.ended_at = s.OptInt(10);
  j.duration_ms = s.Int(11);
  return j;
}

#define WORKFLOW_SELECT \
  "SELECT id, workspace_id, url, name, config, created_at, created_by, trash_item_id FROM workflows "

Workflow ReadWorkflow(Statement& s) {
  return Workflow{s.Text(0), s.Int(1), s.Text(2), s.Text(3), s.Text(4), s.Int(5), s.Text(6), s.OptInt(7)};
}

// Listing columns: the row plus what the Trash page shows about its surroundings.
#define TRASH_SELECT                                                                                         \
  "SELECT t.id, t.workspace_id, t.type, t.object_id, t.name, t.url, t.parent_project_id, t.version_number, " \
  "t.deleted_by, t.deleted_by_name, t.deleted_at, t.cleanup_at, t.cleanup_delete_images, t.state, "          \
  "t.size_bytes, t.group_id, t.purge_actor_id, t.purge_actor_name, "                                         \
  "COALESCE((SELECT pp.name FROM projects pp WHERE pp.id = t.parent_project_id), ''), "                      \
  "COALESCE((SELECT pp.trash_item_id IS NOT NULL FROM projects pp WHERE pp.id = t.parent_project_id), 0), "  \
  "CASE t.type "                                                                                             \
  " WHEN 'project' THEN EXISTS (SELECT 1 FROM projects x WHERE x.workspace_id = t.workspace_id "             \
  "   AND x.url = t.url AND x.trash_item_id IS NULL) "                                                       \
  " WHEN 'workflow' THEN EXISTS (SELECT 1 FROM workflows x WHERE x.workspace_id = t.workspace_id "           \
  "   AND x.url = t.url AND x.trash_item_id IS NULL) "                                                       \
  " ELSE 0 END, "                                                                                            \
  "COALESCE((SELECT g.name FROM groups g WHERE g.id = t.group_id), '') "                                     \
  "FROM trash_items t "

// Internal lookups need only the row itself; the listing's surroundings are left empty.
#define TRASH_SELECT_ROW                                                                                     \
  "SELECT t.id, t.workspace_id, t.type, t.object_id, t.name, t.url, t.parent_project_id, t.version_number, " \
  "t.deleted_by, t.deleted_by_name, t.deleted_at, t.cleanup_at, t.cleanup_delete_images, t.state, "          \
  "t.size_bytes, t.group_id, t.purge_actor_id, t.purge_actor_name, '', 0, 0, '' FROM trash_items t "

TrashItem ReadTrash(Statement& s) {
  TrashItem t;
  t.id = s.Int(0);
  t.workspace_id = s.Int(1);
  t.type = ParseItemType(s.Text(2)).value_or(ItemType::kProject);
  t.object_id = s.Text(3);
  t.name = s.Text(4);
  t.url = s.Text(5);
  t.parent_project_id = s.OptText(6).value_or("");
  t.version_number = static_cast<int>(s.Int(7));
  t.deleted_by = s.Text(8);
  t.deleted_by_name = s.Text(9);
  t.deleted_at = s.Int(10);
  t.cleanup_at = s.Int(11);
  t.cleanup_delete_images = s.Int(12) != 0;
  t.state = ParseTrashState(s.Text(13)).value_or(TrashState::kInTrash);
  t.size_bytes = s.Int(14);
  t.group_id = s.OptText(15);
  t.purge_actor_id = s.OptText(16).value_or("");
  t.purge_actor_name = s.OptText(17).value_or("");
  t.parent_name = s.Text(18);
  t.parent_in_trash = s.Int(19) != 0;
  t.url_taken = s.Int(20) != 0;
  t.group_name = s.Text(21);
  return t;
}

std::vector<ImageRef> ReadRefs(Statement& s) {
  std::vector<ImageRef> out;
  while (s.Step()) out.push_back(ImageRef{s.Text(0), s.Text(1), s.Int(2)});
  return out;
}

template <class T, class F>
std::optional<T> One(Statement& s, F read) {
  if (!s.Step()) return std::nullopt;
  T v = read(s);
  s.Reset();
  return v;
}

template <class T, class F>
std::vector<T> All(Statement& s, F read) {
  std::vector<T> out;
  while (s.Step()) out.push_back(read(s));
  return out;
}

std::vector<std::string> Strings(Statement& s) {
  std::vector<std::string> out;
  while (s.Step()) out.push_back(s.Text(0));
  return out;
}

std::int64_t Scalar(Statement& s) {
  std::int64_t v = s.Step() ? s.Int(0) : 0;
  s.Reset();
  return v;
}

}  // namespace

// ---- Workspaces and usage ----------------------------------------------------------------------

std::optional<Workspace> SqliteTransaction::WorkspaceByUrl(const std::string& url) {
  auto& s = db_.Prepare(
      "SELECT id, url, name, retention_days, storage_quota_bytes, created_at FROM workspaces WHERE url = ?");
  s.Bind(1, url);
  return One<Workspace>(s, [](Statement& st) { return ReadWorkspace(st); });
}

std::optional<Workspace> SqliteTransaction::WorkspaceById(std::int64_t id) {
  auto& s =
      db_.Prepare("SELECT id, url, name, retention_days, storage_quota_bytes, created_at FROM workspaces WHERE id = ?");
  s.Bind(1, id);
  return One<Workspace>(s, [](Statement& st) { return ReadWorkspace(st); });
}

std::int64_t SqliteTransaction::InsertWorkspace(const Workspace& ws) {
  auto& s = db_.Prepare(
      "INSERT INTO workspaces(url, name, retention_days, storage_quota_bytes, created_at) VALUES (?, ?, ?, ?, ?)");
  s.Bind(1, ws.url)
      .Bind(2, ws.name)
      .Bind(3, ws.retention_days)
      .Bind(4, ws.storage_quota_bytes)
      .Bind(5, ws.created_at)
      .Run();
  return db_.LastInsertRowId();
}

void SqliteTransaction::UpdateWorkspace(const Workspace& ws) {
  auto& s = db_.Prepare("UPDATE workspaces SET name = ?, retention_days = ?, storage_quota_bytes = ? WHERE id = ?");
  s.Bind(1, ws.name).Bind(2, ws.retention_days).Bind(3, ws.storage_quota_bytes).Bind(4, ws.id).Run();
}

Usage SqliteTransaction::GetUsage(std::int64_t ws) {
  auto& s = db_.Prepare(
      "SELECT storage_bytes, image_count, trash_projects, trash_versions, trash_workflows FROM workspaces WHERE id = "
      "?");
  s.Bind(1, ws);
  Usage u;
  if (s.Step()) {
    u.storage_bytes = s.Int(0);
    u.image_count = s.Int(1);
    u.trash_projects = s.Int(2);
    u.trash_versions = s.Int(3);
    u.trash_workflows = s.Int(4);
    u.trash_items = u.trash_projects + u.trash_versions + u.trash_workflows;
    s.Reset();
  }
  return u;
}

void SqliteTransaction::AddStorage(std::int64_t ws, std::int64_t bytes, std::int64_t images) {
  auto& s = db_.Prepare(
      "UPDATE workspaces SET storage_bytes = storage_bytes + ?, image_count = image_count + ? WHERE id = ?");
  s.Bind(1, bytes).Bind(2, images).Bind(3, ws).Run();
}

void SqliteTransaction::AddTrashCount(std::int64_t ws, ItemType type, int delta, std::int64_t bytes) {
  auto& s = db_.Prepare(TrashCounterColumnUpdate(type));
  s.Bind(1, delta).Bind(2, bytes).Bind(3, ws).Run();
}

std::int64_t SqliteTransaction::ReclaimableBytes(std::int64_t ws) {
  auto& s = db_.Prepare(R"sql(
    WITH doomed(pid) AS (
      SELECT object_id FROM trash_items WHERE workspace_id = ?1 AND type = 'project' AND cleanup_delete_images = 1),
    candidates(image_id) AS (
      SELECT pi.image_id FROM doomed d JOIN project_images pi ON pi.project_id = d.pid
      UNION
      SELECT vi.image_id FROM doomed d JOIN versions v ON v.project_id = d.pid
        JOIN version_images vi ON vi.version_id = v.id)
    SELECT COALESCE(SUM(i.size_bytes), 0) FROM candidates c JOIN images i ON i.id = c.image_id
    WHERE NOT EXISTS (SELECT 1 FROM project_images pi2 WHERE pi2.image_id = c.image_id
                        AND pi2.project_id NOT IN (SELECT pid FROM doomed))
      AND NOT EXISTS (SELECT 1 FROM version_images vi2 JOIN versions v2 ON v2.id = vi2.version_id
                        WHERE vi2.image_id = c.image_id AND v2.project_id NOT IN (SELECT pid FROM doomed))
  )sql");
  s.Bind(1, ws);
  return Scalar(s);
}

std::int64_t SqliteTransaction::TrashBytes(std::int64_t ws) {
  auto& s = db_.Prepare("SELECT trash_bytes FROM workspaces WHERE id = ?");
  s.Bind(1, ws);
  return Scalar(s);
}

ReclaimableState SqliteTransaction::GetReclaimable(std::int64_t ws) {
  auto& s =
      db_.Prepare("SELECT reclaimable_bytes, reclaimable_gen, reclaimable_computed_gen FROM workspaces WHERE id = ?");
  s.Bind(1, ws);
  ReclaimableState r;
  if (s.Step()) {
    r = ReclaimableState{s.Int(0), s.Int(1), s.Int(2)};
    s.Reset();
  }
  return r;
}

void SqliteTransaction::TouchReclaimable(std::int64_t ws) {
  db_.Prepare("UPDATE workspaces SET reclaimable_gen = reclaimable_gen + 1 WHERE id = ?").Bind(1, ws).Run();
}

void SqliteTransaction::StoreReclaimable(std::int64_t ws, std::int64_t bytes, std::int64_t gen) {
  db_.Prepare(
         "UPDATE workspaces SET reclaimable_bytes = ?, reclaimable_computed_gen = ? WHERE id = ? AND reclaimable_gen = "
         "?")
      .Bind(1, bytes)
      .Bind(2, gen)
      .Bind(3, ws)
      .Bind(4, gen)
      .Run();
}

std::vector<std::int64_t> SqliteTransaction::StaleReclaimableWorkspaces(int limit) {
  auto& s =
      db_.Prepare("SELECT id FROM workspaces WHERE reclaimable_gen <> reclaimable_computed_gen ORDER BY id LIMIT ?");
  s.Bind(1, limit);
  return All<std::int64_t>(s, [](Statement& st) { return st.Int(0); });
}

// ---- Users, members, roles ---------------------------------------------------------------------

std::optional<User> SqliteTransaction::UserByEmail(const std::string& email) {
  auto& s = db_.Prepare("SELECT id, email, name, password_hash, created_at FROM users WHERE email = ?");
  s.Bind(1, email);
  return One<User>(s, ReadUser);
}

std::optional<User> SqliteTransaction::UserById(const std::string& id) {
  auto& s = db_.Prepare("SELECT id, email, name, password_hash, created_at FROM users WHERE id = ?");
  s.Bind(1, id);
  return One<User>(s, ReadUser);
}

void SqliteTransaction::InsertUser(const User& u) {
  auto& s = db_.Prepare("INSERT INTO users(id, email, name, password_hash, created_at) VALUES (?, ?, ?, ?, ?)");
  s.Bind(1, u.id).Bind(2, u.email).Bind(3, u.name).Bind(4, u.password_hash).Bind(5, u.created_at).Run();
}

void SqliteTransaction::UpdateUser(const User& u) {
  auto& s = db_.Prepare("UPDATE users SET name = ?, password_hash = ? WHERE id = ?");
  s.Bind(1, u.name).Bind(2, u.password_hash).Bind(3, u.id).Run();
}

namespace {
Member ReadMember(Statement& s) { return Member{s.Text(0), s.Text(1), s.Text(2), s.Text(3), s.Int(4)}; }
}  // namespace

std::optional<Member> SqliteTransaction::MemberOf(std::int64_t ws, const std::string& user_id) {
  auto& s = db_.Prepare(
      "SELECT u.id, u.email, u.name, m.role_id, m.joined_at FROM members m JOIN users u ON u.id = m.user_id "
      "WHERE m.workspace_id = ? AND m.user_id = ?");
  s.Bind(1, ws).Bind(2, user_id);
  return One<Member>(s, ReadMember);
}

std::vector<Member> SqliteTransaction::Members(std::int64_t ws) {
  auto& s = db_.Prepare(
      "SELECT u.id, u.email, u.name, m.role_id, m.joined_at FROM members m JOIN users u ON u.id = m.user_id "
      "WHERE m.workspace_id = ? ORDER BY u.email");
  s.Bind(1, ws);
  return All<Member>(s, ReadMember);
}

std::vector<std::pair<Workspace, std::string>> SqliteTransaction::WorkspacesOfUser(const std::string& user_id) {
  auto& s = db_.Prepare(
      "SELECT w.id, w.url, w.name, w.retention_days, w.storage_quota_bytes, w.created_at, m.role_id "
      "FROM members m JOIN workspaces w ON w.id = m.workspace_id WHERE m.user_id = ? ORDER BY w.url");
  s.Bind(1, user_id);
  return All<std::pair<Workspace, std::string>>(s, [](Statement& st) {
    return std::pair{ReadWorkspace(st), st.Text(6)};
  });
}

void SqliteTransaction::InsertMember(std::int64_t ws, const std::string& user_id, const std::string& role_id,
                                     TimeMs at) {
  auto& s = db_.Prepare("INSERT INTO members(workspace_id, user_id, role_id, joined_at) VALUES (?, ?, ?, ?)");
  s.Bind(1, ws).Bind(2, user_id).Bind(3, role_id).Bind(4, at).Run();
}

void SqliteTransaction::UpdateMemberRole(std::int64_t ws, const std::string& user_id, const std::string& role_id) {
  auto& s = db_.Prepare("UPDATE members SET role_id = ? WHERE workspace_id = ? AND user_id = ?");
  s.Bind(1, role_id).Bind(2, ws).Bind(3, user_id).Run();
}

void SqliteTransaction::DeleteMember(std::int64_t ws, const std::string& user_id) {
  auto& s = db_.Prepare("DELETE FROM members WHERE workspace_id = ? AND user_id = ?");
  s.Bind(1, ws).Bind(2, user_id).Run();
}

int SqliteTransaction::CountMembersWithRole(std::int64_t ws, const std::string& role_id) {
  auto& s = db_.Prepare("SELECT COUNT(*) FROM members WHERE workspace_id = ? AND role_id = ?");
  s.Bind(1, ws).Bind(2, role_id);
  return static_cast<int>(Scalar(s));
}

namespace {
Role ReadRole(Statement& s) { return Role{s.Text(0), s.Text(1), PermissionSet::Decode(s.Text(2)), false}; }
}  // namespace

std::optional<Role> SqliteTransaction::CustomRole(std::int64_t ws, const std::string& id) {
  auto& s = db_.Prepare("SELECT id, name, permissions FROM roles WHERE workspace_id = ? AND id = ?");
  s.Bind(1, ws).Bind(2, id);
  return One<Role>(s, ReadRole);
}

std::vector<Role> SqliteTransaction::CustomRoles(std::int64_t ws) {
  auto& s = db_.Prepare("SELECT id, name, permissions FROM roles WHERE workspace_id = ? ORDER BY name");
  s.Bind(1, ws);
  return All<Role>(s, ReadRole);
}

void SqliteTransaction::InsertRole(std::int64_t ws, const Role& r) {
  auto& s = db_.Prepare("INSERT INTO roles(id, workspace_id, name, permissions) VALUES (?, ?, ?, ?)");
  s.Bind(1, r.id).Bind(2, ws).Bind(3, r.name).Bind(4, r.permissions.Encode()).Run();
}

void SqliteTransaction::UpdateRole(std::int64_t ws, const Role& r) {
  auto& s = db_.Prepare("UPDATE roles SET name = ?, permissions = ? WHERE workspace_id = ? AND id = ?");
  s.Bind(1, r.name).Bind(2, r.permissions.Encode()).Bind(3, ws).Bind(4, r.id).Run();
}

void SqliteTransaction::DeleteRole(std::int64_t ws, const std::string& id) {
  auto& s = db_.Prepare("DELETE FROM roles WHERE workspace_id = ? AND id = ?");
  s.Bind(1, ws).Bind(2, id).Run();
}

// ---- Invitations -------------------------------------------------------------------------------

namespace {
#define INVITATION_SELECT \
  "SELECT id, workspace_id, email, role_id, invited_by, created_at, expires_at FROM invitations "
Invitation ReadInvitation(Statement& s) {
  return Invitation{s.Text(0), s.Int(1), s.Text(2), s.Text(3), s.Text(4), s.Int(5), s.Int(6)};
}
}  // namespace

void SqliteTransaction::InsertInvitation(const Invitation& inv, const std::string& token_hash) {
  auto& s = db_.Prepare(
      "INSERT INTO invitations(id, workspace_id, email, role_id, token_hash, invited_by, created_at, expires_at) "
      "VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
  s.Bind(1, inv.id)
      .Bind(2, inv.workspace_id)
      .Bind(3, inv.email)
      .Bind(4, inv.role_id)
      .Bind(5, token_hash)
      .Bind(6, inv.invited_by)
      .Bind(7, inv.created_at)
      .Bind(8, inv.expires_at)
      .Run();
}

std::optional<Invitation> SqliteTransaction::InvitationByEmail(std::int64_t ws, const std::string& email) {
  auto& s = db_.Prepare(INVITATION_SELECT "WHERE workspace_id = ? AND email = ?");
  s.Bind(1, ws).Bind(2, email);
  return One<Invitation>(s, ReadInvitation);
}

std::optional<Invitation> SqliteTransaction::InvitationByTokenHash(const std::string& token_hash) {
  auto& s = db_.Prepare(INVITATION_SELECT "WHERE token_hash = ?");
  s.Bind(1, token_hash);
  return One<Invitation>(s, ReadInvitation);
}

std::vector<Invitation> SqliteTransaction::PendingInvitations(std::int64_t ws, TimeMs now) {
  auto& s = db_.Prepare(INVITATION_SELECT "WHERE workspace_id = ? AND expires_at > ? ORDER BY email");
  s.Bind(1, ws).Bind(2, now);
  return All<Invitation>(s, ReadInvitation);
}

std::vector<Invitation> SqliteTransaction::PendingInvitationsFor(const std::string& email, TimeMs now) {
  auto& s = db_.Prepare(INVITATION_SELECT "WHERE email = ? AND expires_at > ? ORDER BY created_at");
  s.Bind(1, email).Bind(2, now);
  return All<Invitation>(s, ReadInvitation);
}

void SqliteTransaction::UpdateInvitationToken(const std::string& id, const std::string& token_hash, TimeMs expires_at) {
  auto& s = db_.Prepare("UPDATE invitations SET token_hash = ?, expires_at = ? WHERE id = ?");
  s.Bind(1, token_hash).Bind(2, expires_at).Bind(3, id).Run();
}

void SqliteTransaction::DeleteInvitation(const std::string& id) {
  db_.Prepare("DELETE FROM invitations WHERE id = ?").Bind(1, id).Run();
}

// ---- Credentials -------------------------------------------------------------------------------

namespace {
#define KEY_SELECT                                                                                    \
  "SELECT k.id, k.workspace_id, k.user_id, u.email, k.name, k.prefix, k.created_at, k.last_used_at, " \
  "k.revoked_at IS NOT NULL FROM api_keys k JOIN users u ON u.id = k.user_id "
ApiKey ReadKey(Statement& s) {
  return ApiKey{s.Text(0), s.Int(1), s.Text(2), s.Text(3), s.Text(4), s.Text(5), s.Int(6), s.OptInt(7), s.Int(8) != 0};
}
}  // namespace

void SqliteTransaction::InsertApiKey(const ApiKey& k, const std::string& key_hash) {
  auto& s = db_.Prepare(
      "INSERT INTO api_keys(id, workspace_id, user_id, name, prefix, key_hash, created_at) VALUES (?, ?, ?, ?, ?, ?, "
      "?)");
  s.Bind(1, k.id)
      .Bind(2, k.workspace_id)
      .Bind(3, k.user_id)
      .Bind(4, k.name)
      .Bind(5, k.prefix)
      .Bind(6, key_hash)
      .Bind(7, k.created_at)
      .Run();
}

std::optional<ApiKey> SqliteTransaction::ApiKeyByHash(const std::string& key_hash) {
  auto& s = db_.Prepare(KEY_SELECT "WHERE k.key_hash = ?");
  s.Bind(1, key_hash);
  return One<ApiKey>(s, ReadKey);
}

std::optional<ApiKey> SqliteTransaction::ApiKeyById(std::int64_t ws, const std::string& id) {
  auto& s = db_.Prepare(KEY_SELECT "WHERE k.workspace_id = ? AND k.id = ?");
  s.Bind(1, ws).Bind(2, id);
  return One<ApiKey>(s, ReadKey);
}

std::vector<ApiKey> SqliteTransaction::ApiKeys(std::int64_t ws, const std::optional<std::string>& user_id) {
  auto& s = db_.Prepare(KEY_SELECT
                        "WHERE k.workspace_id = ?1 AND k.revoked_at IS NULL AND (?2 IS NULL OR k.user_id = ?2) "
                        "ORDER BY k.created_at DESC");
  s.Bind(1, ws).Bind(2, user_id);
  return All<ApiKey>(s, ReadKey);
}

void SqliteTransaction::RevokeApiKey(const std::string& id, TimeMs at) {
  auto& s = db_.Prepare("UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL");
  s.Bind(1, at).Bind(2, id).Run();
}

void SqliteTransaction::RevokeApiKeysOf(std::int64_t ws, const std::string& user_id, TimeMs at) {
  auto& s =
      db_.Prepare("UPDATE api_keys SET revoked_at = ? WHERE workspace_id = ? AND user_id = ? AND revoked_at IS NULL");
  s.Bind(1, at).Bind(2, ws).Bind(3, user_id).Run();
}

void SqliteTransaction::TouchApiKey(const std::string& id, TimeMs at) {
  auto& s = db_.Prepare("UPDATE api_keys SET last_used_at = ? WHERE id = ?");
  s.Bind(1, at).Bind(2, id).Run();
}

void SqliteTransaction::InsertSession(const Session& x) {
  auto& s = db_.Prepare(
      "INSERT INTO sessions(id_hash, user_id, csrf_token, created_at, expires_at, password_at) "
      "VALUES (?, ?, ?, ?, ?, ?)");
  s.Bind(1, x.id_hash).Bind(2, x.user_id).Bind(3, x.csrf_token).Bind(4, x.created_at).Bind(5, x.expires_at);
  s.Bind(6, x.password_at).Run();
}

std::optional<Session> SqliteTransaction::SessionByHash(const std::string& id_hash) {
  auto& s = db_.Prepare(
      "SELECT id_hash, user_id, csrf_token, created_at, expires_at, password_at FROM sessions WHERE id_hash = ?");
  s.Bind(1, id_hash);
  return One<Session>(
      s, [](Statement& st) { return Session{st.Text(0), st.Text(1), st.Text(2), st.Int(3), st.Int(4), st.Int(5)}; });
}

void SqliteTransaction::SetSessionPasswordAt(const std::string& id_hash, TimeMs at) {
  auto& s = db_.Prepare("UPDATE sessions SET password_at = ? WHERE id_hash = ?");
  s.Bind(1, at).Bind(2, id_hash).Run();
}

void SqliteTransaction::DeleteSession(const std::string& id_hash) {
  auto& s = db_.Prepare("DELETE FROM sessions WHERE id_hash = ?");
  s.Bind(1, id_hash).Run();
}

void SqliteTransaction::DeleteExpiredSessions(TimeMs now) {
  auto& s = db_.Prepare("DELETE FROM sessions WHERE expires_at <= ?");
  s.Bind(1, now).Run();
}

// ---- Groups ------------------------------------------------------------------------------------

namespace {
#define GROUP_SELECT                                                               \
  "SELECT g.id, g.name, (SELECT COUNT(*) FROM projects p WHERE p.group_id = g.id " \
  "AND p.trash_item_id IS NULL) FROM groups g "
Group ReadGroup(Statement& s) { return Group{s.Text(0), s.Text(1), s.Int(2)}; }
}  // namespace

std::vector<Group> SqliteTransaction::Groups(std::int64_t ws) {
  auto& s = db_.Prepare(GROUP_SELECT "WHERE g.workspace_id = ? ORDER BY g.name");
  s.Bind(1, ws);
  return All<Group>(s, ReadGroup);
}

std::optional<Group> SqliteTransaction::GroupById(std::int64_t ws, const std::string& id) {
  auto& s = db_.Prepare(GROUP_SELECT "WHERE g.workspace_id = ? AND g.id = ?");
  s.Bind(1, ws).Bind(2, id);
  return One<Group>(s, ReadGroup);
}

void SqliteTransaction::InsertGroup(std::int64_t ws, const Group& g, TimeMs at) {
  auto& s = db_.Prepare("INSERT INTO groups(id, workspace_id, name, created_at) VALUES (?, ?, ?, ?)");
  s.Bind(1, g.id).Bind(2, ws).Bind(3, g.name).Bind(4, at).Run();
}

void SqliteTransaction::RenameGroup(std::int64_t ws, const std::string& id, const std::string& name) {
  auto& s = db_.Prepare("UPDATE groups SET name = ? WHERE workspace_id = ? AND id = ?");
  s.Bind(1, name).Bind(2, ws).Bind(3, id).Run();
}

void SqliteTransaction::DeleteGroup(std::int64_t ws, const std::string& id) {
  db_.Prepare("UPDATE projects SET group_id = NULL WHERE group_id = ?").Bind(1, id).Run();
  db_.Prepare("UPDATE trash_items SET group_id = NULL WHERE group_id = ?").Bind(1, id).Run();
  db_.Prepare("DELETE FROM groups WHERE workspace_id = ? AND id = ?").Bind(1, ws).Bind(2, id).Run();
}

// ---- Projects ----------------------------------------------------------------------------------

std::vector<Project> SqliteTransaction::ActiveProjects(std::int64_t ws) {
  auto& s = db_.Prepare(PROJECT_SELECT "WHERE p.workspace_id = ? AND p.trash_item_id IS NULL ORDER BY p.name, p.id");
  s.Bind(1, ws);
  return All<Project>(s, ReadProject);
}

std::optional<Project> SqliteTransaction::ProjectByUrl(std::int64_t ws, const std::string& url) {
  auto& s = db_.Prepare(PROJECT_SELECT
                        "WHERE p.workspace_id = ? AND p.url = ? "
                        "ORDER BY p.trash_item_id IS NOT NULL, p.trash_item_id DESC LIMIT 1");
  s.Bind(1, ws).Bind(2, url);
  return One<Project>(s, ReadProject);
}

std::optional<Project> SqliteTransaction::ProjectById(const std::string& id) {
  auto& s = db_.Prepare(PROJECT_SELECT "WHERE p.id = ?");
  s.Bind(1, id);
  return One<Project>(s, ReadProject);
}

bool SqliteTransaction::ActiveProjectUrlTaken(std::int64_t ws, const std::string& url) {
  auto& s = db_.Prepare("SELECT 1 FROM projects WHERE workspace_id = ? AND url = ? AND trash_item_id IS NULL");
  s.Bind(1, ws).Bind(2, url);
  return Scalar(s) != 0;
}

void SqliteTransaction::InsertProject(const Project& p) {
  auto& s = db_.Prepare(
      "INSERT INTO projects(id, workspace_id, url, name, type, annotation, group_id, created_at, updated_at, "
      "created_by) "
      "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  s.Bind(1, p.id)
      .Bind(2, p.workspace_id)
      .Bind(3, p.url)
      .Bind(4, p.name)
      .Bind(5, p.type)
      .Bind(6, p.annotation)
      .Bind(7, p.group_id)
      .Bind(8, p.created_at)
      .Bind(9, p.updated_at)
      .Bind(10, p.created_by)
      .Run();
}

void SqliteTransaction::SetProjectTrash(const std::string& id, std::optional<std::int64_t> trash_item_id) {
  auto& s = db_.Prepare("UPDATE projects SET trash_item_id = ? WHERE id = ?");
  s.Bind(1, trash_item_id).Bind(2, id).Run();
}

void SqliteTransaction::SetProjectUrl(const std::string& id, const std::string& url, TimeMs at) {
  auto& s = db_.Prepare("UPDATE projects SET url = ?, updated_at = ? WHERE id = ?");
  s.Bind(1, url).Bind(2, at).Bind(3, id).Run();
}

void SqliteTransaction::SetProjectGroup(const std::string& id, const std::optional<std::string>& group_id) {
  auto& s = db_.Prepare("UPDATE projects SET group_id = ? WHERE id = ?");
  s.Bind(1, group_id).Bind(2, id).Run();
}

int SqliteTransaction::TakeVersionNumber(const std::string& project_id) {
  auto& s = db_.Prepare("UPDATE projects SET next_version = next_version + 1 WHERE id = ? RETURNING next_version - 1");
  s.Bind(1, project_id);
  return static_cast<int>(Scalar(s));
}

// ---- Asset Library -----------------------------------------------------------------------------

std::optional<Image> SqliteTransaction::ImageById(std::int64_t ws, const std::string& id) {
  auto& s = db_.Prepare(IMAGE_SELECT "FROM images i WHERE i.workspace_id = ? AND i.id = ?");
  s.Bind(1, ws).Bind(2, id);
  return One<Image>(s, ReadImage);
}

std::optional<Image> SqliteTransaction::ImageBySha(std::int64_t ws, const std::string& sha256) {
  auto& s = db_.Prepare(IMAGE_SELECT "FROM images i WHERE i.workspace_id = ? AND i.sha256 = ?");
  s.Bind(1, ws).Bind(2, sha256);
  return One<Image>(s, ReadImage);
}

std::vector<Image> SqliteTransaction::Images(const ImagePageQuery& q) {
  if (q.project_id) {
    auto& s = db_.Prepare(IMAGE_SELECT
                          "FROM project_images l JOIN images i ON i.id = l.image_id "
                          "WHERE l.project_id = ? AND l.image_id > ? ORDER BY l.image_id LIMIT ?");
    s.Bind(1, *q.project_id).Bind(2, q.after_id.value_or("")).Bind(3, q.limit);
    return All<Image>(s, ReadImage);
  }
  auto& s = db_.Prepare(IMAGE_SELECT "FROM images i WHERE i.workspace_id = ? AND i.id > ? ORDER BY i.id LIMIT ?");
  s.Bind(1, q.workspace_id).Bind(2, q.after_id.value_or("")).Bind(3, q.limit);
  return All<Image>(s, ReadImage);
}

void SqliteTransaction::InsertImage(const Image& img) {
  auto& s = db_.Prepare(
      "INSERT INTO images(id, workspace_id, name, sha256, size_bytes, width, height, created_at) "
      "VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
  s.Bind(1, img.id)
      .Bind(2, img.workspace_id)
      .Bind(3, img.name)
      .Bind(4, img.sha256)
      .Bind(5, img.size_bytes)
      .Bind(6, img.width)
      .Bind(7, img.height)
      .Bind(8, img.created_at)
      .Run();
}

bool SqliteTransaction::LinkImage(const std::string& project_id, const ImageRef& img) {
  db_.Prepare("INSERT OR IGNORE INTO project_images(project_id, image_id) VALUES (?, ?)")
      .Bind(1, project_id)
      .Bind(2, img.id)
      .Run();
  if (db_.Changes() == 0) return false;
  db_.Prepare("UPDATE projects SET image_count = image_count + 1, image_bytes = image_bytes + ? WHERE id = ?")
      .Bind(1, img.size_bytes)
      .Bind(2, project_id)
      .Run();
  return true;
}

// ---- Blobs -------------------------------------------------------------------------------------

void SqliteTransaction::AddBlobRef(const std::string& sha256, std::int64_t size) {
  db_.Prepare(
         "INSERT INTO blobs(sha256, size_bytes, refs) VALUES (?, ?, 1) ON CONFLICT(sha256) DO UPDATE SET refs = refs + "
         "1")
      .Bind(1, sha256)
      .Bind(2, size)
      .Run();
}

// In-process statements cost no round trip: the batch operations are loops over prepared statements.
std::vector<std::string> SqliteTransaction::DropBlobRefs(const std::vector<std::string>& sha256s) {
  std::vector<std::string> gone;
  for (const auto& sha256 : sha256s) {
    auto& s = db_.Prepare("UPDATE blobs SET refs = refs - 1 WHERE sha256 = ? RETURNING refs");
    s.Bind(1, sha256);
    if (Scalar(s) > 0) continue;
    db_.Prepare("DELETE FROM blobs WHERE sha256 = ?").Bind(1, sha256).Run();
    if (std::find(gone.begin(), gone.end(), sha256) == gone.end()) gone.push_back(sha256);
  }
  return gone;
}

bool SqliteTransaction::BlobReferenced(const std::string& sha256) {
  auto& s = db_.Prepare("SELECT refs > 0 FROM blobs WHERE sha256 = ?");
  s.Bind(1, sha256);
  return Scalar(s) != 0;
}

void SqliteTransaction::EnqueueBlobGc(const std::string& sha256, TimeMs not_before) {
  db_.Prepare(
         "INSERT INTO blob_gc(sha256, not_before) VALUES (?, ?) ON CONFLICT(sha256) DO UPDATE SET not_before = "
         "excluded.not_before")
      .Bind(1, sha256)
      .Bind(2, not_before)
      .Run();
}

void SqliteTransaction::EnqueueBlobGcAll(const std::vector<std::string>& sha256s, TimeMs not_before) {
  for (const auto& sha256 : sha256s) EnqueueBlobGc(sha256, not_before);
}

void SqliteTransaction::CancelBlobGc(const std::string& sha256) {
  db_.Prepare("DELETE FROM blob_gc WHERE sha256 = ?").Bind(1, sha256).Run();
}

std::vector<std::string> SqliteTransaction::DueBlobGc(TimeMs now, int limit) {
  auto& s = db_.Prepare("SELECT sha256 FROM blob_gc WHERE not_before <= ? ORDER BY not_before LIMIT ?");
  s.Bind(1, now).Bind(2, limit);
  return Strings(s);
}

std::vector<std::string> SqliteTransaction::ReferencedBlobs(const std::vector<std::string>& sha256s) {
  std::vector<std::string> referenced;
  for (const auto& sha256 : sha256s) {
    if (BlobReferenced(sha256)) referenced.push_back(sha256);
  }
  return referenced;
}

void SqliteTransaction::DeleteBlobGcAll(const std::vector<std::string>& sha256s) {
  for (const auto& sha256 : sha256s) CancelBlobGc(sha256);
}

// ---- Versions and models -----------------------------------------------------------------------

std::vector<Version> SqliteTransaction::ActiveVersions(const std::string& project_id) {
  auto& s = db_.Prepare(VERSION_SELECT "WHERE v.project_id = ? AND v.trash_item_id IS NULL ORDER BY v.number DESC");
  s.Bind(1, project_id);
  return All<Version>(s, ReadVersion);
}

std::optional<Version> SqliteTransaction::VersionByNumber(const std::string& project_id, int number) {
  auto& s = db_.Prepare(VERSION_SELECT "WHERE v.project_id = ? AND v.number = ?");
  s.Bind(1, project_id).Bind(2, number);
  return One<Version>(s, ReadVersion);
}

std::optional<Version> SqliteTransaction::VersionById(std::int64_t id) {
  auto& s = db_.Prepare(VERSION_SELECT "WHERE v.id = ?");
  s.Bind(1, id);
  return One<Version>(s, ReadVersion);
}

std::int64_t SqliteTransaction::InsertVersionWithSnapshot(Version& v) {
  db_.Prepare("INSERT INTO versions(project_id, number, name, created_at) VALUES (?, ?, ?, ?)")
      .Bind(1, v.project_id)
      .Bind(2, v.number)
      .Bind(3, v.name)
      .Bind(4, v.created_at)
      .Run();
  v.id = db_.LastInsertRowId();
  db_.Prepare(
         "INSERT INTO version_images(version_id, image_id) SELECT ?, image_id FROM project_images WHERE project_id = ?")
      .Bind(1, v.id)
      .Bind(2, v.project_id)
      .Run();
  auto& s = db_.Prepare(
      "UPDATE versions SET image_count = p.image_count, image_bytes = p.image_bytes FROM projects p "
      "WHERE p.id = versions.project_id AND versions.id = ? RETURNING versions.image_count, versions.image_bytes");
  s.Bind(1, v.id);
  if (s.Step()) {
    v.image_count = s.Int(0);
    v.image_bytes = s.Int(1);
    s.Reset();
  }
  return v.id;
}

void SqliteTransaction::SetVersionTrash(std::int64_t version_id, std::optional<std::int64_t> trash_item_id) {
  db_.Prepare("UPDATE versions SET trash_item_id = ? WHERE id = ?").Bind(1, trash_item_id).Bind(2, version_id).Run();
}

void SqliteTransaction::UpsertModel(const Model& m) {
  db_.Prepare(
         "INSERT INTO models(version_id, state, job_id, created_at) VALUES (?, ?, ?, ?) "
         "ON CONFLICT(version_id) DO UPDATE SET state = excluded.state, job_id = excluded.job_id, "
         "created_at = excluded.created_at, stopped_by_trash_item = NULL")
      .Bind(1, m.version_id)
      .Bind(2, m.state)
      .Bind(3, m.job_id)
      .Bind(4, m.created_at)
      .Run();
}

void SqliteTransaction::StopModelsOfProject(const std::string& project_id, std::int64_t trash_item_id) {
  db_.Prepare(
         "UPDATE models SET state = 'stopped', stopped_by_trash_item = ? WHERE state = 'serving' AND version_id IN "
         "(SELECT id FROM versions WHERE project_id = ? AND trash_item_id IS NULL)")
      .Bind(1, trash_item_id)
      .Bind(2, project_id)
      .Run();
}

void SqliteTransaction::StopModelOfVersion(std::int64_t version_id, std::int64_t trash_item_id) {
  db_.Prepare(
         "UPDATE models SET state = 'stopped', stopped_by_trash_item = ? WHERE state = 'serving' AND version_id = ?")
      .Bind(1, trash_item_id)
      .Bind(2, version_id)
      .Run();
}

void SqliteTransaction::RestartModelsStoppedBy(std::int64_t trash_item_id) {
  db_.Prepare("UPDATE models SET state = 'serving', stopped_by_trash_item = NULL WHERE stopped_by_trash_item = ?")
      .Bind(1, trash_item_id)
      .Run();
}

// ---- Jobs --------------------------------------------------------------------------------------

void SqliteTransaction::InsertJob(const Job& j) {
  db_.Prepare(
         "INSERT INTO jobs(id, workspace_id, project_id, version_id, version_number, state, cancel_reason, "
         "created_at, started_at, ended_at, duration_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
      .Bind(1, j.id)
      .Bind(2, j.workspace_id)
      .Bind(3, j.project_id)
      .Bind(4, j.version_id)
      .Bind(5, j.version_number)
      .Bind(6, JobStateName(j.state))
      .Bind(7, j.cancel_reason)
      .Bind(8, j.created_at)
      .Bind(9, j.started_at)
      .Bind(10, j.ended_at)
      .Bind(11, j.duration_ms)
      .Run();
}

void SqliteTransaction::UpdateJob(const Job& j) {
  db_.Prepare("UPDATE jobs SET state = ?, cancel_reason = ?, started_at = ?, ended_at = ? WHERE id = ?")
      .Bind(1, JobStateName(j.state))
      .Bind(2, j.cancel_reason)
      .Bind(3, j.started_at)
      .Bind(4, j.ended_at)
      .Bind(5, j.id)
      .Run();
}

std::optional<Job> SqliteTransaction::JobById(std::int64_t ws, const std::string& id) {
  auto& s = db_.Prepare(JOB_SELECT "WHERE j.workspace_id = ? AND j.id = ?");
  s.Bind(1, ws).Bind(2, id);
  return One<Job>(s, ReadJob);
}

std::vector<Job> SqliteTransaction::VisibleJobs(std::int64_t ws, int limit) {
  auto& s = db_.Prepare(JOB_SELECT
                        "JOIN versions v ON v.id = j.version_id WHERE j.workspace_id = ? AND p.trash_item_id IS NULL "
                        "AND v.trash_item_id IS NULL ORDER BY j.created_at DESC, j.id LIMIT ?");
  s.Bind(1, ws).Bind(2, limit);
  return All<Job>(s, ReadJob);
}

std::optional<Job> SqliteTransaction::ActiveJobOfVersion(std::int64_t version_id) {
  auto& s = db_.Prepare(JOB_SELECT "WHERE j.version_id = ? AND j.state IN ('queued', 'running') LIMIT 1");
  s.Bind(1, version_id);
  return One<Job>(s, ReadJob);
}

std::vector<Job> SqliteTransaction::ActiveJobs(int limit) {
  auto& s = db_.Prepare(JOB_SELECT "WHERE j.state IN ('queued', 'running') ORDER BY j.created_at LIMIT ?");
  s.Bind(1, limit);
  return All<Job>(s, ReadJob);
}

void SqliteTransaction::CancelJobsOfProject(const std::string& project_id, const std::string& reason, TimeMs now) {
  db_.Prepare(
         "UPDATE jobs SET state = 'cancelled', cancel_reason = ?, ended_at = ? "
         "WHERE project_id = ? AND state IN ('queued', 'running')")
      .Bind(1, reason)
      .Bind(2, now)
      .Bind(3, project_id)
      .Run();
}

void SqliteTransaction::CancelJobsOfVersion(std::int64_t version_id, const std::string& reason, TimeMs now) {
  db_.Prepare(
         "UPDATE jobs SET state = 'cancelled', cancel_reason = ?, ended_at = ? "
         "WHERE version_id = ? AND state IN ('queued', 'running')")
      .Bind(1, reason)
      .Bind(2, now)
      .Bind(3, version_id)
      .Run();
}

// ---- Workflows ---------------------------------------------------------------------------------

std::vector<Workflow> SqliteTransaction::ActiveWorkflows(std::int64_t ws) {
  auto& s = db_.Prepare(WORKFLOW_SELECT "WHERE workspace_id = ? AND trash_item_id IS NULL ORDER BY name, id");
  s.Bind(1, ws);
  return All<Workflow>(s, ReadWorkflow);
}

std::optional<Workflow> SqliteTransaction::WorkflowByUrl(std::int64_t ws, const std::string& url) {
  auto& s =
      db_.Prepare(WORKFLOW_SELECT
                  "WHERE workspace_id = ? AND url = ? ORDER BY trash_item_id IS NOT NULL, trash_item_id DESC LIMIT 1");
  s.Bind(1, ws).Bind(2, url);
  return One<Workflow>(s, ReadWorkflow);
}

std::optional<Workflow> SqliteTransaction::WorkflowById(const std::string& id) {
  auto& s = db_.Prepare(WORKFLOW_SELECT "WHERE id = ?");
  s.Bind(1, id);
  return One<Workflow>(s, ReadWorkflow);
}

bool SqliteTransaction::ActiveWorkflowUrlTaken(std::int64_t ws, const std::string& url) {
  auto& s = db_.Prepare("SELECT 1 FROM workflows WHERE workspace_id = ? AND url = ? AND trash_item_id IS NULL");
  s.Bind(1, ws).Bind(2, url);
  return Scalar(s) != 0;
}

void SqliteTransaction::InsertWorkflow(const Workflow& w) {
  db_.Prepare(
         "INSERT INTO workflows(id, workspace_id, url, name, config, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?, "
         "?)")
      .Bind(1, w.id)
      .Bind(2, w.workspace_id)
      .Bind(3, w.url)
      .Bind(4, w.name)
      .Bind(5, w.config_json)
      .Bind(6, w.created_at)
      .Bind(7, w.created_by)
      .Run();
}

void SqliteTransaction::SetWorkflowTrash(const std::string& id, std::optional<std::int64_t> trash_item_id) {
  db_.Prepare("UPDATE workflows SET trash_item_id = ? WHERE id = ?").Bind(1, trash_item_id).Bind(2, id).Run();
}

void SqliteTransaction::SetWorkflowUrl(const std::string& id, const std::string& url) {
  db_.Prepare("UPDATE workflows SET url = ? WHERE id = ?").Bind(1, url).Bind(2, id).Run();
}

// ---- Trash -------------------------------------------------------------------------------------

std::int64_t SqliteTransaction::InsertTrashItem(const TrashItem& t) {
  db_.Prepare(
         "INSERT INTO trash_items(workspace_id, type, object_id, name, url, parent_project_id, version_number, "
         "deleted_by, deleted_by_name, deleted_at, cleanup_at, cleanup_delete_images, state, size_bytes, group_id) "
         "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
      .Bind(1, t.workspace_id)
      .Bind(2, ItemTypeName(t.type))
      .Bind(3, t.object_id)
      .Bind(4, t.name)
      .Bind(5, t.url)
      .Bind(6, t.parent_project_id.empty() ? std::optional<std::string>() : std::optional(t.parent_project_id))
      .Bind(7, t.version_number)
      .Bind(8, t.deleted_by)
      .Bind(9, t.deleted_by_name)
      .Bind(10, t.deleted_at)
      .Bind(11, t.cleanup_at)
      .Bind(12, t.cleanup_delete_images)
      .Bind(13, TrashStateName(t.state))
      .Bind(14, t.size_bytes)
      .Bind(15, t.group_id)
      .Run();
  return db_.LastInsertRowId();
}

std::optional<TrashItem> SqliteTransaction::TrashItemById(std::int64_t id) {
  auto& s = db_.Prepare(TRASH_SELECT_ROW "WHERE t.id = ?");
  s.Bind(1, id);
  return One<TrashItem>(s, ReadTrash);
}

std::optional<TrashItem> SqliteTransaction::TrashItemByObject(std::int64_t ws, ItemType type,
                                                              const std::string& object_id) {
  auto& s = db_.Prepare(TRASH_SELECT_ROW "WHERE t.workspace_id = ? AND t.type = ? AND t.object_id = ?");
  s.Bind(1, ws).Bind(2, ItemTypeName(type)).Bind(3, object_id);
  return One<TrashItem>(s, ReadTrash);
}

namespace {
// One statement per (sort, type filter, cursor) combination, each walking its own index, so a page
// costs the same at any depth and an empty section costs nothing.
// ?1 workspace, ?2 type, ?3 pattern ('' = none), ?4 cursor key, ?5 cursor id, ?6 limit.
#define TRASH_WHERE                                     \
  "WHERE t.workspace_id = ?1 AND t.state = 'in_trash' " \
  "AND (?3 = '' OR t.name LIKE ?3 ESCAPE '\\' OR t.url LIKE ?3 ESCAPE '\\') "
#define TRASH_ALL TRASH_SELECT TRASH_WHERE "AND ?2 = '' "
#define TRASH_TYPED TRASH_SELECT TRASH_WHERE "AND t.type = ?2 "
#define TRASH_SORTS(base)                                                                                      \
  {base "ORDER BY t.deleted_at DESC, t.id DESC LIMIT ?6",                                                      \
   base "AND (t.deleted_at, t.id) < (?4, ?5) ORDER BY t.deleted_at DESC, t.id DESC LIMIT ?6"},                 \
      {base "ORDER BY t.cleanup_at, t.id LIMIT ?6",                                                            \
       base "AND (t.cleanup_at, t.id) > (?4, ?5) ORDER BY t.cleanup_at, t.id LIMIT ?6"},                       \
  {                                                                                                            \
    base "ORDER BY t.name, t.id LIMIT ?6", base "AND (t.name, t.id) > (?4, ?5) ORDER BY t.name, t.id LIMIT ?6" \
  }
constexpr const char* kTrashPages[2][3][2] = {{TRASH_SORTS(TRASH_ALL)}, {TRASH_SORTS(TRASH_TYPED)}};

std::string LikePattern(const std::string& q) {
  if (q.empty()) return {};
  std::string p = "%";
  for (char c : q) {
    if (c == '%' || c == '_' || c == '\\') p.push_back('\\');
    p.push_back(c);
  }
  p.push_back('%');
  return p;
}
}  // namespace

TrashPage SqliteTransaction::ListTrash(const TrashQuery& q) {
  int sort = q.sort == TrashSort::kDeletedAt ? 0 : q.sort == TrashSort::kScheduledCleanupAt ? 1 : 2;
  bool cursor = q.after_key.has_value() && q.after_id.has_value();
  auto& s = db_.Prepare(kTrashPages[q.type ? 1 : 0][sort][cursor ? 1 : 0]);
  s.Bind(1, q.workspace_id).Bind(2, q.type ? ItemTypeName(*q.type) : "").Bind(3, LikePattern(q.q));
  if (cursor) {
    if (sort == 2) {
      s.Bind(4, *q.after_key);
    } else {
      s.Bind(4, static_cast<std::int64_t>(std::stoll(*q.after_key)));
    }
    s.Bind(5, *q.after_id);
  }
  s.Bind(6, q.limit + 1);
  TrashPage page;
  page.items = All<TrashItem>(s, ReadTrash);
  if (static_cast<int>(page.items.size()) > q.limit) {
    page.items.pop_back();
    page.more = true;
  }
  return page;
}

std::vector<TrashItem> SqliteTransaction::TrashItemsInState(std::int64_t ws, TrashState state, int limit) {
  auto& s =
      db_.Prepare(TRASH_SELECT_ROW "WHERE t.workspace_id = ? AND t.state = ? ORDER BY t.deleted_at, t.id LIMIT ?");
  s.Bind(1, ws).Bind(2, TrashStateName(state)).Bind(3, limit);
  return All<TrashItem>(s, ReadTrash);
}

bool SqliteTransaction::CasTrashState(std::int64_t id, TrashState from, TrashState to, const std::string& actor_id,
                                      const std::string& actor_name) {
  db_.Prepare("UPDATE trash_items SET state = ?, purge_actor_id = ?, purge_actor_name = ? WHERE id = ? AND state = ?")
      .Bind(1, TrashStateName(to))
      .Bind(2, actor_id)
      .Bind(3, actor_name)
      .Bind(4, id)
      .Bind(5, TrashStateName(from))
      .Run();
  return db_.Changes() == 1;
}

bool SqliteTransaction::DeleteTrashItem(std::int64_t id, TrashState expected) {
  db_.Prepare("DELETE FROM trash_items WHERE id = ? AND state = ?").Bind(1, id).Bind(2, TrashStateName(expected)).Run();
  return db_.Changes() == 1;
}

std::vector<TrashItem> SqliteTransaction::ExpiredTrashItems(TimeMs now, int limit) {
  auto& s =
      db_.Prepare(TRASH_SELECT_ROW "WHERE t.state = 'in_trash' AND t.cleanup_at <= ? ORDER BY t.cleanup_at LIMIT ?");
  s.Bind(1, now).Bind(2, limit);
  return All<TrashItem>(s, ReadTrash);
}

std::optional<TrashItem> SqliteTransaction::NextPurgingItem() {
  auto& s = db_.Prepare(TRASH_SELECT_ROW "WHERE t.state = 'purging' ORDER BY t.cleanup_at, t.id LIMIT 1");
  return One<TrashItem>(s, ReadTrash);
}

std::vector<std::int64_t> SqliteTransaction::VersionTrashItemsOfProject(const std::string& project_id) {
  auto& s = db_.Prepare("SELECT id FROM trash_items WHERE parent_project_id = ? AND type = 'version'");
  s.Bind(1, project_id);
  return All<std::int64_t>(s, [](Statement& st) { return st.Int(0); });
}

// ---- Cleanup steps -----------------------------------------------------------------------------

std::vector<ImageRef> SqliteTransaction::ProjectLinks(const std::string& project_id, int limit) {
  auto& s = db_.Prepare(
      "SELECT i.id, i.sha256, i.size_bytes FROM project_images l JOIN images i ON i.id = l.image_id "
      "WHERE l.project_id = ? LIMIT ?");
  s.Bind(1, project_id).Bind(2, limit);
  return ReadRefs(s);
}

void SqliteTransaction::UnlinkProjectImages(const std::string& project_id, const std::vector<ImageRef>& imgs) {
  auto& s = db_.Prepare("DELETE FROM project_images WHERE project_id = ? AND image_id = ?");
  for (const auto& img : imgs) {
    s.Reset();
    s.Bind(1, project_id).Bind(2, img.id).Run();
  }
}

std::vector<ImageRef> SqliteTransaction::VersionLinksOfProject(const std::string& project_id, int limit) {
  auto& s = db_.Prepare(
      "SELECT DISTINCT i.id, i.sha256, i.size_bytes FROM versions v "
      "JOIN version_images l ON l.version_id = v.id JOIN images i ON i.id = l.image_id "
      "WHERE v.project_id = ? LIMIT ?");
  s.Bind(1, project_id).Bind(2, limit);
  return ReadRefs(s);
}

std::vector<ImageRef> SqliteTransaction::VersionLinks(std::int64_t version_id, int limit) {
  auto& s = db_.Prepare(
      "SELECT i.id, i.sha256, i.size_bytes FROM version_images l JOIN images i ON i.id = l.image_id "
      "WHERE l.version_id = ? LIMIT ?");
  s.Bind(1, version_id).Bind(2, limit);
  return ReadRefs(s);
}

void SqliteTransaction::UnlinkVersionImagesOfProject(const std::string& project_id, const std::vector<ImageRef>& imgs) {
  auto& s = db_.Prepare(
      "DELETE FROM version_images WHERE image_id = ? AND version_id IN "
      "(SELECT id FROM versions WHERE project_id = ?)");
  for (const auto& img : imgs) {
    s.Reset();
    s.Bind(1, img.id).Bind(2, project_id).Run();
  }
}

void SqliteTransaction::UnlinkVersionImages(std::int64_t version_id, const std::vector<ImageRef>& imgs) {
  auto& s = db_.Prepare("DELETE FROM version_images WHERE version_id = ? AND image_id = ?");
  for (const auto& img : imgs) {
    s.Reset();
    s.Bind(1, version_id).Bind(2, img.id).Run();
  }
}

std::vector<std::string> SqliteTransaction::ImagesLinkedOutside(const std::vector<ImageRef>& imgs,
                                                                const std::string& project_id) {
  std::vector<std::string> linked;
  for (const auto& img : imgs) {
    auto& s = db_.Prepare(
        "SELECT EXISTS (SELECT 1 FROM project_images WHERE image_id = ?1 AND project_id <> ?2) "
        "OR EXISTS (SELECT 1 FROM version_images l JOIN versions v ON v.id = l.version_id "
        "WHERE l.image_id = ?1 AND v.project_id <> ?2)");
    s.Bind(1, img.id).Bind(2, project_id);
    if (Scalar(s) != 0) linked.push_back(img.id);
  }
  return linked;
}

void SqliteTransaction::DeleteImageRows(const std::vector<ImageRef>& imgs) {
  for (const auto& img : imgs) {
    db_.Prepare("DELETE FROM version_images WHERE image_id = ?").Bind(1, img.id).Run();
    db_.Prepare("DELETE FROM project_images WHERE image_id = ?").Bind(1, img.id).Run();
    db_.Prepare("DELETE FROM images WHERE id = ?").Bind(1, img.id).Run();
  }
}

std::vector<std::string> SqliteTransaction::DeleteVersionsOfProject(const std::string& project_id) {
  auto& s = db_.Prepare("SELECT id FROM jobs WHERE project_id = ?");
  s.Bind(1, project_id);
  auto jobs = Strings(s);
  db_.Prepare("DELETE FROM models WHERE version_id IN (SELECT id FROM versions WHERE project_id = ?)")
      .Bind(1, project_id)
      .Run();
  db_.Prepare("DELETE FROM jobs WHERE project_id = ?").Bind(1, project_id).Run();
  db_.Prepare("DELETE FROM version_images WHERE version_id IN (SELECT id FROM versions WHERE project_id = ?)")
      .Bind(1, project_id)
      .Run();
  db_.Prepare("DELETE FROM versions WHERE project_id = ?").Bind(1, project_id).Run();
  return jobs;
}

std::vector<std::string> SqliteTransaction::DeleteVersion(std::int64_t version_id) {
  auto& s = db_.Prepare("SELECT id FROM jobs WHERE version_id = ?");
  s.Bind(1, version_id);
  auto jobs = Strings(s);
  db_.Prepare("DELETE FROM models WHERE version_id = ?").Bind(1, version_id).Run();
  db_.Prepare("DELETE FROM jobs WHERE version_id = ?").Bind(1, version_id).Run();
  db_.Prepare("DELETE FROM version_images WHERE version_id = ?").Bind(1, version_id).Run();
  db_.Prepare("DELETE FROM versions WHERE id = ?").Bind(1, version_id).Run();
  return jobs;
}

void SqliteTransaction::DeleteProjectRow(const std::string& project_id) {
  db_.Prepare("DELETE FROM project_images WHERE project_id = ?").Bind(1, project_id).Run();
  db_.Prepare("DELETE FROM projects WHERE id = ?").Bind(1, project_id).Run();
}

void SqliteTransaction::DeleteWorkflowRow(const std::string& workflow_id) {
  db_.Prepare("DELETE FROM workflows WHERE id = ?").Bind(1, workflow_id).Run();
}

// ---- Audit, leases, fsck -----------------------------------------------------------------------

void SqliteTransaction::InsertAudit(const AuditEvent& e) {
  db_.Prepare(
         "INSERT INTO audit_events(workspace_id, at, actor_id, actor_name, action, item_type, item_id, item_name) "
         "VALUES (?, ?, ?, ?, ?, ?, ?, ?)")
      .Bind(1, e.workspace_id)
      .Bind(2, e.at)
      .Bind(3, e.actor_id)
      .Bind(4, e.actor_name)
      .Bind(5, e.action)
      .Bind(6, e.item_type)
      .Bind(7, e.item_id)
      .Bind(8, e.item_name)
      .Run();
}

std::vector<AuditEvent> SqliteTransaction::Audit(std::int64_t ws, int limit, std::optional<std::int64_t> before_id) {
  auto& s = db_.Prepare(
      "SELECT id, workspace_id, at, actor_id, actor_name, action, item_type, item_id, item_name "
      "FROM audit_events WHERE workspace_id = ? AND id < ? ORDER BY id DESC LIMIT ?");
  s.Bind(1, ws).Bind(2, before_id.value_or(INT64_MAX)).Bind(3, limit);
  return All<AuditEvent>(s, [](Statement& st) {
    return AuditEvent{st.Int(0),  st.Int(1),  st.Int(2),  st.OptText(3), st.Text(4),
                      st.Text(5), st.Text(6), st.Text(7), st.Text(8)};
  });
}

bool SqliteTransaction::TryTakeLease(const std::string& name, const std::string& holder, TimeMs now, TimeMs ttl) {
  db_.Prepare(
         "INSERT INTO leases(name, holder, expires_at) VALUES (?1, ?2, ?3) ON CONFLICT(name) DO UPDATE SET "
         "holder = excluded.holder, expires_at = excluded.expires_at "
         "WHERE leases.holder = excluded.holder OR leases.expires_at <= ?4")
      .Bind(1, name)
      .Bind(2, holder)
      .Bind(3, now + ttl)
      .Bind(4, now)
      .Run();
  return db_.Changes() == 1;
}

std::optional<std::int64_t> SqliteTransaction::GetMeta(const std::string& key) {
  auto& s = db_.Prepare("SELECT value FROM server_meta WHERE key = ?");
  s.Bind(1, key);
  std::optional<std::int64_t> v;
  if (s.Step()) v = s.Int(0);
  s.Reset();
  return v;
}

std::int64_t SqliteTransaction::RaiseMeta(const std::string& key, std::int64_t value) {
  db_.Prepare(
         "INSERT INTO server_meta(key, value) VALUES (?1, ?2) ON CONFLICT(key) DO UPDATE SET "
         "value = MAX(server_meta.value, excluded.value)")
      .Bind(1, key)
      .Bind(2, value)
      .Run();
  return GetMeta(key).value_or(value);
}

std::int64_t SqliteTransaction::AddMeta(const std::string& key, std::int64_t delta) {
  db_.Prepare(
         "INSERT INTO server_meta(key, value) VALUES (?1, ?2) ON CONFLICT(key) DO UPDATE SET "
         "value = server_meta.value + excluded.value")
      .Bind(1, key)
      .Bind(2, delta)
      .Run();
  return GetMeta(key).value_or(delta);
}

std::vector<std::pair<std::string, std::int64_t>> SqliteTransaction::AllBlobRefs() {
  auto& s = db_.Prepare("SELECT sha256, refs FROM blobs ORDER BY sha256");
  return All<std::pair<std::string, std::int64_t>>(s, [](Statement& st) { return std::pair{st.Text(0), st.Int(1)}; });
}

std::vector<std::string> SqliteTransaction::AllBlobGc() {
  auto& s = db_.Prepare("SELECT sha256 FROM blob_gc ORDER BY sha256");
  return Strings(s);
}

std::vector<std::tuple<std::string, std::int64_t, std::int64_t>> SqliteTransaction::ImageShaCounts() {
  auto& s = db_.Prepare("SELECT sha256, COUNT(*), MAX(size_bytes) FROM images GROUP BY sha256 ORDER BY sha256");
  return All<std::tuple<std::string, std::int64_t, std::int64_t>>(s, [](Statement& st) {
    return std::tuple{st.Text(0), st.Int(1), st.Int(2)};
  });
}

void SqliteTransaction::SetBlobRefs(const std::string& sha256, std::int64_t refs, std::int64_t size) {
  if (refs <= 0) {
    db_.Prepare("DELETE FROM blobs WHERE sha256 = ?").Bind(1, sha256).Run();
    return;
  }
  db_.Prepare(
         "INSERT INTO blobs(sha256, size_bytes, refs) VALUES (?, ?, ?) ON CONFLICT(sha256) DO UPDATE SET refs = "
         "excluded.refs")
      .Bind(1, sha256)
      .Bind(2, size)
      .Bind(3, refs)
      .Run();
}

void SqliteTransaction::SetUsage(std::int64_t ws, const Usage& u) {
  db_.Prepare(
         "UPDATE workspaces SET storage_bytes = ?, image_count = ?, trash_projects = ?, trash_versions = ?, "
         "trash_workflows = ? WHERE id = ?")
      .Bind(1, u.storage_bytes)
      .Bind(2, u.image_count)
      .Bind(3, u.trash_projects)
      .Bind(4, u.trash_versions)
      .Bind(5, u.trash_workflows)
      .Bind(6, ws)
      .Run();
}

std::vector<std::pair<std::int64_t, Usage>> SqliteTransaction::RecountUsage() {
  auto& s = db_.Prepare(
      "SELECT w.id, "
      "(SELECT COALESCE(SUM(size_bytes), 0) FROM images i WHERE i.workspace_id = w.id), "
      "(SELECT COUNT(*) FROM images i WHERE i.workspace_id = w.id), "
      "(SELECT COUNT(*) FROM trash_items t WHERE t.workspace_id = w.id AND t.type = 'project'), "
      "(SELECT COUNT(*) FROM trash_items t WHERE t.workspace_id = w.id AND t.type = 'version'), "
      "(SELECT COUNT(*) FROM trash_items t WHERE t.workspace_id = w.id AND t.type = 'workflow') "
      "FROM workspaces w ORDER BY w.id");
  return All<std::pair<std::int64_t, Usage>>(s, [](Statement& st) {
    Usage u;
    u.storage_bytes = st.Int(1);
    u.image_count = st.Int(2);
    u.trash_projects = st.Int(3);
    u.trash_versions = st.Int(4);
    u.trash_workflows = st.Int(5);
    u.trash_items = u.trash_projects + u.trash_versions + u.trash_workflows;
    return std::pair{st.Int(0), u};
  });
}

// ---- Sign-in throttling ------------------------------------------------------------------------

int SqliteTransaction::CountLoginFailures(const std::string& key_hash, TimeMs since) {
  auto& s = db_.Prepare("SELECT COUNT(*) FROM login_failures WHERE key_hash = ? AND at >= ?");
  s.Bind(1, key_hash).Bind(2, since);
  return static_cast<int>(Scalar(s));
}

std::int64_t SqliteTransaction::InsertLoginFailure(const std::string& key_hash, TimeMs at) {
  db_.Prepare("INSERT INTO login_failures(key_hash, at) VALUES (?, ?)").Bind(1, key_hash).Bind(2, at).Run();
  return db_.LastInsertRowId();
}

void SqliteTransaction::DeleteLoginFailure(std::int64_t id) {
  db_.Prepare("DELETE FROM login_failures WHERE id = ?").Bind(1, id).Run();
}

int SqliteTransaction::PruneLoginFailures(TimeMs before, int limit) {
  db_.Prepare("DELETE FROM login_failures WHERE id IN (SELECT id FROM login_failures WHERE at < ? ORDER BY at LIMIT ?)")
      .Bind(1, before)
      .Bind(2, limit)
      .Run();
  return db_.Changes();
}

}  // namespace limbo::storage::sqlite
