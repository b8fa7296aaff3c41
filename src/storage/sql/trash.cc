#include "storage/sql/trash.h"

#include <algorithm>
#include <string>

namespace limbo::storage::sql {

using domain::ItemType;
using domain::TimeMs;
using domain::TrashItem;
using domain::TrashPage;
using domain::TrashQuery;
using domain::TrashSort;
using domain::TrashState;

namespace {

// The row's own columns, in the order ReadTrash reads them.
#define TRASH_ROW_COLUMNS                                                                             \
  "t.id, t.workspace_id, t.type, t.object_id, t.name, t.url, t.parent_project_id, t.version_number, " \
  "t.deleted_by, t.deleted_by_name, t.deleted_at, t.cleanup_at, t.cleanup_delete_images, t.state, "   \
  "t.size_bytes, t.group_id, t.purge_actor_id, t.purge_actor_name"

// Listing columns: what the Trash page shows of a row (a listing is of one workspace and of items in
// the Trash only, so not the workspace, the state or the purging actor), then its surroundings
// (parent project's name and whether it or the training's version is in the Trash, whether a live
// project or workflow now has the url, the group's name), joined in the page's one statement: each
// join is by a primary or unique key (live urls are unique per workspace), so it adds no rows, and
// the page walks its keyset index once instead of running four subqueries per row.
#define TRASH_SELECT                                                                                       \
  "SELECT t.id, t.type, t.object_id, t.name, t.url, t.parent_project_id, t.version_number, t.deleted_by, " \
  "t.deleted_by_name, t.deleted_at, t.cleanup_at, t.cleanup_delete_images, t.size_bytes, t.group_id, "     \
  "COALESCE(pp.name, ''), (pp.trash_item_id IS NOT NULL OR vv.trash_item_id IS NOT NULL), "                \
  "(xp.id IS NOT NULL OR xw.id IS NOT NULL), COALESCE(g.name, '') "                                        \
  "FROM trash_items t "                                                                                    \
  "LEFT JOIN projects pp ON pp.id = t.parent_project_id "                                                  \
  "LEFT JOIN versions vv ON t.type = 'training' AND vv.project_id = t.parent_project_id "                  \
  " AND vv.number = t.version_number "                                                                     \
  "LEFT JOIN projects xp ON t.type = 'project' AND xp.workspace_id = t.workspace_id AND xp.url = t.url "   \
  " AND xp.trash_item_id IS NULL "                                                                         \
  "LEFT JOIN workflows xw ON t.type = 'workflow' AND xw.workspace_id = t.workspace_id AND xw.url = t.url " \
  " AND xw.trash_item_id IS NULL "                                                                         \
  "LEFT JOIN groups g ON g.id = t.group_id "

// One listed row of TRASH_SELECT, read into `t` (a fresh item of the page): each text is copied once,
// from the row into its field, and only NOT NULL columns are read without asking for NULL first.
void ReadListed(const Rows& r, std::int64_t ws, TrashItem& t) {
  t.id = r.Int(0);
  t.workspace_id = ws;
  t.type = domain::ParseItemType(r.View(1)).value_or(ItemType::kProject);
  t.object_id = r.View(2);
  t.name = r.View(3);
  t.url = r.View(4);
  t.parent_project_id = r.View(5);
  t.version_number = static_cast<int>(r.Int(6));
  t.deleted_by = r.View(7);
  t.deleted_by_name = r.View(8);
  t.deleted_at = r.Int(9);
  t.cleanup_at = r.Int(10);
  t.cleanup_delete_images = r.Bool(11);
  t.state = TrashState::kInTrash;
  t.size_bytes = r.Int(12);
  if (!r.IsNull(13)) t.group_id.emplace(r.View(13));
  t.parent_name = r.View(14);
  t.parent_in_trash = r.Bool(15);
  t.url_taken = r.Bool(16);
  t.group_name = r.View(17);
}

// Internal lookups need only the row itself.
#define TRASH_SELECT_ROW "SELECT " TRASH_ROW_COLUMNS " FROM trash_items t "

TrashItem ReadTrash(const Rows& r) {
  TrashItem t;
  t.id = r.Int(0);
  t.workspace_id = r.Int(1);
  t.type = domain::ParseItemType(r.Text(2)).value_or(ItemType::kProject);
  t.object_id = r.Text(3);
  t.name = r.Text(4);
  t.url = r.Text(5);
  t.parent_project_id = r.Text(6);
  t.version_number = static_cast<int>(r.Int(7));
  t.deleted_by = r.Text(8);
  t.deleted_by_name = r.Text(9);
  t.deleted_at = r.Int(10);
  t.cleanup_at = r.Int(11);
  t.cleanup_delete_images = r.Bool(12);
  t.state = domain::ParseTrashState(r.Text(13)).value_or(TrashState::kInTrash);
  t.size_bytes = r.Int(14);
  t.group_id = r.OptText(15);
  t.purge_actor_id = r.Text(16);
  t.purge_actor_name = r.Text(17);
  return t;
}

// One statement per (type filter, sort, cursor) combination, each walking its own index, so a page
// costs the same at any depth, an empty section costs nothing, and a generic plan of a prepared
// statement still uses the index.
// Parameters: workspace, pattern three times ('' = none), type ('' in the untyped statements),
// then with a cursor its key and id, then the limit.
#define TRASH_WHERE                                    \
  "WHERE t.workspace_id = ? AND t.state = 'in_trash' " \
  "AND (CAST(? AS TEXT) = '' OR LOWER(t.name) LIKE LOWER(?) ESCAPE '\\' OR LOWER(t.url) LIKE LOWER(?) ESCAPE '\\') "
#define TRASH_ALL TRASH_SELECT TRASH_WHERE "AND CAST(? AS TEXT) = '' "
#define TRASH_TYPED TRASH_SELECT TRASH_WHERE "AND t.type = CAST(? AS TEXT) "
#define BY_DELETED "ORDER BY t.deleted_at DESC, t.id DESC LIMIT ?"
#define AFTER_DELETED "AND (t.deleted_at, t.id) < (CAST(? AS BIGINT), CAST(? AS BIGINT)) "
#define BY_CLEANUP "ORDER BY t.cleanup_at, t.id LIMIT ?"
#define AFTER_CLEANUP "AND (t.cleanup_at, t.id) > (CAST(? AS BIGINT), CAST(? AS BIGINT)) "
#define BY_NAME "ORDER BY t.name, t.id LIMIT ?"
#define AFTER_NAME "AND (t.name, t.id) > (CAST(? AS TEXT), CAST(? AS BIGINT)) "
#define TRASH_SORTS(base)                                                                               \
  {base BY_DELETED, base AFTER_DELETED BY_DELETED}, {base BY_CLEANUP, base AFTER_CLEANUP BY_CLEANUP}, { \
    base BY_NAME, base AFTER_NAME BY_NAME                                                               \
  }
constexpr const char* kTrashPages[2][3][2] = {{TRASH_SORTS(TRASH_ALL)}, {TRASH_SORTS(TRASH_TYPED)}};

// Search ignores case on both databases (SQLite's LIKE would alone, PostgreSQL's would not): the
// statement lowers the pattern and the columns with the same function.
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

std::optional<std::string> NonEmpty(const std::string& s) {
  return s.empty() ? std::nullopt : std::optional<std::string>(s);
}

}  // namespace

void MoveTrashGeneration(Db& db, std::int64_t ws) {
  db.Exec("UPDATE trash_generations SET generation = generation + 1 WHERE workspace_id = ?", ws);
}

std::int64_t Trash::Insert(const TrashItem& t) {
  MoveTrashGeneration(db_, t.workspace_id);
  return db_.Insert(
      "INSERT INTO trash_items(workspace_id, type, object_id, name, url, parent_project_id, version_number, "
      "deleted_by, deleted_by_name, deleted_at, cleanup_at, cleanup_delete_images, state, size_bytes, group_id) "
      "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
      t.workspace_id, domain::ItemTypeName(t.type), t.object_id, t.name, t.url, NonEmpty(t.parent_project_id),
      t.version_number, t.deleted_by, t.deleted_by_name, t.deleted_at, t.cleanup_at, t.cleanup_delete_images,
      domain::TrashStateName(t.state), t.size_bytes, t.group_id);
}

std::optional<TrashItem> Trash::ById(std::int64_t id) {
  return One<TrashItem>(db_.Query(TRASH_SELECT_ROW "WHERE t.id = ?", id), ReadTrash);
}

std::optional<TrashItem> Trash::ByObject(std::int64_t ws, ItemType type, const std::string& object_id) {
  return One<TrashItem>(db_.Query(TRASH_SELECT_ROW "WHERE t.workspace_id = ? AND t.type = ? AND t.object_id = ?", ws,
                                  domain::ItemTypeName(type), object_id),
                        ReadTrash);
}

TrashPage Trash::List(const TrashQuery& q) {
  int sort = q.sort == TrashSort::kDeletedAt ? 0 : q.sort == TrashSort::kScheduledCleanupAt ? 1 : 2;
  bool cursor = q.after_key.has_value() && q.after_id.has_value();
  const char* sql = kTrashPages[q.type ? 1 : 0][sort][cursor ? 1 : 0];
  std::string type = q.type ? domain::ItemTypeName(*q.type) : "";
  std::string pattern = LikePattern(q.q);
  int limit = q.limit + 1;  // the extra row only tells that more follow
  auto rows = [&]() -> Rows {
    if (!cursor) return db_.Query(sql, q.workspace_id, pattern, pattern, pattern, type, limit);
    if (sort == 2)
      return db_.Query(sql, q.workspace_id, pattern, pattern, pattern, type, *q.after_key, *q.after_id, limit);
    auto key = static_cast<std::int64_t>(std::stoll(*q.after_key));
    return db_.Query(sql, q.workspace_id, pattern, pattern, pattern, type, key, *q.after_id, limit);
  }();
  TrashPage page;
  page.items.reserve(static_cast<std::size_t>(std::min(q.limit, 64)));
  while (rows.Next()) {
    if (static_cast<int>(page.items.size()) == q.limit) {
      page.more = true;  // the extra row: not read
      break;
    }
    ReadListed(rows, q.workspace_id, page.items.emplace_back());
  }
  return page;
}

// Milliseconds are whole and not negative, so integer division is the UTC day on both databases.
std::vector<domain::TrashDay> Trash::CleanupByDay(std::int64_t ws, TimeMs from, TimeMs to) {
  auto rows = db_.Query(
      "SELECT t.cleanup_at / 86400000, COUNT(*), CAST(COALESCE(SUM(t.size_bytes), 0) AS BIGINT) FROM trash_items t "
      "WHERE t.workspace_id = ? AND t.state = 'in_trash' AND t.cleanup_at >= ? AND t.cleanup_at < ? "
      "GROUP BY t.cleanup_at / 86400000 ORDER BY 1",
      ws, from, to);
  std::vector<domain::TrashDay> out;
  while (rows.Next()) out.push_back({.day = rows.Int(0), .items = rows.Int(1), .bytes = rows.Int(2)});
  return out;
}

std::vector<TrashItem> Trash::InState(std::int64_t ws, TrashState state, int limit) {
  return All<TrashItem>(
      db_.Query(TRASH_SELECT_ROW "WHERE t.workspace_id = ? AND t.state = ? ORDER BY t.deleted_at, t.id LIMIT ?", ws,
                domain::TrashStateName(state), limit),
      ReadTrash);
}

std::vector<TrashItem> Trash::InStateBrief(std::int64_t ws, TrashState state, int limit) {
  auto rows = db_.Query(
      "SELECT t.id, t.type, t.object_id, t.name, t.url, t.parent_project_id, t.version_number, t.size_bytes "
      "FROM trash_items t WHERE t.workspace_id = ? AND t.state = ? ORDER BY t.deleted_at, t.id LIMIT ?",
      ws, domain::TrashStateName(state), limit);
  std::vector<TrashItem> out;
  while (rows.Next()) {
    TrashItem& t = out.emplace_back();
    t.id = rows.Int(0);
    t.workspace_id = ws;
    t.type = domain::ParseItemType(rows.Text(1)).value_or(ItemType::kProject);
    t.object_id = rows.Text(2);
    t.name = rows.Text(3);
    t.url = rows.Text(4);
    t.parent_project_id = rows.Text(5);
    t.version_number = static_cast<int>(rows.Int(6));
    t.size_bytes = rows.Int(7);
    t.state = state;
  }
  return out;
}

// T14: the state change is conditional on the state this transaction expects. Where transactions
// run concurrently (PostgreSQL), a concurrent restore or purge of the same row makes the second
// writer wait for the first and then fail with a serialization error; run again, it sees the row
// gone or changed and reports false.
bool Trash::CasState(std::int64_t id, TrashState from, TrashState to, const std::string& actor_id,
                     const std::string& actor_name) {
  bool changed =
      db_.Exec("UPDATE trash_items SET state = ?, purge_actor_id = ?, purge_actor_name = ? WHERE id = ? AND state = ?",
               domain::TrashStateName(to), actor_id, actor_name, id, domain::TrashStateName(from)) == 1;
  if (changed) {
    db_.Exec(
        "UPDATE trash_generations SET generation = generation + 1 "
        "WHERE workspace_id = (SELECT workspace_id FROM trash_items WHERE id = ?)",
        id);
  }
  return changed;
}

bool Trash::Delete(std::int64_t id, TrashState expected) {
  // The generation first: the row names its workspace only until it is gone.
  if (db_.Exec("UPDATE trash_generations SET generation = generation + 1 "
               "WHERE workspace_id = (SELECT workspace_id FROM trash_items WHERE id = ? AND state = ?)",
               id, domain::TrashStateName(expected)) == 0) {
    return false;
  }
  return db_.Exec("DELETE FROM trash_items WHERE id = ? AND state = ?", id, domain::TrashStateName(expected)) == 1;
}

// The list's ids looked up one by one by primary key. Written as a CROSS JOIN with the list first,
// which SQLite takes as the join order (PostgreSQL plans it as any join): otherwise SQLite prefers an
// index on (workspace_id, state) and walks every row of the Trash once per batch.
#define TRASH_OF_LIST                                                                              \
  "SELECT t.id FROM (SELECT CAST(value AS BIGINT) AS id FROM list(?)) l CROSS JOIN trash_items t " \
  "WHERE t.id = l.id AND t.state = ? "

std::vector<std::int64_t> Trash::InStateAmong(const std::vector<std::int64_t>& ids, TrashState state) {
  if (ids.empty()) return {};
  return Ints(db_.Query(TRASH_OF_LIST, IntTexts(ids), domain::TrashStateName(state)));
}

std::int64_t Trash::DeleteAll(std::int64_t ws, const std::vector<std::int64_t>& ids, TrashState expected) {
  if (ids.empty()) return 0;
  std::int64_t n = db_.Exec("DELETE FROM trash_items WHERE id IN (" TRASH_OF_LIST "AND t.workspace_id = ?)",
                            IntTexts(ids), domain::TrashStateName(expected), ws);
  if (n > 0) MoveTrashGeneration(db_, ws);
  return n;
}

std::vector<TrashItem> Trash::Expired(TimeMs now, int limit) {
  return All<TrashItem>(
      db_.Query(TRASH_SELECT_ROW "WHERE t.state = 'in_trash' AND t.cleanup_at <= ? ORDER BY t.cleanup_at, t.id LIMIT ?",
                now, limit),
      ReadTrash);
}

std::optional<TrashItem> Trash::NextPurging() {
  return One<TrashItem>(db_.Query(TRASH_SELECT_ROW "WHERE t.state = 'purging' ORDER BY t.cleanup_at, t.id LIMIT 1"),
                        ReadTrash);
}

std::vector<std::int64_t> Trash::TrainingItemsOf(const std::string& project_id, std::optional<int> version_number) {
  if (!version_number) {
    return Ints(db_.Query("SELECT id FROM trash_items WHERE parent_project_id = ? AND type = 'training' ORDER BY id",
                          project_id));
  }
  return Ints(
      db_.Query("SELECT id FROM trash_items WHERE parent_project_id = ? AND version_number = ? AND type = 'training' "
                "ORDER BY id",
                project_id, *version_number));
}

std::vector<std::int64_t> Trash::VersionItemsOfProject(const std::string& project_id) {
  return Ints(
      db_.Query("SELECT id FROM trash_items WHERE parent_project_id = ? AND type = 'version' ORDER BY id", project_id));
}

}  // namespace limbo::storage::sql
