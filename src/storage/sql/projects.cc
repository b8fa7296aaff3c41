#include "storage/sql/projects.h"

namespace limbo::storage::sql {

using domain::Project;
using domain::TimeMs;

namespace {

#define PROJECT_SELECT                                                                                   \
  "SELECT p.id, p.workspace_id, p.url, p.name, p.type, p.annotation, p.group_id, COALESCE(g.name, ''), " \
  "p.image_count, p.image_bytes, "                                                                       \
  "(SELECT COUNT(*) FROM versions v WHERE v.project_id = p.id AND v.trash_item_id IS NULL), "            \
  "p.created_at, p.updated_at, p.created_by, p.trash_item_id "                                           \
  "FROM projects p LEFT JOIN groups g ON g.id = p.group_id "

Project ReadProject(const Rows& r) {
  Project p;
  p.id = r.Text(0);
  p.workspace_id = r.Int(1);
  p.url = r.Text(2);
  p.name = r.Text(3);
  p.type = r.Text(4);
  p.annotation = r.Text(5);
  p.group_id = r.OptText(6);
  p.group_name = r.Text(7);
  p.image_count = r.Int(8);
  p.image_bytes = r.Int(9);
  p.version_count = r.Int(10);
  p.created_at = r.Int(11);
  p.updated_at = r.Int(12);
  p.created_by = r.Text(13);
  p.trash_item_id = r.OptInt(14);
  return p;
}

}  // namespace

std::vector<Project> Projects::Active(std::int64_t ws) {
  return All<Project>(
      db_.Query(PROJECT_SELECT "WHERE p.workspace_id = ? AND p.trash_item_id IS NULL ORDER BY p.name, p.id", ws),
      ReadProject);
}

std::optional<Project> Projects::ByUrl(std::int64_t ws, const std::string& url) {
  // Active first (false sorts before true on both databases), then the most recently trashed.
  return One<Project>(db_.Query(PROJECT_SELECT "WHERE p.workspace_id = ? AND p.url = ? "
                                               "ORDER BY p.trash_item_id IS NOT NULL, p.trash_item_id DESC LIMIT 1",
                                ws, url),
                      ReadProject);
}

std::optional<Project> Projects::ActiveByUrl(std::int64_t ws, const std::string& url) {
  return One<Project>(
      db_.Query(PROJECT_SELECT "WHERE p.workspace_id = ? AND p.url = ? AND p.trash_item_id IS NULL", ws, url),
      ReadProject);
}

std::optional<Project> Projects::ById(const std::string& id) {
  return One<Project>(db_.Query(PROJECT_SELECT "WHERE p.id = ?", id), ReadProject);
}

bool Projects::ActiveUrlTaken(std::int64_t ws, const std::string& url) {
  return Exists(
      db_.Query("SELECT 1 FROM projects WHERE workspace_id = ? AND url = ? AND trash_item_id IS NULL", ws, url));
}

std::vector<std::string> Projects::ActiveUrlsAmong(std::int64_t ws, const std::vector<std::string>& urls) {
  if (urls.empty()) return {};
  // The list first (a CROSS JOIN is SQLite's join order), each url searched in the active urls' index.
  return Texts(
      db_.Query("SELECT p.url FROM (SELECT value AS url FROM list(?)) l CROSS JOIN projects p "
                "WHERE p.workspace_id = ? AND p.url = l.url AND p.trash_item_id IS NULL",
                urls, ws));
}

std::vector<std::string> Projects::ActiveAmong(const std::vector<std::string>& ids) {
  if (ids.empty()) return {};
  return Texts(
      db_.Query("SELECT id FROM projects WHERE trash_item_id IS NULL AND id IN (SELECT value FROM list(?))", ids));
}

void Projects::Insert(const Project& p) {
  db_.Exec(
      "INSERT INTO projects(id, workspace_id, url, name, type, annotation, group_id, created_at, updated_at, "
      "created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
      p.id, p.workspace_id, p.url, p.name, p.type, p.annotation, p.group_id, p.created_at, p.updated_at, p.created_by);
}

void Projects::SetTrash(const std::string& id, std::optional<std::int64_t> trash_item_id) {
  db_.Exec("UPDATE projects SET trash_item_id = ? WHERE id = ?", trash_item_id, id);
}

void Projects::ClearTrash(const std::vector<std::string>& ids) {
  if (ids.empty()) return;
  db_.Exec("UPDATE projects SET trash_item_id = NULL WHERE id IN (SELECT value FROM list(?))", ids);
}

void Projects::SetUrl(const std::string& id, const std::string& url, TimeMs at) {
  db_.Exec("UPDATE projects SET url = ?, updated_at = ? WHERE id = ?", url, at, id);
}

void Projects::SetGroup(const std::string& id, const std::optional<std::string>& group_id) {
  db_.Exec("UPDATE projects SET group_id = ? WHERE id = ?", group_id, id);
}

int Projects::TakeVersionNumber(const std::string& project_id) {
  return static_cast<int>(Scalar(db_.Query(
      "UPDATE projects SET next_version = next_version + 1 WHERE id = ? RETURNING next_version - 1", project_id)));
}

void Projects::Delete(const std::string& project_id) {
  db_.Exec("DELETE FROM project_images WHERE project_id = ?", project_id);
  db_.Exec("DELETE FROM projects WHERE id = ?", project_id);
}

}  // namespace limbo::storage::sql
