#include "storage/sql/groups.h"

#include "storage/sql/trash.h"

namespace limbo::storage::sql {

using domain::Group;
using domain::TimeMs;

namespace {

#define GROUP_SELECT                                                               \
  "SELECT g.id, g.name, (SELECT COUNT(*) FROM projects p WHERE p.group_id = g.id " \
  "AND p.trash_item_id IS NULL) FROM groups g "

Group ReadGroup(const Rows& r) { return Group{r.Text(0), r.Text(1), r.Int(2)}; }

}  // namespace

std::vector<Group> Groups::List(std::int64_t ws) {
  return All<Group>(db_.Query(GROUP_SELECT "WHERE g.workspace_id = ? ORDER BY g.name", ws), ReadGroup);
}

std::optional<Group> Groups::ById(std::int64_t ws, const std::string& id) {
  return One<Group>(db_.Query(GROUP_SELECT "WHERE g.workspace_id = ? AND g.id = ?", ws, id), ReadGroup);
}

void Groups::Insert(std::int64_t ws, const Group& g, TimeMs at) {
  db_.Exec("INSERT INTO groups(id, workspace_id, name, created_at) VALUES (?, ?, ?, ?)", g.id, ws, g.name, at);
}

void Groups::Rename(std::int64_t ws, const std::string& id, const std::string& name) {
  db_.Exec("UPDATE groups SET name = ? WHERE workspace_id = ? AND id = ?", name, ws, id);
}

void Groups::Delete(std::int64_t ws, const std::string& id) {
  db_.Exec("UPDATE projects SET group_id = NULL WHERE group_id = ?", id);
  if (db_.Exec("UPDATE trash_items SET group_id = NULL WHERE group_id = ?", id) > 0) MoveTrashGeneration(db_, ws);
  db_.Exec("DELETE FROM groups WHERE workspace_id = ? AND id = ?", ws, id);
}

}  // namespace limbo::storage::sql
