#include "domain/fsck.h"

#include <map>
#include <set>

#include "domain/backup_hold.h"

namespace limbo::domain {

using core::Ok;
using core::Status;

core::Result<FsckReport> CheckConsistency(Store& store, BlobStore& blobs, bool repair, ModelArtifacts* models,
                                          TimeMs system_now) {
  FsckReport r;
  // Model files are listed before the rows are read: a job's row exists before its file does, so a
  // listed file whose row the read does not find belongs to a job deleted for good (ids are never
  // reused) and nothing can come to reference it again.
  std::vector<std::string> model_files;
  if (models) model_files = models->List();
  std::set<std::string> job_ids;
  std::map<std::string, std::pair<std::int64_t, std::int64_t>> rows;  // sha -> (image rows, size)
  std::map<std::string, std::int64_t> refs;
  std::set<std::string> queued;
  std::vector<std::pair<std::int64_t, Usage>> recount;
  std::map<std::int64_t, Usage> counters;
  bool backup_held = false;
  std::map<std::int64_t, std::pair<ReclaimableState, TrashHeld>> figures;  // stored, recounted
  LIMBO_RETURN_IF_ERROR(store.Read([&](Transaction& tx) -> Status {
    for (auto& [sha, n, size] : tx.fsck().ImageShaCounts()) rows[sha] = {n, size};
    for (auto& [sha, n] : tx.fsck().AllBlobRefs()) refs[sha] = n;
    for (auto& sha : tx.fsck().AllBlobGc()) queued.insert(sha);
    recount = tx.fsck().RecountUsage();
    for (auto& [ws, u] : recount) {
      counters[ws] = tx.workspaces().GetUsage(ws);
      figures[ws] = {tx.workspaces().GetReclaimable(ws), tx.workspaces().RecountTrashHeld(ws)};
    }
    if (models) {
      for (auto& id : tx.jobs().AllIds()) job_ids.insert(std::move(id));
      backup_held = tx.server().AnyLeaseHeld(kBackupLeasePrefix, system_now);
    }
    return Ok();
  }));
  LIMBO_TRY(std::vector<std::string> files, blobs.ListAll());
  std::set<std::string> on_disk(files.begin(), files.end());
  r.queued_files = static_cast<int>(queued.size());

  for (const auto& [sha, info] : rows) {
    if (!on_disk.count(sha)) r.missing_files.push_back(sha);
    auto it = refs.find(sha);
    if (it == refs.end() || it->second != info.first) r.wrong_refcounts.push_back(sha);
  }
  for (const auto& [sha, n] : refs) {
    if (!rows.count(sha)) r.wrong_refcounts.push_back(sha);
  }
  for (const auto& sha : on_disk) {
    if (!rows.count(sha) && !queued.count(sha)) r.orphaned_files.push_back(sha);
  }
  for (const auto& [ws, u] : recount) {
    const Usage& c = counters[ws];
    if (c.storage_bytes != u.storage_bytes || c.image_count != u.image_count || c.trash_projects != u.trash_projects ||
        c.trash_versions != u.trash_versions || c.trash_workflows != u.trash_workflows ||
        c.trash_trainings != u.trash_trainings) {
      r.wrong_usage.push_back(ws);
    }
  }
  for (const auto& [ws, f] : figures) {
    const auto& [stored, counted] = f;
    if (!stored.fresh()) {
      ++r.stale_figures;
    } else if (!(stored.held == counted)) {
      r.wrong_figures.push_back(ws);
    }
  }
  for (const auto& id : model_files) {
    if (!job_ids.count(id)) r.orphaned_models.push_back(id);
  }
  if (!repair) return r;
  // A backup in progress may still need them (domain/backup_hold.h): they are left for a later repair.
  if (!backup_held) {
    for (const auto& id : r.orphaned_models) models->Remove(id);
  }

  LIMBO_RETURN_IF_ERROR(store.Write([&](Transaction& tx) -> Status {
    for (const auto& sha : r.wrong_refcounts) {
      auto it = rows.find(sha);
      tx.fsck().SetBlobRefs(sha, it == rows.end() ? 0 : it->second.first, it == rows.end() ? 0 : it->second.second);
    }
    for (const auto& [ws, u] : recount) {
      for (auto bad : r.wrong_usage) {
        if (bad == ws) tx.fsck().SetUsage(ws, u);
      }
    }
    // The recount replaces the stored figures, keeping exact changes made since it was read; a
    // stale workspace is recounted too (its generation makes it fresh unless it moved meanwhile).
    for (const auto& [ws, f] : figures) {
      const auto& [stored, counted] = f;
      if (!stored.fresh() || !(stored.held == counted)) {
        tx.workspaces().StoreReclaimable(ws, counted, stored);
      }
    }
    // Orphans go through the collection queue, so a concurrent upload of the same bytes is safe.
    for (const auto& sha : r.orphaned_files) tx.blobs().Enqueue(sha, 0);
    return Ok();
  }));
  r.repaired = static_cast<int>(r.wrong_refcounts.size() + r.wrong_usage.size() + r.wrong_figures.size() +
                                r.orphaned_files.size() + r.orphaned_models.size());
  return r;
}

core::Result<int> RemoveOrphanedModels(Store& store, ModelArtifacts& models, TimeMs system_now) {
  // Listed before the rows are read, as in CheckConsistency: a live job's row predates its file.
  std::vector<std::string> files = models.List();
  if (files.empty()) return 0;
  std::set<std::string> job_ids;
  bool backup_held = false;
  LIMBO_RETURN_IF_ERROR(store.Read([&](Transaction& tx) -> Status {
    job_ids.clear();
    for (auto& id : tx.jobs().AllIds()) job_ids.insert(std::move(id));
    // A backup whose snapshot predates a purge may still copy that purge's files. One that starts
    // after this read cannot: the rows are already gone from every later snapshot.
    backup_held = tx.server().AnyLeaseHeld(kBackupLeasePrefix, system_now);
    return Ok();
  }));
  if (backup_held) return 0;
  int removed = 0;
  for (const auto& id : files) {
    if (job_ids.count(id)) continue;
    models.Remove(id);
    ++removed;
  }
  return removed;
}

}  // namespace limbo::domain
