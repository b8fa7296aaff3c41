#include "storage/sql/workflows.h"

namespace limbo::storage::sql {

using domain::Workflow;

namespace {

#define WORKFLOW_SELECT \
  "SELECT id, workspace_id, url, name, config, created_at, created_by, trash_item_id FROM workflows "

Workflow ReadWorkflow(const Rows& r) {
  return Workflow{r.Text(0), r.Int(1), r.Text(2), r.Text(3), r.Text(4), r.Int(5), r.Text(6), r.OptInt(7)};
}

}  // namespace

std::vector<Workflow> Workflows::Active(std::int64_t ws) {
  return All<Workflow>(
      db_.Query(WORKFLOW_SELECT "WHERE workspace_id = ? AND trash_item_id IS NULL ORDER BY name, id", ws),
      ReadWorkflow);
}

std::optional<Workflow> Workflows::ByUrl(std::int64_t ws, const std::string& url) {
  // Active first (false sorts before true on both databases), then the most recently trashed.
  return One<Workflow>(db_.Query(WORKFLOW_SELECT "WHERE workspace_id = ? AND url = ? "
                                                 "ORDER BY trash_item_id IS NOT NULL, trash_item_id DESC LIMIT 1",
                                 ws, url),
                       ReadWorkflow);
}

std::optional<Workflow> Workflows::ById(const std::string& id) {
  return One<Workflow>(db_.Query(WORKFLOW_SELECT "WHERE id = ?", id), ReadWorkflow);
}

bool Workflows::ActiveUrlTaken(std::int64_t ws, const std::string& url) {
  return Exists(
      db_.Query("SELECT 1 FROM workflows WHERE workspace_id = ? AND url = ? AND trash_item_id IS NULL", ws, url));
}

std::vector<std::string> Workflows::ActiveUrlsAmong(std::int64_t ws, const std::vector<std::string>& urls) {
  if (urls.empty()) return {};
  // The list first (a CROSS JOIN is SQLite's join order), each url searched in the active urls' index.
  return Texts(
      db_.Query("SELECT w.url FROM (SELECT value AS url FROM list(?)) l CROSS JOIN workflows w "
                "WHERE w.workspace_id = ? AND w.url = l.url AND w.trash_item_id IS NULL",
                urls, ws));
}

void Workflows::Insert(const Workflow& w) {
  db_.Exec(
      "INSERT INTO workflows(id, workspace_id, url, name, config, created_at, created_by) "
      "VALUES (?, ?, ?, ?, ?, ?, ?)",
      w.id, w.workspace_id, w.url, w.name, w.config_json, w.created_at, w.created_by);
}

void Workflows::SetTrash(const std::string& id, std::optional<std::int64_t> trash_item_id) {
  db_.Exec("UPDATE workflows SET trash_item_id = ? WHERE id = ?", trash_item_id, id);
}

void Workflows::ClearTrash(const std::vector<std::string>& ids) {
  if (ids.empty()) return;
  db_.Exec("UPDATE workflows SET trash_item_id = NULL WHERE id IN (SELECT value FROM list(?))", ids);
}

void Workflows::SetUrl(const std::string& id, const std::string& url) {
  db_.Exec("UPDATE workflows SET url = ? WHERE id = ?", url, id);
}

void Workflows::Delete(const std::string& workflow_id) { db_.Exec("DELETE FROM workflows WHERE id = ?", workflow_id); }

}  // namespace limbo::storage::sql
