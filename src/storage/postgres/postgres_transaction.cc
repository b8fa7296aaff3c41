#include "storage/postgres/postgres_transaction.h"

#include <climits>

namespace limbo::storage::postgres {

using namespace limbo::domain;  // NOLINT: this file implements the domain's interface

namespace {

const char* TrashCounterUpdate(ItemType t) {
  switch (t) {
    case ItemType::kProject:
      return "UPDATE workspaces SET trash_projects = trash_projects + $1, trash_bytes = trash_bytes + $2 WHERE id = $3";
    case ItemType::kVersion:
      return "UPDATE workspaces SET trash_versions = trash_versions + $1, trash_bytes = trash_bytes + $2 WHERE id = $3";
    case ItemType::kWorkflow:
      return "UPDATE workspaces SET trash_workflows = trash_workflows + $1, trash_bytes = trash_bytes + $2 WHERE id = "
             "$3";
  }
  return "";
}

// Field readers. Columns are read by position, in the order of each SELECT.
std::int64_t Int(const pqxx::row& r, int i) { return r[i].as<std::int64_t>(); }
std::string Text(const pqxx::row& r, int i) { return r[i].is_null() ? std::string() : r[i].as<std::string>(); }
bool Bool(const pqxx::row& r, int i) { return !r[i].is_null() && r[i].as<bool>(); }
std::optional<std::string> OptText(const pqxx::row& r, int i) {
  if (r[i].is_null()) return std::nullopt;
  return r[i].as<std::string>();
}
std::optional<std::int64_t> OptInt(const pqxx::row& r, int i) {
  if (r[i].is_null()) return std::nullopt;
  return r[i].as<std::int64_t>();
}

template <class T, class F>
std::optional<T> One(const pqxx::result& res, F read) {
  if (res.empty()) return std::nullopt;
  return read(res[0]);
}

template <class T, class F>
std::vector<T> All(const pqxx::result& res, F read) {
  std::vector<T> out;
  out.reserve(res.size());
  for (const auto& row : res) out.push_back(read(row));
  return out;
}

std::vector<std::string> Strings(const pqxx::result& res) {
  return All<std::string>(res, [](const pqxx::row& r) { return Text(r, 0); });
}

std::int64_t Scalar(const pqxx::result& res) { return res.empty() || res[0][0].is_null() ? 0 : Int(res[0], 0); }

bool Exists(const pqxx::result& res) { return !res.empty(); }

std::vector<ImageRef> ReadRefs(const pqxx::result& res) {
  return All<ImageRef>(res, [](const pqxx::row& r) { return ImageRef{Text(r, 0), Text(r, 1), Int(r, 2)}; });
}

Workspace ReadWorkspace(const pqxx::row& r) {
  return Workspace{Int(r, 0), Text(r, 1), Text(r, 2), static_cast<int>(Int(r, 3)), Int(r, 4), Int(r, 5)};
}

User ReadUser(const pqxx::row& r) { return User{Text(r, 0), Text(r, 1), Text(r, 2), Text(r, 3), Int(r, 4)}; }

#define PROJECT_SELECT                                                                                   \
  "SELECT p.id, p.workspace_id, p.url, p.name, p.type, p.annotation, p.group_id, COALESCE(g.name, ''), " \
  "p.image_count, p.image_bytes, "                                                                       \
  "(SELECT COUNT(*) FROM versions v WHERE v.project_id = p.id AND v.trash_item_id IS NULL), "            \
  "p.created_at, p.updated_at, p.created_by, p.trash_item_id "                                           \
  "FROM projects p LEFT JOIN groups g ON g.id = p.group_id "

Project ReadProject(const pqxx::row& r) {
  Project p;
  p.id = Text(r, 0);
  p.workspace_id = Int(r, 1);
  p.url = Text(r, 2);
  p.name = Text(r, 3);
  p.type = Text(r, 4);
  p.annotation = Text(r, 5);
  p.group_id = OptText(r, 6);
  p.group_name = Text(r, 7);
  p.image_count = Int(r, 8);
  p.image_bytes = Int(r, 9);
  p.version_count = Int(r, 10);
  p.created_at = Int(r, 11);
  p.updated_at = Int(r, 12);
  p.created_by = Text(r, 13);
  p.trash_item_id = OptInt(r, 14);
  return p;
}

// The project urls come sorted and joined by the unit separator (char 31).
#define IMAGE_SELECT                                                                               \
  "SELECT i.id, i.workspace_id, i.name, i.sha256, i.size_bytes, i.width, i.height, i.created_at, " \
  "(SELECT string_agg(p.url, chr(31) ORDER BY p.url) FROM project_images pi "                      \
  " JOIN projects p ON p.id = pi.project_id WHERE pi.image_id = i.id AND p.trash_item_id IS NULL) "

Image ReadImage(const pqxx::row& r) {
  Image img;
  img.id = Text(r, 0);
  img.workspace_id = Int(r, 1);
  img.name = Text(r, 2);
  img.sha256 = Text(r, 3);
  img.size_bytes = Int(r, 4);
  img.width = static_cast<int>(Int(r, 5));
  img.height = static_cast<int>(Int(r, 6));
  img.created_at = Int(r, 7);
  std::string urls = Text(r, 8);
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

Version ReadVersion(const pqxx::row& r) {
  Version v;
  v.id = Int(r, 0);
  v.project_id = Text(r, 1);
  v.number = static_cast<int>(Int(r, 2));
  v.name = Text(r, 3);
  v.image_count = Int(r, 4);
  v.image_bytes = Int(r, 5);
  v.created_at = Int(r, 6);
  v.trash_item_id = OptInt(r, 7);
  if (!r[8].is_null()) v.model = Model{v.id, Text(r, 8), Text(r, 9), Int(r, 10)};
  return v;
}

#define JOB_SELECT                                                                              \
  "SELECT j.id, j.workspace_id, j.project_id, p.url, j.version_id, j.version_number, j.state, " \
  "j.cancel_reason, j.created_at, j.started_at, j.ended_at, j.duration_ms FROM jobs j "         \
  "JOIN projects p ON p.id = j.project_id "

Job ReadJob(const pqxx::row& r) {
  Job j;
  j.id = Text(r, 0);
  j.workspace_id = Int(r, 1);
  j.project_id = Text(r, 2);
  j.project_url = Text(r, 3);
  j.version_id = Int(r, 4);
  j.version_number = static_cast<int>(Int(r, 5));
  j.state = ParseJobState(Text(r, 6)).value_or(JobState::kFailed);
  j.cancel_reason = OptText(r, 7);
  j.created_at = Int(r, 8);
  j.started_at = OptInt(r, 9);
  j.ended_at = OptInt(r, 10);
  j.duration_ms = Int(r, 11);
  return j;
}

#define WORKFLOW_SELECT \
  "SELECT id, workspace_id, url, name, config, created_at, created_by, trash_item_id FROM workflows "

Workflow ReadWorkflow(const pqxx::row& r) {
  return Workflow{Text(r, 0), Int(r, 1), Text(r, 2), Text(r, 3), Text(r, 4), Int(r, 5), Text(r, 6), OptInt(r, 7)};
}

// Listing columns: the row plus what the Trash page shows about its surroundings.
#define TRASH_SELECT                                                                                            \
  "SELECT t.id, t.workspace_id, t.type, t.object_id, t.name, t.url, t.parent_project_id, t.version_number, "    \
  "t.deleted_by, t.deleted_by_name, t.deleted_at, t.cleanup_at, t.cleanup_delete_images, t.state, "             \
  "t.size_bytes, t.group_id, t.purge_actor_id, t.purge_actor_name, "                                            \
  "COALESCE((SELECT pp.name FROM projects pp WHERE pp.id = t.parent_project_id), ''), "                         \
  "COALESCE((SELECT pp.trash_item_id IS NOT NULL FROM projects pp WHERE pp.id = t.parent_project_id), FALSE), " \
  "CASE t.type "                                                                                                \
  " WHEN 'project' THEN EXISTS (SELECT 1 FROM projects x WHERE x.workspace_id = t.workspace_id "                \
  "   AND x.url = t.url AND x.trash_item_id IS NULL) "                                                          \
  " WHEN 'workflow' THEN EXISTS (SELECT 1 FROM workflows x WHERE x.workspace_id = t.workspace_id "              \
  "   AND x.url = t.url AND x.trash_item_id IS NULL) "                                                          \
  " ELSE FALSE END, "                                                                                           \
  "COALESCE((SELECT g.name FROM groups g WHERE g.id = t.group_id), '') "                                        \
  "FROM trash_items t "

// Internal lookups need only the row itself; the listing's surroundings are left empty.
#define TRASH_SELECT_ROW                                                                                     \
  "SELECT t.id, t.workspace_id, t.type, t.object_id, t.name, t.url, t.parent_project_id, t.version_number, " \
  "t.deleted_by, t.deleted_by_name, t.deleted_at, t.cleanup_at, t.cleanup_delete_images, t.state, "          \
  "t.size_bytes, t.group_id, t.purge_actor_id, t.purge_actor_name, '', FALSE, FALSE, '' FROM trash_items t "

TrashItem ReadTrash(const pqxx::row& r) {
  TrashItem t;
  t.id = Int(r, 0);
  t.workspace_id = Int(r, 1);
  t.type = ParseItemType(Text(r, 2)).value_or(ItemType::kProject);
  t.object_id = Text(r, 3);
  t.name = Text(r, 4);
  t.url = Text(r, 5);
  t.parent_project_id = Text(r, 6);
  t.version_number = static_cast<int>(Int(r, 7));
  t.deleted_by = Text(r, 8);
  t.deleted_by_name = Text(r, 9);
  t.deleted_at = Int(r, 10);
  t.cleanup_at = Int(r, 11);
  t.cleanup_delete_images = Bool(r, 12);
  t.state = ParseTrashState(Text(r, 13)).value_or(TrashState::kInTrash);
  t.size_bytes = Int(r, 14);
  t.group_id = OptText(r, 15);
  t.purge_actor_id = Text(r, 16);
  t.purge_actor_name = Text(r, 17);
  t.parent_name = Text(r, 18);
  t.parent_in_trash = Bool(r, 19);
  t.url_taken = Bool(r, 20);
  t.group_name = Text(r, 21);
  return t;
}

// The ids as one text[] parameter (a bound value in PostgreSQL's array syntax, every element quoted),
// so a batch of unlinks is one statement instead of one round trip per image.
template <typename T, typename Field>
std::string TextArray(const std::vector<T>& items, Field field) {
  std::string out = "{";
  for (const auto& item : items) {
    if (out.size() > 1) out.push_back(',');
    out.push_back('"');
    for (char c : field(item)) {
      if (c == '"' || c == '\\') out.push_back('\\');
      out.push_back(c);
    }
    out.push_back('"');
  }
  out.push_back('}');
  return out;
}

std::string IdArray(const std::vector<ImageRef>& imgs) {
  return TextArray(imgs, [](const ImageRef& img) -> const std::string& { return img.id; });
}

std::string TextArray(const std::vector<std::string>& strings) {
  return TextArray(strings, [](const std::string& s) -> const std::string& { return s; });
}

std::optional<std::string> NonEmpty(const std::string& s) {
  return s.empty() ? std::nullopt : std::optional<std::string>(s);
}

}  // namespace

namespace {
// Length of the valid UTF-8 sequence starting at s[i] (no NUL, no overlongs, no surrogates), or 0.
std::size_t Utf8Sequence(const std::string& s, std::size_t i) {
  auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  auto cont = [&](std::size_t k) { return k < s.size() && (b(k) & 0xC0) == 0x80; };
  unsigned char c = b(i);
  if (c == 0) return 0;
  if (c < 0x80) return 1;
  if (c >= 0xC2 && c <= 0xDF) return cont(i + 1) ? 2 : 0;
  if (c >= 0xE0 && c <= 0xEF) {
    if (!cont(i + 1) || !cont(i + 2)) return 0;
    if (c == 0xE0 && b(i + 1) < 0xA0) return 0;   // overlong
    if (c == 0xED && b(i + 1) >= 0xA0) return 0;  // surrogate
    return 3;
  }
  if (c >= 0xF0 && c <= 0xF4) {
    if (!cont(i + 1) || !cont(i + 2) || !cont(i + 3)) return 0;
    if (c == 0xF0 && b(i + 1) < 0x90) return 0;   // overlong
    if (c == 0xF4 && b(i + 1) >= 0x90) return 0;  // above U+10FFFF
    return 4;
  }
  return 0;
}
}  // namespace

std::string PostgresTransaction::ValidText(const std::string& s) {
  std::size_t i = 0;
  while (i < s.size()) {
    std::size_t n = Utf8Sequence(s, i);
    if (n == 0) break;
    i += n;
  }
  if (i == s.size()) return s;
  std::string out = s.substr(0, i);
  while (i < s.size()) {
    std::size_t n = Utf8Sequence(s, i);
    if (n == 0) {
      out += "\xEF\xBF\xBD";
      ++i;
    } else {
      out.append(s, i, n);
      i += n;
    }
  }
  return out;
}

// ---- Workspaces and usage ----------------------------------------------------------------------

std::optional<Workspace> PostgresTransaction::WorkspaceByUrl(const std::string& url) {
  return One<Workspace>(
      Exec("SELECT id, url, name, retention_days, storage_quota_bytes, created_at FROM workspaces WHERE url = $1", url),
      ReadWorkspace);
}

std::optional<Workspace> PostgresTransaction::WorkspaceById(std::int64_t id) {
  return One<Workspace>(
      Exec("SELECT id, url, name, retention_days, storage_quota_bytes, created_at FROM workspaces WHERE id = $1", id),
      ReadWorkspace);
}

std::int64_t PostgresTransaction::InsertWorkspace(const Workspace& ws) {
  return Scalar(
      Exec("INSERT INTO workspaces(url, name, retention_days, storage_quota_bytes, created_at) "
           "VALUES ($1, $2, $3, $4, $5) RETURNING id",
           ws.url, ws.name, ws.retention_days, ws.storage_quota_bytes, ws.created_at));
}

void PostgresTransaction::UpdateWorkspace(const Workspace& ws) {
  Exec("UPDATE workspaces SET name = $1, retention_days = $2, storage_quota_bytes = $3 WHERE id = $4", ws.name,
       ws.retention_days, ws.storage_quota_bytes, ws.id);
}

Usage PostgresTransaction::GetUsage(std::int64_t ws) {
  auto res = Exec(
      "SELECT storage_bytes, image_count, trash_projects, trash_versions, trash_workflows FROM workspaces WHERE id = "
      "$1",
      ws);
  Usage u;
  if (!res.empty()) {
    const auto& r = res[0];
    u.storage_bytes = Int(r, 0);
    u.image_count = Int(r, 1);
    u.trash_projects = Int(r, 2);
    u.trash_versions = Int(r, 3);
    u.trash_workflows = Int(r, 4);
    u.trash_items = u.trash_projects + u.trash_versions + u.trash_workflows;
  }
  return u;
}

void PostgresTransaction::AddStorage(std::int64_t ws, std::int64_t bytes, std::int64_t images) {
  Exec("UPDATE workspaces SET storage_bytes = storage_bytes + $1, image_count = image_count + $2 WHERE id = $3", bytes,
       images, ws);
}

void PostgresTransaction::AddTrashCount(std::int64_t ws, ItemType type, int delta, std::int64_t bytes) {
  Exec(TrashCounterUpdate(type), delta, bytes, ws);
}

std::int64_t PostgresTransaction::ReclaimableBytes(std::int64_t ws) {
  return Scalar(Exec(R"sql(
    WITH doomed(pid) AS (
      SELECT object_id FROM trash_items WHERE workspace_id = $1 AND type = 'project' AND cleanup_delete_images),
    candidates(image_id) AS (
      SELECT pi.image_id FROM doomed d JOIN project_images pi ON pi.project_id = d.pid
      UNION
      SELECT vi.image_id FROM doomed d JOIN versions v ON v.project_id = d.pid
        JOIN version_images vi ON vi.version_id = v.id)
    SELECT COALESCE(SUM(i.size_bytes), 0)::bigint FROM candidates c JOIN images i ON i.id = c.image_id
    WHERE NOT EXISTS (SELECT 1 FROM project_images pi2 WHERE pi2.image_id = c.image_id
                        AND pi2.project_id NOT IN (SELECT pid FROM doomed))
      AND NOT EXISTS (SELECT 1 FROM version_images vi2 JOIN versions v2 ON v2.id = vi2.version_id
                        WHERE vi2.image_id = c.image_id AND v2.project_id NOT IN (SELECT pid FROM doomed))
  )sql",
                     ws));
}

std::int64_t PostgresTransaction::TrashBytes(std::int64_t ws) {
  return Scalar(Exec("SELECT trash_bytes FROM workspaces WHERE id = $1", ws));
}

ReclaimableState PostgresTransaction::GetReclaimable(std::int64_t ws) {
  auto res =
      Exec("SELECT reclaimable_bytes, reclaimable_gen, reclaimable_computed_gen FROM workspaces WHERE id = $1", ws);
  if (res.empty()) return ReclaimableState{};
  return ReclaimableState{Int(res[0], 0), Int(res[0], 1), Int(res[0], 2)};
}

void PostgresTransaction::TouchReclaimable(std::int64_t ws) {
  Exec("UPDATE workspaces SET reclaimable_gen = reclaimable_gen + 1 WHERE id = $1", ws);
}

void PostgresTransaction::StoreReclaimable(std::int64_t ws, std::int64_t bytes, std::int64_t gen) {
  Exec(
      "UPDATE workspaces SET reclaimable_bytes = $1, reclaimable_computed_gen = $2 "
      "WHERE id = $3 AND reclaimable_gen = $2",
      bytes, gen, ws);
}

std::vector<std::int64_t> PostgresTransaction::StaleReclaimableWorkspaces(int limit) {
  return All<std::int64_t>(
      Exec("SELECT id FROM workspaces WHERE reclaimable_gen <> reclaimable_computed_gen ORDER BY id LIMIT $1", limit),
      [](const pqxx::row& r) { return Int(r, 0); });
}

// ---- Users, members, roles ---------------------------------------------------------------------

std::optional<User> PostgresTransaction::UserByEmail(const std::string& email) {
  return One<User>(Exec("SELECT id, email, name, password_hash, created_at FROM users WHERE email = $1", email),
                   ReadUser);
}

std::optional<User> PostgresTransaction::UserById(const std::string& id) {
  return One<User>(Exec("SELECT id, email, name, password_hash, created_at FROM users WHERE id = $1", id), ReadUser);
}

void PostgresTransaction::InsertUser(const User& u) {
  Exec("INSERT INTO users(id, email, name, password_hash, created_at) VALUES ($1, $2, $3, $4, $5)", u.id, u.email,
       u.name, u.password_hash, u.created_at);
}

void PostgresTransaction::UpdateUser(const User& u) {
  Exec("UPDATE users SET name = $1, password_hash = $2 WHERE id = $3", u.name, u.password_hash, u.id);
}

namespace {
Member ReadMember(const pqxx::row& r) { return Member{Text(r, 0), Text(r, 1), Text(r, 2), Text(r, 3), Int(r, 4)}; }
}  // namespace

std::optional<Member> PostgresTransaction::MemberOf(std::int64_t ws, const std::string& user_id) {
  return One<Member>(
      Exec("SELECT u.id, u.email, u.name, m.role_id, m.joined_at FROM members m JOIN users u ON u.id = m.user_id "
           "WHERE m.workspace_id = $1 AND m.user_id = $2",
           ws, user_id),
      ReadMember);
}

std::vector<Member> PostgresTransaction::Members(std::int64_t ws) {
  return All<Member>(
      Exec("SELECT u.id, u.email, u.name, m.role_id, m.joined_at FROM members m JOIN users u ON u.id = m.user_id "
           "WHERE m.workspace_id = $1 ORDER BY u.email",
           ws),
      ReadMember);
}

std::vector<std::pair<Workspace, std::string>> PostgresTransaction::WorkspacesOfUser(const std::string& user_id) {
  return All<std::pair<Workspace, std::string>>(
      Exec("SELECT w.id, w.url, w.name, w.retention_days, w.storage_quota_bytes, w.created_at, m.role_id "
           "FROM members m JOIN workspaces w ON w.id = m.workspace_id WHERE m.user_id = $1 ORDER BY w.url",
           user_id),
      [](const pqxx::row& r) {
        return std::pair{ReadWorkspace(r), Text(r, 6)};
      });
}

void PostgresTransaction::InsertMember(std::int64_t ws, const std::string& user_id, const std::string& role_id,
                                       TimeMs at) {
  Exec("INSERT INTO members(workspace_id, user_id, role_id, joined_at) VALUES ($1, $2, $3, $4)", ws, user_id, role_id,
       at);
}

void PostgresTransaction::UpdateMemberRole(std::int64_t ws, const std::string& user_id, const std::string& role_id) {
  Exec("UPDATE members SET role_id = $1 WHERE workspace_id = $2 AND user_id = $3", role_id, ws, user_id);
}

void PostgresTransaction::DeleteMember(std::int64_t ws, const std::string& user_id) {
  Exec("DELETE FROM members WHERE workspace_id = $1 AND user_id = $2", ws, user_id);
}

int PostgresTransaction::CountMembersWithRole(std::int64_t ws, const std::string& role_id) {
  return static_cast<int>(
      Scalar(Exec("SELECT COUNT(*) FROM members WHERE workspace_id = $1 AND role_id = $2", ws, role_id)));
}

namespace {
Role ReadRole(const pqxx::row& r) { return Role{Text(r, 0), Text(r, 1), PermissionSet::Decode(Text(r, 2)), false}; }
}  // namespace

std::optional<Role> PostgresTransaction::CustomRole(std::int64_t ws, const std::string& id) {
  return One<Role>(Exec("SELECT id, name, permissions FROM roles WHERE workspace_id = $1 AND id = $2", ws, id),
                   ReadRole);
}

std::vector<Role> PostgresTransaction::CustomRoles(std::int64_t ws) {
  return All<Role>(Exec("SELECT id, name, permissions FROM roles WHERE workspace_id = $1 ORDER BY name", ws), ReadRole);
}

void PostgresTransaction::InsertRole(std::int64_t ws, const Role& r) {
  Exec("INSERT INTO roles(id, workspace_id, name, permissions) VALUES ($1, $2, $3, $4)", r.id, ws, r.name,
       r.permissions.Encode());
}

void PostgresTransaction::UpdateRole(std::int64_t ws, const Role& r) {
  Exec("UPDATE roles SET name = $1, permissions = $2 WHERE workspace_id = $3 AND id = $4", r.name,
       r.permissions.Encode(), ws, r.id);
}

void PostgresTransaction::DeleteRole(std::int64_t ws, const std::string& id) {
  Exec("DELETE FROM roles WHERE workspace_id = $1 AND id = $2", ws, id);
}

// ---- Invitations -------------------------------------------------------------------------------

namespace {
#define INVITATION_SELECT \
  "SELECT id, workspace_id, email, role_id, invited_by, created_at, expires_at FROM invitations "
Invitation ReadInvitation(const pqxx::row& r) {
  return Invitation{Text(r, 0), Int(r, 1), Text(r, 2), Text(r, 3), Text(r, 4), Int(r, 5), Int(r, 6)};
}
}  // namespace

void PostgresTransaction::InsertInvitation(const Invitation& inv, const std::string& token_hash) {
  Exec(
      "INSERT INTO invitations(id, workspace_id, email, role_id, token_hash, invited_by, created_at, expires_at) "
      "VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
      inv.id, inv.workspace_id, inv.email, inv.role_id, token_hash, inv.invited_by, inv.created_at, inv.expires_at);
}

std::optional<Invitation> PostgresTransaction::InvitationByEmail(std::int64_t ws, const std::string& email) {
  return One<Invitation>(Exec(INVITATION_SELECT "WHERE workspace_id = $1 AND email = $2", ws, email), ReadInvitation);
}

std::optional<Invitation> PostgresTransaction::InvitationByTokenHash(const std::string& token_hash) {
  return One<Invitation>(Exec(INVITATION_SELECT "WHERE token_hash = $1", token_hash), ReadInvitation);
}

std::vector<Invitation> PostgresTransaction::PendingInvitations(std::int64_t ws, TimeMs now) {
  return All<Invitation>(Exec(INVITATION_SELECT "WHERE workspace_id = $1 AND expires_at > $2 ORDER BY email", ws, now),
                         ReadInvitation);
}

std::vector<Invitation> PostgresTransaction::PendingInvitationsFor(const std::string& email, TimeMs now) {
  return All<Invitation>(Exec(INVITATION_SELECT "WHERE email = $1 AND expires_at > $2 ORDER BY created_at", email, now),
                         ReadInvitation);
}

void PostgresTransaction::UpdateInvitationToken(const std::string& id, const std::string& token_hash,
                                                TimeMs expires_at) {
  Exec("UPDATE invitations SET token_hash = $1, expires_at = $2 WHERE id = $3", token_hash, expires_at, id);
}

void PostgresTransaction::DeleteInvitation(const std::string& id) { Exec("DELETE FROM invitations WHERE id = $1", id); }

// ---- Credentials -------------------------------------------------------------------------------

namespace {
#define KEY_SELECT                                                                                    \
  "SELECT k.id, k.workspace_id, k.user_id, u.email, k.name, k.prefix, k.created_at, k.last_used_at, " \
  "k.revoked_at IS NOT NULL FROM api_keys k JOIN users u ON u.id = k.user_id "
ApiKey ReadKey(const pqxx::row& r) {
  return ApiKey{Text(r, 0), Int(r, 1), Text(r, 2),   Text(r, 3), Text(r, 4),
                Text(r, 5), Int(r, 6), OptInt(r, 7), Bool(r, 8)};
}
}  // namespace

void PostgresTransaction::InsertApiKey(const ApiKey& k, const std::string& key_hash) {
  Exec(
      "INSERT INTO api_keys(id, workspace_id, user_id, name, prefix, key_hash, created_at) "
      "VALUES ($1, $2, $3, $4, $5, $6, $7)",
      k.id, k.workspace_id, k.user_id, k.name, k.prefix, key_hash, k.created_at);
}

std::optional<ApiKey> PostgresTransaction::ApiKeyByHash(const std::string& key_hash) {
  return One<ApiKey>(Exec(KEY_SELECT "WHERE k.key_hash = $1", key_hash), ReadKey);
}

std::optional<ApiKey> PostgresTransaction::ApiKeyById(std::int64_t ws, const std::string& id) {
  return One<ApiKey>(Exec(KEY_SELECT "WHERE k.workspace_id = $1 AND k.id = $2", ws, id), ReadKey);
}

std::vector<ApiKey> PostgresTransaction::ApiKeys(std::int64_t ws, const std::optional<std::string>& user_id) {
  return All<ApiKey>(Exec(KEY_SELECT "WHERE k.workspace_id = $1 AND k.revoked_at IS NULL "
                                     "AND ($2::text IS NULL OR k.user_id = $2::text) ORDER BY k.created_at DESC",
                          ws, user_id),
                     ReadKey);
}

void PostgresTransaction::RevokeApiKey(const std::string& id, TimeMs at) {
  Exec("UPDATE api_keys SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL", at, id);
}

void PostgresTransaction::RevokeApiKeysOf(std::int64_t ws, const std::string& user_id, TimeMs at) {
  Exec("UPDATE api_keys SET revoked_at = $1 WHERE workspace_id = $2 AND user_id = $3 AND revoked_at IS NULL", at, ws,
       user_id);
}

void PostgresTransaction::TouchApiKey(const std::string& id, TimeMs at) {
  Exec("UPDATE api_keys SET last_used_at = $1 WHERE id = $2", at, id);
}

void PostgresTransaction::InsertSession(const Session& x) {
  Exec(
      "INSERT INTO sessions(id_hash, user_id, csrf_token, created_at, expires_at, password_at) "
      "VALUES ($1, $2, $3, $4, $5, $6)",
      x.id_hash, x.user_id, x.csrf_token, x.created_at, x.expires_at, x.password_at);
}

std::optional<Session> PostgresTransaction::SessionByHash(const std::string& id_hash) {
  return One<Session>(
      Exec("SELECT id_hash, user_id, csrf_token, created_at, expires_at, password_at FROM sessions WHERE id_hash = $1",
           id_hash),
      [](const pqxx::row& r) { return Session{Text(r, 0), Text(r, 1), Text(r, 2), Int(r, 3), Int(r, 4), Int(r, 5)}; });
}

void PostgresTransaction::SetSessionPasswordAt(const std::string& id_hash, TimeMs at) {
  Exec("UPDATE sessions SET password_at = $1 WHERE id_hash = $2", at, id_hash);
}

void PostgresTransaction::DeleteSession(const std::string& id_hash) {
  Exec("DELETE FROM sessions WHERE id_hash = $1", id_hash);
}

void PostgresTransaction::DeleteExpiredSessions(TimeMs now) {
  Exec("DELETE FROM sessions WHERE expires_at <= $1", now);
}

// ---- Groups ------------------------------------------------------------------------------------

namespace {
#define GROUP_SELECT                                                               \
  "SELECT g.id, g.name, (SELECT COUNT(*) FROM projects p WHERE p.group_id = g.id " \
  "AND p.trash_item_id IS NULL) FROM groups g "
Group ReadGroup(const pqxx::row& r) { return Group{Text(r, 0), Text(r, 1), Int(r, 2)}; }
}  // namespace

std::vector<Group> PostgresTransaction::Groups(std::int64_t ws) {
  return All<Group>(Exec(GROUP_SELECT "WHERE g.workspace_id = $1 ORDER BY g.name", ws), ReadGroup);
}

std::optional<Group> PostgresTransaction::GroupById(std::int64_t ws, const std::string& id) {
  return One<Group>(Exec(GROUP_SELECT "WHERE g.workspace_id = $1 AND g.id = $2", ws, id), ReadGroup);
}

void PostgresTransaction::InsertGroup(std::int64_t ws, const Group& g, TimeMs at) {
  Exec("INSERT INTO groups(id, workspace_id, name, created_at) VALUES ($1, $2, $3, $4)", g.id, ws, g.name, at);
}

void PostgresTransaction::RenameGroup(std::int64_t ws, const std::string& id, const std::string& name) {
  Exec("UPDATE groups SET name = $1 WHERE workspace_id = $2 AND id = $3", name, ws, id);
}

void PostgresTransaction::DeleteGroup(std::int64_t ws, const std::string& id) {
  Exec("UPDATE projects SET group_id = NULL WHERE group_id = $1", id);
  Exec("UPDATE trash_items SET group_id = NULL WHERE group_id = $1", id);
  Exec("DELETE FROM groups WHERE workspace_id = $1 AND id = $2", ws, id);
}

// ---- Projects ----------------------------------------------------------------------------------

std::vector<Project> PostgresTransaction::ActiveProjects(std::int64_t ws) {
  return All<Project>(
      Exec(PROJECT_SELECT "WHERE p.workspace_id = $1 AND p.trash_item_id IS NULL ORDER BY p.name, p.id", ws),
      ReadProject);
}

std::optional<Project> PostgresTransaction::ProjectByUrl(std::int64_t ws, const std::string& url) {
  return One<Project>(Exec(PROJECT_SELECT "WHERE p.workspace_id = $1 AND p.url = $2 "
                                          "ORDER BY p.trash_item_id IS NOT NULL, p.trash_item_id DESC LIMIT 1",
                           ws, url),
                      ReadProject);
}

std::optional<Project> PostgresTransaction::ProjectById(const std::string& id) {
  return One<Project>(Exec(PROJECT_SELECT "WHERE p.id = $1", id), ReadProject);
}

bool PostgresTransaction::ActiveProjectUrlTaken(std::int64_t ws, const std::string& url) {
  return Exists(Exec("SELECT 1 FROM projects WHERE workspace_id = $1 AND url = $2 AND trash_item_id IS NULL", ws, url));
}

void PostgresTransaction::InsertProject(const Project& p) {
  Exec(
      "INSERT INTO projects(id, workspace_id, url, name, type, annotation, group_id, created_at, updated_at, "
      "created_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
      p.id, p.workspace_id, p.url, p.name, p.type, p.annotation, p.group_id, p.created_at, p.updated_at, p.created_by);
}

void PostgresTransaction::SetProjectTrash(const std::string& id, std::optional<std::int64_t> trash_item_id) {
  Exec("UPDATE projects SET trash_item_id = $1 WHERE id = $2", trash_item_id, id);
}

void PostgresTransaction::SetProjectUrl(const std::string& id, const std::string& url, TimeMs at) {
  Exec("UPDATE projects SET url = $1, updated_at = $2 WHERE id = $3", url, at, id);
}

void PostgresTransaction::SetProjectGroup(const std::string& id, const std::optional<std::string>& group_id) {
  Exec("UPDATE projects SET group_id = $1 WHERE id = $2", group_id, id);
}

int PostgresTransaction::TakeVersionNumber(const std::string& project_id) {
  return static_cast<int>(Scalar(Exec(
      "UPDATE projects SET next_version = next_version + 1 WHERE id = $1 RETURNING next_version - 1", project_id)));
}

// ---- Asset Library -----------------------------------------------------------------------------

std::optional<Image> PostgresTransaction::ImageById(std::int64_t ws, const std::string& id) {
  return One<Image>(Exec(IMAGE_SELECT "FROM images i WHERE i.workspace_id = $1 AND i.id = $2", ws, id), ReadImage);
}

std::optional<Image> PostgresTransaction::ImageBySha(std::int64_t ws, const std::string& sha256) {
  return One<Image>(Exec(IMAGE_SELECT "FROM images i WHERE i.workspace_id = $1 AND i.sha256 = $2", ws, sha256),
                    ReadImage);
}

std::vector<Image> PostgresTransaction::Images(const ImagePageQuery& q) {
  std::string after = q.after_id.value_or("");
  if (q.project_id) {
    return All<Image>(Exec(IMAGE_SELECT "FROM project_images l JOIN images i ON i.id = l.image_id "
                                        "WHERE l.project_id = $1 AND l.image_id > $2 ORDER BY l.image_id LIMIT $3",
                           *q.project_id, after, q.limit),
                      ReadImage);
  }
  return All<Image>(Exec(IMAGE_SELECT "FROM images i WHERE i.workspace_id = $1 AND i.id > $2 ORDER BY i.id LIMIT $3",
                         q.workspace_id, after, q.limit),
                    ReadImage);
}

void PostgresTransaction::InsertImage(const Image& img) {
  Exec(
      "INSERT INTO images(id, workspace_id, name, sha256, size_bytes, width, height, created_at) "
      "VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
      img.id, img.workspace_id, img.name, img.sha256, img.size_bytes, img.width, img.height, img.created_at);
}

bool PostgresTransaction::LinkImage(const std::string& project_id, const ImageRef& img) {
  auto res = Exec("INSERT INTO project_images(project_id, image_id) VALUES ($1, $2) ON CONFLICT DO NOTHING", project_id,
                  img.id);
  if (res.affected_rows() == 0) return false;
  Exec("UPDATE projects SET image_count = image_count + 1, image_bytes = image_bytes + $1 WHERE id = $2",
       img.size_bytes, project_id);
  return true;
}

// ---- Blobs -------------------------------------------------------------------------------------
//
// T13 under concurrency. The collector (CollectBlobs) locks its due blob_gc rows (DueBlobGc, FOR
// UPDATE), checks which are referenced (ReferencedBlobs, one read of their blobs rows), unlinks the
// others, and deletes the queue rows, all in one write transaction. A
// writer that decides from the *absence* of a blobs row (an upload about to rely on, or rewrite,
// the file) calls BlobReferenced first, which takes the same row lock: it waits for the collector
// and then either fails with a serialization error and runs again on the new state, or (if the
// collector rolled back after unlinking) finds the row still queued and checks the disk afresh. A
// writer that relies on an existing blobs row updates that row, so a concurrent DropBlobRefs or
// collection of it makes one of them fail and retry (first updater wins).

void PostgresTransaction::AddBlobRef(const std::string& sha256, std::int64_t size) {
  // UPDATE first: if the row this transaction saw was deleted meanwhile, it fails and retries
  // instead of silently inserting a fresh row for a file the collector may have taken.
  auto res = Exec("UPDATE blobs SET refs = refs + 1 WHERE sha256 = $1", sha256);
  if (res.affected_rows() == 1) return;
  Exec(
      "INSERT INTO blobs(sha256, size_bytes, refs) VALUES ($1, $2, 1) "
      "ON CONFLICT (sha256) DO UPDATE SET refs = blobs.refs + 1",
      sha256, size);
}

std::vector<std::string> PostgresTransaction::DropBlobRefs(const std::vector<std::string>& sha256s) {
  if (sha256s.empty()) return {};
  // Two statements for the batch (a row may not be updated and deleted by one statement). The
  // counts are grouped first, so a sha256 listed twice drops two references.
  auto left = Exec(R"sql(
    WITH drops(sha256, n) AS (SELECT s, count(*) FROM unnest($1::text[]) AS s GROUP BY s)
    UPDATE blobs b SET refs = b.refs - d.n FROM drops d WHERE b.sha256 = d.sha256 RETURNING b.sha256, b.refs)sql",
                   TextArray(sha256s));
  std::vector<std::string> gone;
  for (const auto& r : left) {
    if (Int(r, 1) <= 0) gone.push_back(r[0].as<std::string>());
  }
  if (!gone.empty()) Exec("DELETE FROM blobs WHERE sha256 = ANY($1::text[])", TextArray(gone));
  return gone;
}

bool PostgresTransaction::BlobReferenced(const std::string& sha256) {
  if (writable_) Exec("SELECT 1 FROM blob_gc WHERE sha256 = $1 FOR UPDATE", sha256);
  auto res = Exec("SELECT refs > 0 FROM blobs WHERE sha256 = $1", sha256);
  return !res.empty() && Bool(res[0], 0);
}

void PostgresTransaction::EnqueueBlobGc(const std::string& sha256, TimeMs not_before) {
  Exec(
      "INSERT INTO blob_gc(sha256, not_before) VALUES ($1, $2) "
      "ON CONFLICT (sha256) DO UPDATE SET not_before = excluded.not_before",
      sha256, not_before);
}

void PostgresTransaction::EnqueueBlobGcAll(const std::vector<std::string>& sha256s, TimeMs not_before) {
  if (sha256s.empty()) return;
  Exec(
      "INSERT INTO blob_gc(sha256, not_before) SELECT DISTINCT unnest($1::text[]), $2::bigint "
      "ON CONFLICT (sha256) DO UPDATE SET not_before = excluded.not_before",
      TextArray(sha256s), not_before);
}

void PostgresTransaction::CancelBlobGc(const std::string& sha256) {
  Exec("DELETE FROM blob_gc WHERE sha256 = $1", sha256);
}

std::vector<std::string> PostgresTransaction::DueBlobGc(TimeMs now, int limit) {
  if (!writable_) {
    return Strings(
        Exec("SELECT sha256 FROM blob_gc WHERE not_before <= $1 ORDER BY not_before, sha256 LIMIT $2", now, limit));
  }
  // The rows stay locked until the collector's transaction ends (see above).
  return Strings(
      Exec("SELECT sha256 FROM blob_gc WHERE not_before <= $1 ORDER BY not_before, sha256 LIMIT $2 "
           "FOR UPDATE",
           now, limit));
}

std::vector<std::string> PostgresTransaction::ReferencedBlobs(const std::vector<std::string>& sha256s) {
  if (sha256s.empty()) return {};
  // The collector's queue rows are already locked by DueBlobGc, so no upload passes in between.
  return Strings(Exec("SELECT sha256 FROM blobs WHERE sha256 = ANY($1::text[]) AND refs > 0", TextArray(sha256s)));
}

void PostgresTransaction::DeleteBlobGcAll(const std::vector<std::string>& sha256s) {
  if (sha256s.empty()) return;
  Exec("DELETE FROM blob_gc WHERE sha256 = ANY($1::text[])", TextArray(sha256s));
}

// ---- Versions and models -----------------------------------------------------------------------

std::vector<Version> PostgresTransaction::ActiveVersions(const std::string& project_id) {
  return All<Version>(
      Exec(VERSION_SELECT "WHERE v.project_id = $1 AND v.trash_item_id IS NULL ORDER BY v.number DESC", project_id),
      ReadVersion);
}

std::optional<Version> PostgresTransaction::VersionByNumber(const std::string& project_id, int number) {
  return One<Version>(Exec(VERSION_SELECT "WHERE v.project_id = $1 AND v.number = $2", project_id, number),
                      ReadVersion);
}

std::optional<Version> PostgresTransaction::VersionById(std::int64_t id) {
  return One<Version>(Exec(VERSION_SELECT "WHERE v.id = $1", id), ReadVersion);
}

std::int64_t PostgresTransaction::InsertVersionWithSnapshot(Version& v) {
  v.id = Scalar(Exec("INSERT INTO versions(project_id, number, name, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
                     v.project_id, v.number, v.name, v.created_at));
  Exec(
      "INSERT INTO version_images(version_id, image_id) SELECT $1::bigint, image_id FROM project_images "
      "WHERE project_id = $2",
      v.id, v.project_id);
  auto res = Exec(
      "UPDATE versions SET image_count = p.image_count, image_bytes = p.image_bytes FROM projects p "
      "WHERE p.id = versions.project_id AND versions.id = $1 RETURNING versions.image_count, versions.image_bytes",
      v.id);
  if (!res.empty()) {
    v.image_count = Int(res[0], 0);
    v.image_bytes = Int(res[0], 1);
  }
  return v.id;
}

void PostgresTransaction::SetVersionTrash(std::int64_t version_id, std::optional<std::int64_t> trash_item_id) {
  Exec("UPDATE versions SET trash_item_id = $1 WHERE id = $2", trash_item_id, version_id);
}

void PostgresTransaction::UpsertModel(const Model& m) {
  Exec(
      "INSERT INTO models(version_id, state, job_id, created_at) VALUES ($1, $2, $3, $4) "
      "ON CONFLICT (version_id) DO UPDATE SET state = excluded.state, job_id = excluded.job_id, "
      "created_at = excluded.created_at, stopped_by_trash_item = NULL",
      m.version_id, m.state, m.job_id, m.created_at);
}

void PostgresTransaction::StopModelsOfProject(const std::string& project_id, std::int64_t trash_item_id) {
  Exec(
      "UPDATE models SET state = 'stopped', stopped_by_trash_item = $1 WHERE state = 'serving' AND version_id IN "
      "(SELECT id FROM versions WHERE project_id = $2 AND trash_item_id IS NULL)",
      trash_item_id, project_id);
}

void PostgresTransaction::StopModelOfVersion(std::int64_t version_id, std::int64_t trash_item_id) {
  Exec("UPDATE models SET state = 'stopped', stopped_by_trash_item = $1 WHERE state = 'serving' AND version_id = $2",
       trash_item_id, version_id);
}

void PostgresTransaction::RestartModelsStoppedBy(std::int64_t trash_item_id) {
  Exec("UPDATE models SET state = 'serving', stopped_by_trash_item = NULL WHERE stopped_by_trash_item = $1",
       trash_item_id);
}

// ---- Jobs --------------------------------------------------------------------------------------

void PostgresTransaction::InsertJob(const Job& j) {
  Exec(
      "INSERT INTO jobs(id, workspace_id, project_id, version_id, version_number, state, cancel_reason, "
      "created_at, started_at, ended_at, duration_ms) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
      j.id, j.workspace_id, j.project_id, j.version_id, j.version_number, JobStateName(j.state), j.cancel_reason,
      j.created_at, j.started_at, j.ended_at, j.duration_ms);
}

void PostgresTransaction::UpdateJob(const Job& j) {
  Exec("UPDATE jobs SET state = $1, cancel_reason = $2, started_at = $3, ended_at = $4 WHERE id = $5",
       JobStateName(j.state), j.cancel_reason, j.started_at, j.ended_at, j.id);
}

std::optional<Job> PostgresTransaction::JobById(std::int64_t ws, const std::string& id) {
  return One<Job>(Exec(JOB_SELECT "WHERE j.workspace_id = $1 AND j.id = $2", ws, id), ReadJob);
}

std::vector<Job> PostgresTransaction::VisibleJobs(std::int64_t ws, int limit) {
  return All<Job>(
      Exec(JOB_SELECT "JOIN versions v ON v.id = j.version_id WHERE j.workspace_id = $1 AND p.trash_item_id IS NULL "
                      "AND v.trash_item_id IS NULL ORDER BY j.created_at DESC, j.id LIMIT $2",
           ws, limit),
      ReadJob);
}

std::optional<Job> PostgresTransaction::ActiveJobOfVersion(std::int64_t version_id) {
  return One<Job>(Exec(JOB_SELECT "WHERE j.version_id = $1 AND j.state IN ('queued', 'running') LIMIT 1", version_id),
                  ReadJob);
}

std::vector<Job> PostgresTransaction::ActiveJobs(int limit) {
  return All<Job>(Exec(JOB_SELECT "WHERE j.state IN ('queued', 'running') ORDER BY j.created_at LIMIT $1", limit),
                  ReadJob);
}

void PostgresTransaction::CancelJobsOfProject(const std::string& project_id, const std::string& reason, TimeMs now) {
  Exec(
      "UPDATE jobs SET state = 'cancelled', cancel_reason = $1, ended_at = $2 "
      "WHERE project_id = $3 AND state IN ('queued', 'running')",
      reason, now, project_id);
}

void PostgresTransaction::CancelJobsOfVersion(std::int64_t version_id, const std::string& reason, TimeMs now) {
  Exec(
      "UPDATE jobs SET state = 'cancelled', cancel_reason = $1, ended_at = $2 "
      "WHERE version_id = $3 AND state IN ('queued', 'running')",
      reason, now, version_id);
}

// ---- Workflows ---------------------------------------------------------------------------------

std::vector<Workflow> PostgresTransaction::ActiveWorkflows(std::int64_t ws) {
  return All<Workflow>(Exec(WORKFLOW_SELECT "WHERE workspace_id = $1 AND trash_item_id IS NULL ORDER BY name, id", ws),
                       ReadWorkflow);
}

std::optional<Workflow> PostgresTransaction::WorkflowByUrl(std::int64_t ws, const std::string& url) {
  return One<Workflow>(Exec(WORKFLOW_SELECT "WHERE workspace_id = $1 AND url = $2 "
                                            "ORDER BY trash_item_id IS NOT NULL, trash_item_id DESC LIMIT 1",
                            ws, url),
                       ReadWorkflow);
}

std::optional<Workflow> PostgresTransaction::WorkflowById(const std::string& id) {
  return One<Workflow>(Exec(WORKFLOW_SELECT "WHERE id = $1", id), ReadWorkflow);
}

bool PostgresTransaction::ActiveWorkflowUrlTaken(std::int64_t ws, const std::string& url) {
  return Exists(
      Exec("SELECT 1 FROM workflows WHERE workspace_id = $1 AND url = $2 AND trash_item_id IS NULL", ws, url));
}

void PostgresTransaction::InsertWorkflow(const Workflow& w) {
  Exec(
      "INSERT INTO workflows(id, workspace_id, url, name, config, created_at, created_by) "
      "VALUES ($1, $2, $3, $4, $5, $6, $7)",
      w.id, w.workspace_id, w.url, w.name, w.config_json, w.created_at, w.created_by);
}

void PostgresTransaction::SetWorkflowTrash(const std::string& id, std::optional<std::int64_t> trash_item_id) {
  Exec("UPDATE workflows SET trash_item_id = $1 WHERE id = $2", trash_item_id, id);
}

void PostgresTransaction::SetWorkflowUrl(const std::string& id, const std::string& url) {
  Exec("UPDATE workflows SET url = $1 WHERE id = $2", url, id);
}

// ---- Trash -------------------------------------------------------------------------------------

std::int64_t PostgresTransaction::InsertTrashItem(const TrashItem& t) {
  return Scalar(
      Exec("INSERT INTO trash_items(workspace_id, type, object_id, name, url, parent_project_id, version_number, "
           "deleted_by, deleted_by_name, deleted_at, cleanup_at, cleanup_delete_images, state, size_bytes, group_id) "
           "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) RETURNING id",
           t.workspace_id, ItemTypeName(t.type), t.object_id, t.name, t.url, NonEmpty(t.parent_project_id),
           t.version_number, t.deleted_by, t.deleted_by_name, t.deleted_at, t.cleanup_at, t.cleanup_delete_images,
           TrashStateName(t.state), t.size_bytes, t.group_id));
}

std::optional<TrashItem> PostgresTransaction::TrashItemById(std::int64_t id) {
  return One<TrashItem>(Exec(TRASH_SELECT_ROW "WHERE t.id = $1", id), ReadTrash);
}

std::optional<TrashItem> PostgresTransaction::TrashItemByObject(std::int64_t ws, ItemType type,
                                                                const std::string& object_id) {
  return One<TrashItem>(Exec(TRASH_SELECT_ROW "WHERE t.workspace_id = $1 AND t.type = $2 AND t.object_id = $3", ws,
                             ItemTypeName(type), object_id),
                        ReadTrash);
}

namespace {
// One statement per (type filter, sort, cursor) combination, each walking its own index, so a page
// costs the same at any depth and a generic plan of a prepared statement still uses the index.
// $1 workspace, $2 type (ignored when '' in the untyped statements), $3 pattern ('' = none),
// $4 cursor key, $5 cursor id, $6 limit (first pages: $4 limit).
#define TRASH_WHERE                                     \
  "WHERE t.workspace_id = $1 AND t.state = 'in_trash' " \
  "AND ($3::text = '' OR t.name LIKE $3::text ESCAPE '\\' OR t.url LIKE $3::text ESCAPE '\\') "
#define TRASH_ALL TRASH_SELECT TRASH_WHERE "AND $2::text = '' "
#define TRASH_TYPED TRASH_SELECT TRASH_WHERE "AND t.type = $2::text "
#define TRASH_SORTS(base)                                                                                      \
  {base "ORDER BY t.deleted_at DESC, t.id DESC LIMIT $4",                                                      \
   base "AND (t.deleted_at, t.id) < ($4::bigint, $5::bigint) ORDER BY t.deleted_at DESC, t.id DESC LIMIT $6"}, \
      {base "ORDER BY t.cleanup_at, t.id LIMIT $4",                                                            \
       base "AND (t.cleanup_at, t.id) > ($4::bigint, $5::bigint) ORDER BY t.cleanup_at, t.id LIMIT $6"},       \
  {                                                                                                            \
    base "ORDER BY t.name, t.id LIMIT $4",                                                                     \
        base "AND (t.name, t.id) > ($4::text, $5::bigint) ORDER BY t.name, t.id LIMIT $6"                      \
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

TrashPage PostgresTransaction::ListTrash(const TrashQuery& q) {
  int sort = q.sort == TrashSort::kDeletedAt ? 0 : q.sort == TrashSort::kScheduledCleanupAt ? 1 : 2;
  bool cursor = q.after_key.has_value() && q.after_id.has_value();
  std::string type = q.type ? ItemTypeName(*q.type) : "";
  std::string pattern = LikePattern(q.q);
  const char* sql = kTrashPages[q.type ? 1 : 0][sort][cursor ? 1 : 0];
  pqxx::result res;
  if (!cursor) {
    res = Exec(sql, q.workspace_id, type, pattern, q.limit + 1);
  } else if (sort == 2) {
    res = Exec(sql, q.workspace_id, type, pattern, *q.after_key, *q.after_id, q.limit + 1);
  } else {
    auto key = static_cast<std::int64_t>(std::stoll(*q.after_key));
    res = Exec(sql, q.workspace_id, type, pattern, key, *q.after_id, q.limit + 1);
  }
  TrashPage page;
  page.items = All<TrashItem>(res, ReadTrash);
  if (static_cast<int>(page.items.size()) > q.limit) {
    page.items.pop_back();
    page.more = true;
  }
  return page;
}

std::vector<TrashItem> PostgresTransaction::TrashItemsInState(std::int64_t ws, TrashState state, int limit) {
  return All<TrashItem>(
      Exec(TRASH_SELECT_ROW "WHERE t.workspace_id = $1 AND t.state = $2 ORDER BY t.deleted_at, t.id LIMIT $3", ws,
           TrashStateName(state), limit),
      ReadTrash);
}

// T14: the state change is conditional on the state this transaction expects. A concurrent
// restore or purge of the same row makes the second writer wait for the first and then fail with
// a serialization error; run again, it sees the row gone or changed and reports false.
bool PostgresTransaction::CasTrashState(std::int64_t id, TrashState from, TrashState to, const std::string& actor_id,
                                        const std::string& actor_name) {
  auto res =
      Exec("UPDATE trash_items SET state = $1, purge_actor_id = $2, purge_actor_name = $3 WHERE id = $4 AND state = $5",
           TrashStateName(to), actor_id, actor_name, id, TrashStateName(from));
  return res.affected_rows() == 1;
}

bool PostgresTransaction::DeleteTrashItem(std::int64_t id, TrashState expected) {
  return Exec("DELETE FROM trash_items WHERE id = $1 AND state = $2", id, TrashStateName(expected)).affected_rows() ==
         1;
}

std::vector<TrashItem> PostgresTransaction::ExpiredTrashItems(TimeMs now, int limit) {
  return All<TrashItem>(
      Exec(TRASH_SELECT_ROW "WHERE t.state = 'in_trash' AND t.cleanup_at <= $1 ORDER BY t.cleanup_at, t.id LIMIT $2",
           now, limit),
      ReadTrash);
}

std::optional<TrashItem> PostgresTransaction::NextPurgingItem() {
  return One<TrashItem>(Exec(TRASH_SELECT_ROW "WHERE t.state = 'purging' ORDER BY t.cleanup_at, t.id LIMIT 1"),
                        ReadTrash);
}

std::vector<std::int64_t> PostgresTransaction::VersionTrashItemsOfProject(const std::string& project_id) {
  return All<std::int64_t>(
      Exec("SELECT id FROM trash_items WHERE parent_project_id = $1 AND type = 'version' ORDER BY id", project_id),
      [](const pqxx::row& r) { return Int(r, 0); });
}

// ---- Cleanup steps -----------------------------------------------------------------------------

std::vector<ImageRef> PostgresTransaction::ProjectLinks(const std::string& project_id, int limit) {
  return ReadRefs(
      Exec("SELECT i.id, i.sha256, i.size_bytes FROM project_images l JOIN images i ON i.id = l.image_id "
           "WHERE l.project_id = $1 ORDER BY l.image_id LIMIT $2",
           project_id, limit));
}

void PostgresTransaction::UnlinkProjectImages(const std::string& project_id, const std::vector<ImageRef>& imgs) {
  if (imgs.empty()) return;
  Exec("DELETE FROM project_images WHERE project_id = $1 AND image_id = ANY($2::text[])", project_id, IdArray(imgs));
}

std::vector<ImageRef> PostgresTransaction::VersionLinksOfProject(const std::string& project_id, int limit) {
  return ReadRefs(
      Exec("SELECT DISTINCT i.id, i.sha256, i.size_bytes FROM versions v "
           "JOIN version_images l ON l.version_id = v.id JOIN images i ON i.id = l.image_id "
           "WHERE v.project_id = $1 ORDER BY i.id LIMIT $2",
           project_id, limit));
}

std::vector<ImageRef> PostgresTransaction::VersionLinks(std::int64_t version_id, int limit) {
  return ReadRefs(
      Exec("SELECT i.id, i.sha256, i.size_bytes FROM version_images l JOIN images i ON i.id = l.image_id "
           "WHERE l.version_id = $1 ORDER BY l.image_id LIMIT $2",
           version_id, limit));
}

void PostgresTransaction::UnlinkVersionImagesOfProject(const std::string& project_id,
                                                       const std::vector<ImageRef>& imgs) {
  if (imgs.empty()) return;
  Exec(
      "DELETE FROM version_images WHERE image_id = ANY($1::text[]) AND version_id IN "
      "(SELECT id FROM versions WHERE project_id = $2)",
      IdArray(imgs), project_id);
}

void PostgresTransaction::UnlinkVersionImages(std::int64_t version_id, const std::vector<ImageRef>& imgs) {
  if (imgs.empty()) return;
  Exec("DELETE FROM version_images WHERE version_id = $1 AND image_id = ANY($2::text[])", version_id, IdArray(imgs));
}

std::vector<std::string> PostgresTransaction::ImagesLinkedOutside(const std::vector<ImageRef>& imgs,
                                                                  const std::string& project_id) {
  if (imgs.empty()) return {};
  return Strings(
      Exec("SELECT t.id FROM unnest($1::text[]) AS t(id) "
           "WHERE EXISTS (SELECT 1 FROM project_images p WHERE p.image_id = t.id AND p.project_id <> $2) "
           "OR EXISTS (SELECT 1 FROM version_images l JOIN versions v ON v.id = l.version_id "
           "WHERE l.image_id = t.id AND v.project_id <> $2)",
           IdArray(imgs), project_id));
}

void PostgresTransaction::DeleteImageRows(const std::vector<ImageRef>& imgs) {
  if (imgs.empty()) return;
  std::string ids = IdArray(imgs);
  Exec("DELETE FROM version_images WHERE image_id = ANY($1::text[])", ids);
  Exec("DELETE FROM project_images WHERE image_id = ANY($1::text[])", ids);
  Exec("DELETE FROM images WHERE id = ANY($1::text[])", ids);
}

std::vector<std::string> PostgresTransaction::DeleteVersionsOfProject(const std::string& project_id) {
  auto jobs = Strings(Exec("SELECT id FROM jobs WHERE project_id = $1 ORDER BY id", project_id));
  Exec("DELETE FROM models WHERE version_id IN (SELECT id FROM versions WHERE project_id = $1)", project_id);
  Exec("DELETE FROM jobs WHERE project_id = $1", project_id);
  Exec("DELETE FROM version_images WHERE version_id IN (SELECT id FROM versions WHERE project_id = $1)", project_id);
  Exec("DELETE FROM versions WHERE project_id = $1", project_id);
  return jobs;
}

std::vector<std::string> PostgresTransaction::DeleteVersion(std::int64_t version_id) {
  auto jobs = Strings(Exec("SELECT id FROM jobs WHERE version_id = $1 ORDER BY id", version_id));
  Exec("DELETE FROM models WHERE version_id = $1", version_id);
  Exec("DELETE FROM jobs WHERE version_id = $1", version_id);
  Exec("DELETE FROM version_images WHERE version_id = $1", version_id);
  Exec("DELETE FROM versions WHERE id = $1", version_id);
  return jobs;
}

void PostgresTransaction::DeleteProjectRow(const std::string& project_id) {
  Exec("DELETE FROM project_images WHERE project_id = $1", project_id);
  Exec("DELETE FROM projects WHERE id = $1", project_id);
}

void PostgresTransaction::DeleteWorkflowRow(const std::string& workflow_id) {
  Exec("DELETE FROM workflows WHERE id = $1", workflow_id);
}

// ---- Audit, leases, fsck -----------------------------------------------------------------------

void PostgresTransaction::InsertAudit(const AuditEvent& e) {
  Exec(
      "INSERT INTO audit_events(workspace_id, at, actor_id, actor_name, action, item_type, item_id, item_name) "
      "VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
      e.workspace_id, e.at, e.actor_id, e.actor_name, e.action, e.item_type, e.item_id, e.item_name);
}

std::vector<AuditEvent> PostgresTransaction::Audit(std::int64_t ws, int limit, std::optional<std::int64_t> before_id) {
  return All<AuditEvent>(
      Exec("SELECT id, workspace_id, at, actor_id, actor_name, action, item_type, item_id, item_name "
           "FROM audit_events WHERE workspace_id = $1 AND id < $2 ORDER BY id DESC LIMIT $3",
           ws, before_id.value_or(INT64_MAX), limit),
      [](const pqxx::row& r) {
        return AuditEvent{Int(r, 0),  Int(r, 1),  Int(r, 2),  OptText(r, 3), Text(r, 4),
                          Text(r, 5), Text(r, 6), Text(r, 7), Text(r, 8)};
      });
}

// Taken when free, expired, or already ours. Expiry is judged by the caller's clock, as with
// SQLite; servers sharing a database keep their clocks in step (NTP), and the lease only avoids
// duplicate effort: every cleanup step is a serializable transaction that is correct on its own.
bool PostgresTransaction::TryTakeLease(const std::string& name, const std::string& holder, TimeMs now, TimeMs ttl) {
  auto res = Exec(
      "INSERT INTO leases(name, holder, expires_at) VALUES ($1, $2, $3) ON CONFLICT (name) DO UPDATE SET "
      "holder = excluded.holder, expires_at = excluded.expires_at "
      "WHERE leases.holder = excluded.holder OR leases.expires_at <= $4",
      name, holder, now + ttl, now);
  return res.affected_rows() == 1;
}

std::optional<std::int64_t> PostgresTransaction::GetMeta(const std::string& key) {
  auto res = Exec("SELECT value FROM server_meta WHERE key = $1", key);
  if (res.empty()) return std::nullopt;
  return Int(res[0], 0);
}

std::int64_t PostgresTransaction::RaiseMeta(const std::string& key, std::int64_t value) {
  return Scalar(
      Exec("INSERT INTO server_meta(key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET "
           "value = GREATEST(server_meta.value, excluded.value) RETURNING value",
           key, value));
}

std::int64_t PostgresTransaction::AddMeta(const std::string& key, std::int64_t delta) {
  return Scalar(
      Exec("INSERT INTO server_meta(key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET "
           "value = server_meta.value + excluded.value RETURNING value",
           key, delta));
}

std::vector<std::pair<std::string, std::int64_t>> PostgresTransaction::AllBlobRefs() {
  return All<std::pair<std::string, std::int64_t>>(Exec("SELECT sha256, refs FROM blobs ORDER BY sha256"),
                                                   [](const pqxx::row& r) {
                                                     return std::pair{Text(r, 0), Int(r, 1)};
                                                   });
}

std::vector<std::string> PostgresTransaction::AllBlobGc() {
  return Strings(Exec("SELECT sha256 FROM blob_gc ORDER BY sha256"));
}

std::vector<std::tuple<std::string, std::int64_t, std::int64_t>> PostgresTransaction::ImageShaCounts() {
  return All<std::tuple<std::string, std::int64_t, std::int64_t>>(
      Exec("SELECT sha256, COUNT(*), MAX(size_bytes) FROM images GROUP BY sha256 ORDER BY sha256"),
      [](const pqxx::row& r) {
        return std::tuple{Text(r, 0), Int(r, 1), Int(r, 2)};
      });
}

void PostgresTransaction::SetBlobRefs(const std::string& sha256, std::int64_t refs, std::int64_t size) {
  if (refs <= 0) {
    Exec("DELETE FROM blobs WHERE sha256 = $1", sha256);
    return;
  }
  Exec(
      "INSERT INTO blobs(sha256, size_bytes, refs) VALUES ($1, $2, $3) "
      "ON CONFLICT (sha256) DO UPDATE SET refs = excluded.refs",
      sha256, size, refs);
}

void PostgresTransaction::SetUsage(std::int64_t ws, const Usage& u) {
  Exec(
      "UPDATE workspaces SET storage_bytes = $1, image_count = $2, trash_projects = $3, trash_versions = $4, "
      "trash_workflows = $5 WHERE id = $6",
      u.storage_bytes, u.image_count, u.trash_projects, u.trash_versions, u.trash_workflows, ws);
}

std::vector<std::pair<std::int64_t, Usage>> PostgresTransaction::RecountUsage() {
  return All<std::pair<std::int64_t, Usage>>(
      Exec("SELECT w.id, "
           "(SELECT COALESCE(SUM(size_bytes), 0)::bigint FROM images i WHERE i.workspace_id = w.id), "
           "(SELECT COUNT(*) FROM images i WHERE i.workspace_id = w.id), "
           "(SELECT COUNT(*) FROM trash_items t WHERE t.workspace_id = w.id AND t.type = 'project'), "
           "(SELECT COUNT(*) FROM trash_items t WHERE t.workspace_id = w.id AND t.type = 'version'), "
           "(SELECT COUNT(*) FROM trash_items t WHERE t.workspace_id = w.id AND t.type = 'workflow') "
           "FROM workspaces w ORDER BY w.id"),
      [](const pqxx::row& r) {
        Usage u;
        u.storage_bytes = Int(r, 1);
        u.image_count = Int(r, 2);
        u.trash_projects = Int(r, 3);
        u.trash_versions = Int(r, 4);
        u.trash_workflows = Int(r, 5);
        u.trash_items = u.trash_projects + u.trash_versions + u.trash_workflows;
        return std::pair{Int(r, 0), u};
      });
}

// ---- Sign-in throttling ------------------------------------------------------------------------

int PostgresTransaction::CountLoginFailures(const std::string& key_hash, TimeMs since) {
  return static_cast<int>(
      Scalar(Exec("SELECT COUNT(*) FROM login_failures WHERE key_hash = $1 AND at >= $2", key_hash, since)));
}

std::int64_t PostgresTransaction::InsertLoginFailure(const std::string& key_hash, TimeMs at) {
  return Scalar(Exec("INSERT INTO login_failures(key_hash, at) VALUES ($1, $2) RETURNING id", key_hash, at));
}

void PostgresTransaction::DeleteLoginFailure(std::int64_t id) { Exec("DELETE FROM login_failures WHERE id = $1", id); }

int PostgresTransaction::PruneLoginFailures(TimeMs before, int limit) {
  auto res =
      Exec("DELETE FROM login_failures WHERE id IN (SELECT id FROM login_failures WHERE at < $1 ORDER BY at LIMIT $2)",
           before, limit);
  return static_cast<int>(res.affected_rows());
}

}  // namespace limbo::storage::postgres
