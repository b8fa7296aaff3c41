#include "storage/sql/workspaces.h"

namespace limbo::storage::sql {

using domain::ItemType;
using domain::ReclaimableState;
using domain::Usage;
using domain::Workspace;

namespace {

#define WORKSPACE_SELECT "SELECT id, url, name, retention_days, storage_quota_bytes, created_at FROM workspaces "

Workspace ReadWorkspace(const Rows& r) {
  return Workspace{r.Int(0), r.Text(1), r.Text(2), static_cast<int>(r.Int(3)), r.Int(4), r.Int(5)};
}

// One constant statement per counter column (a column name is never a parameter).
const char* TrashCounterUpdate(ItemType t) {
  switch (t) {
    case ItemType::kProject:
      return "UPDATE workspaces SET trash_projects = trash_projects + ?, trash_bytes = trash_bytes + ? WHERE id = ?";
    case ItemType::kVersion:
      return "UPDATE workspaces SET trash_versions = trash_versions + ?, trash_bytes = trash_bytes + ? WHERE id = ?";
    case ItemType::kWorkflow:
      return "UPDATE workspaces SET trash_workflows = trash_workflows + ?, trash_bytes = trash_bytes + ? WHERE id = ?";
    case ItemType::kTraining:
      return "UPDATE workspaces SET trash_trainings = trash_trainings + ?, trash_bytes = trash_bytes + ? WHERE id = ?";
  }
  return "";
}

}  // namespace

std::optional<Workspace> Workspaces::ByUrl(const std::string& url) {
  return One<Workspace>(db_.Query(WORKSPACE_SELECT "WHERE url = ?", url), ReadWorkspace);
}

std::optional<Workspace> Workspaces::ById(std::int64_t id) {
  return One<Workspace>(db_.Query(WORKSPACE_SELECT "WHERE id = ?", id), ReadWorkspace);
}

std::int64_t Workspaces::Insert(const Workspace& ws) {
  return db_.Insert(
      "INSERT INTO workspaces(url, name, retention_days, storage_quota_bytes, created_at) "
      "VALUES (?, ?, ?, ?, ?)",
      ws.url, ws.name, ws.retention_days, ws.storage_quota_bytes, ws.created_at);
}

void Workspaces::Update(const Workspace& ws) {
  db_.Exec("UPDATE workspaces SET name = ?, retention_days = ?, storage_quota_bytes = ? WHERE id = ?", ws.name,
           ws.retention_days, ws.storage_quota_bytes, ws.id);
}

Usage ReadUsage(const Rows& r, int first) {
  Usage u;
  u.storage_bytes = r.Int(first);
  u.image_count = r.Int(first + 1);
  u.trash_projects = r.Int(first + 2);
  u.trash_versions = r.Int(first + 3);
  u.trash_workflows = r.Int(first + 4);
  u.trash_trainings = r.Int(first + 5);
  u.trash_items = u.trash_projects + u.trash_versions + u.trash_workflows + u.trash_trainings;
  return u;
}

Usage Workspaces::GetUsage(std::int64_t ws) {
  auto r = db_.Query(
      "SELECT storage_bytes, image_count, trash_projects, trash_versions, trash_workflows, trash_trainings "
      "FROM workspaces WHERE id = ?",
      ws);
  return r.Next() ? ReadUsage(r, 0) : Usage{};
}

std::int64_t Workspaces::TrashGeneration(std::int64_t ws) {
  return Scalar(db_.Query("SELECT generation FROM trash_generations WHERE workspace_id = ?", ws));
}

void Workspaces::AddStorage(std::int64_t ws, std::int64_t bytes, std::int64_t images) {
  db_.Exec("UPDATE workspaces SET storage_bytes = storage_bytes + ?, image_count = image_count + ? WHERE id = ?", bytes,
           images, ws);
}

void Workspaces::AddTrashCount(std::int64_t ws, ItemType type, int delta, std::int64_t bytes) {
  db_.Exec(TrashCounterUpdate(type), delta, bytes, ws);
}

std::int64_t Workspaces::TrashBytes(std::int64_t ws) {
  return Scalar(db_.Query("SELECT trash_bytes FROM workspaces WHERE id = ?", ws));
}

std::int64_t Workspaces::ReclaimableBytes(std::int64_t ws) {
  // cleanup_delete_images is compared with a bound true (a boolean on one database, 1 on the other).
  // Model files of runs in the Trash, or of a project or version in it, go with them (T16).
  return Scalar(db_.Query(R"sql(
    WITH doomed(pid) AS (
      SELECT object_id FROM trash_items WHERE workspace_id = ? AND type = 'project' AND cleanup_delete_images = ?),
    candidates(image_id) AS (
      SELECT pi.image_id FROM doomed d JOIN project_images pi ON pi.project_id = d.pid
      UNION
      SELECT vi.image_id FROM doomed d JOIN versions v ON v.project_id = d.pid
        JOIN version_images vi ON vi.version_id = v.id)
    SELECT CAST(COALESCE(SUM(i.size_bytes), 0) AS BIGINT) +
      (SELECT CAST(COALESCE(SUM(j.model_bytes), 0) AS BIGINT) FROM jobs j
        WHERE j.workspace_id = ? AND (j.trash_item_id IS NOT NULL
          OR EXISTS (SELECT 1 FROM projects p WHERE p.id = j.project_id AND p.trash_item_id IS NOT NULL)
          OR EXISTS (SELECT 1 FROM versions v WHERE v.id = j.version_id AND v.trash_item_id IS NOT NULL)))
    FROM candidates c JOIN images i ON i.id = c.image_id
    WHERE NOT EXISTS (SELECT 1 FROM project_images pi2 WHERE pi2.image_id = c.image_id
                        AND pi2.project_id NOT IN (SELECT pid FROM doomed))
      AND NOT EXISTS (SELECT 1 FROM version_images vi2 JOIN versions v2 ON v2.id = vi2.version_id
                        WHERE vi2.image_id = c.image_id AND v2.project_id NOT IN (SELECT pid FROM doomed))
  )sql",
                          ws, true, ws));
}

ReclaimableState Workspaces::GetReclaimable(std::int64_t ws) {
  auto r =
      db_.Query("SELECT reclaimable_bytes, reclaimable_gen, reclaimable_computed_gen FROM workspaces WHERE id = ?", ws);
  if (!r.Next()) return ReclaimableState{};
  return ReclaimableState{r.Int(0), r.Int(1), r.Int(2)};
}

void Workspaces::TouchReclaimable(std::int64_t ws) {
  db_.Exec("UPDATE workspaces SET reclaimable_gen = reclaimable_gen + 1 WHERE id = ?", ws);
}

void Workspaces::StoreReclaimable(std::int64_t ws, std::int64_t bytes, std::int64_t gen) {
  db_.Exec(
      "UPDATE workspaces SET reclaimable_bytes = ?, reclaimable_computed_gen = ? "
      "WHERE id = ? AND reclaimable_gen = ?",
      bytes, gen, ws, gen);
}

std::vector<std::int64_t> Workspaces::StaleReclaimable(int limit) {
  return Ints(db_.Query(
      "SELECT id FROM workspaces WHERE reclaimable_gen <> reclaimable_computed_gen ORDER BY id LIMIT ?", limit));
}

}  // namespace limbo::storage::sql
