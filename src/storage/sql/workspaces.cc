#include "storage/sql/workspaces.h"

#include <map>

#include "storage/sql/trash_held.h"

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

std::optional<domain::StoredFigures> Workspaces::Figures(std::int64_t ws) {
  auto r = db_.Query(
      "SELECT storage_bytes, image_count, trash_projects, trash_versions, trash_workflows, trash_trainings, "
      "storage_quota_bytes, trash_only_bytes, reclaimable_bytes, reclaimable_gen, reclaimable_computed_gen "
      "FROM workspaces WHERE id = ?",
      ws);
  if (!r.Next()) return std::nullopt;
  domain::StoredFigures f;
  f.usage = ReadUsage(r, 0);
  f.storage_quota_bytes = r.Int(6);
  f.reclaimable = ReclaimableState{domain::TrashHeld{r.Int(7), r.Int(8)}, r.Int(9), r.Int(10)};
  return f;
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

// What the Trash's items link in the workspaces that `WS` (a condition on p.workspace_id) selects:
// one row per workspace and image, the image's row as `i`.
#define LIMBO_TRASH_LINKED(WS)                                                                               \
  "FROM (SELECT p.workspace_id, pi.image_id FROM projects p JOIN project_images pi ON pi.project_id = p.id " \
  "        WHERE p.workspace_id " WS                                                                         \
  " AND p.trash_item_id IS NOT NULL "                                                                        \
  "      UNION "                                                                                             \
  "      SELECT p.workspace_id, vi.image_id FROM projects p JOIN versions v ON v.project_id = p.id "         \
  "        JOIN version_images vi ON vi.version_id = v.id "                                                  \
  "        WHERE p.workspace_id " WS                                                                         \
  " AND (p.trash_item_id IS NOT NULL OR v.trash_item_id IS NOT NULL)) c "                                    \
  "JOIN images i ON i.id = c.image_id "

// Model files of runs in the Trash, or of a project or version in it: held only by the Trash, and
// Empty Trash removes them all (T16). The sum over `jobs j` in the workspaces `WS` selects.
#define LIMBO_TRASHED_MODELS(WS)                                                                        \
  "CAST(COALESCE(SUM(j.model_bytes), 0) AS BIGINT) FROM jobs j "                                        \
  "  WHERE j.workspace_id " WS                                                                          \
  " AND (j.trash_item_id IS NOT NULL "                                                                  \
  "    OR EXISTS (SELECT 1 FROM projects p WHERE p.id = j.project_id AND p.trash_item_id IS NOT NULL) " \
  "    OR EXISTS (SELECT 1 FROM versions v WHERE v.id = j.version_id AND v.trash_item_id IS NOT NULL)) "

domain::TrashHeld Workspaces::RecountTrashHeld(std::int64_t ws) {
  // The images some trashed item links (each once), classified by the figures' rules.
  auto images = db_.Query(LIMBO_TRASH_HELD_SUMS LIMBO_TRASH_LINKED("= ?"), true, true, true, true, ws, ws);
  domain::TrashHeld held;
  if (images.Next()) held = domain::TrashHeld{images.Int(0), images.Int(1)};
  std::int64_t models = Scalar(db_.Query("SELECT " LIMBO_TRASHED_MODELS("= ?"), ws));
  held.trash_only += models;
  held.reclaimable += models;
  return held;
}

// The workspaces a usage read would recount (ContentService::Figures): stale, with items in the Trash
// and few enough images.
#define LIMBO_STALE_SMALL                                                                           \
  "WITH stale(id) AS (SELECT id FROM workspaces WHERE reclaimable_gen <> reclaimable_computed_gen " \
  "  AND image_count <= ? AND trash_projects + trash_versions + trash_workflows + trash_trainings > 0) "

std::vector<std::pair<std::int64_t, domain::TrashHeld>> Workspaces::RecountStaleTrashHeld(std::int64_t max_images) {
  std::map<std::int64_t, domain::TrashHeld> held;
  auto images = db_.Query(LIMBO_STALE_SMALL LIMBO_TRASH_HELD_SUMS
                          ", c.workspace_id " LIMBO_TRASH_LINKED("IN (SELECT id FROM stale)") "GROUP BY c.workspace_id",
                          max_images, true, true, true, true);
  while (images.Next()) held[images.Int(2)] = domain::TrashHeld{images.Int(0), images.Int(1)};
  auto models = db_.Query(
      LIMBO_STALE_SMALL "SELECT j.workspace_id, " LIMBO_TRASHED_MODELS("IN (SELECT id FROM stale)") "GROUP BY "
                                                                                                   "j.workspace_id",
      max_images);
  while (models.Next()) {
    domain::TrashHeld& h = held[models.Int(0)];
    h.trash_only += models.Int(1);
    h.reclaimable += models.Int(1);
  }
  return {held.begin(), held.end()};
}

ReclaimableState Workspaces::GetReclaimable(std::int64_t ws) {
  auto r = db_.Query(
      "SELECT trash_only_bytes, reclaimable_bytes, reclaimable_gen, reclaimable_computed_gen FROM workspaces "
      "WHERE id = ?",
      ws);
  if (!r.Next()) return ReclaimableState{};
  return ReclaimableState{domain::TrashHeld{r.Int(0), r.Int(1)}, r.Int(2), r.Int(3)};
}

void Workspaces::TouchReclaimable(std::int64_t ws) {
  db_.Exec("UPDATE workspaces SET reclaimable_gen = reclaimable_gen + 1 WHERE id = ?", ws);
}

void Workspaces::AddTrashHeld(std::int64_t ws, const domain::TrashHeld& delta) {
  if (delta.trash_only == 0 && delta.reclaimable == 0) return;
  db_.Exec(
      "UPDATE workspaces SET trash_only_bytes = trash_only_bytes + ?, reclaimable_bytes = reclaimable_bytes + ? "
      "WHERE id = ?",
      delta.trash_only, delta.reclaimable, ws);
}

void Workspaces::StoreReclaimable(std::int64_t ws, const domain::TrashHeld& recount,
                                  const domain::ReclaimableState& seen) {
  // The exact changes committed since `seen` was read are kept: figure = recount + (now - seen).
  // That holds only while the counters are still the ones `seen` was read from plus exact changes:
  // a recount stored meanwhile (by another server, on another snapshot) moved the computed
  // generation, and this one is then left out rather than correcting the figures a second time.
  db_.Exec(
      "UPDATE workspaces SET trash_only_bytes = ? + (trash_only_bytes - ?), "
      "reclaimable_bytes = ? + (reclaimable_bytes - ?), reclaimable_computed_gen = ? "
      "WHERE id = ? AND reclaimable_gen = ? AND reclaimable_computed_gen = ?",
      recount.trash_only, seen.held.trash_only, recount.reclaimable, seen.held.reclaimable, seen.generation, ws,
      seen.generation, seen.computed_generation);
}

std::vector<std::int64_t> Workspaces::StaleReclaimable(int limit) {
  return Ints(db_.Query(
      "SELECT id FROM workspaces WHERE reclaimable_gen <> reclaimable_computed_gen ORDER BY id LIMIT ?", limit));
}

// The row's counters, and per workspace two bounded index ranges: the MIN of trash_by_cleanup's
// (workspace_id, 'in_trash') range is its first entry, and its (workspace_id, 'purging') range is
// counted up to the cap.
std::vector<domain::WorkspaceTrashFigures> Workspaces::TrashFigures(int purging_cap) {
  return All<domain::WorkspaceTrashFigures>(
      db_.Query("SELECT w.id, w.url, w.trash_projects, w.trash_versions, w.trash_workflows, w.trash_trainings, "
                "w.trash_bytes, w.reclaimable_bytes, w.reclaimable_gen, w.reclaimable_computed_gen, "
                "(SELECT MIN(t.cleanup_at) FROM trash_items t WHERE t.workspace_id = w.id AND t.state = 'in_trash'), "
                "(SELECT COUNT(*) FROM (SELECT 1 FROM trash_items t WHERE t.workspace_id = w.id "
                "  AND t.state = 'purging' LIMIT ?) p), "
                "w.storage_bytes, w.image_count, w.trash_only_bytes "
                "FROM workspaces w ORDER BY w.url",
                purging_cap),
      [](const Rows& r) {
        domain::WorkspaceTrashFigures f;
        f.id = r.Int(0);
        f.url = r.Text(1);
        for (int i = 0; i < domain::kItemTypeCount; ++i) f.items[i] = r.Int(2 + i);
        f.bytes = r.Int(6);
        f.reclaimable_bytes = r.Int(7);
        f.reclaimable_fresh = r.Int(8) == r.Int(9);
        f.oldest_cleanup_at = r.OptInt(10);
        f.purging = r.Int(11);
        f.storage_bytes = r.Int(12);
        f.image_count = r.Int(13);
        f.trash_only_bytes = r.Int(14);
        return f;
      });
}

}  // namespace limbo::storage::sql
