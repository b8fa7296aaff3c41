#pragma once

#include <string>
#include <vector>

#include "core/clock.h"
#include "core/result.h"
#include "domain/blob_store.h"
#include "domain/model_artifacts.h"
#include "domain/store.h"

namespace limbo::domain {

struct FsckReport {
  std::vector<std::string> missing_files;    // referenced by rows, absent on disk: data loss
  std::vector<std::string> orphaned_files;   // on disk, no row, not queued for collection
  std::vector<std::string> orphaned_models;  // model files whose job row is gone (a crash after a purge)
  std::vector<std::string> wrong_refcounts;  // blobs.refs differs from the image rows
  std::vector<std::int64_t> wrong_usage;     // workspaces whose counters differ from a recount
  // Workspaces whose storage figures (bytes held only by the Trash, reclaimable bytes) claim to be
  // exact and differ from a recount (docs/TRASH.md, "Storage figures").
  std::vector<std::int64_t> wrong_figures;
  int stale_figures = 0;  // workspaces whose figures await their recount (fine)
  int queued_files = 0;   // waiting on the collection queue (fine)
  int repaired = 0;

  bool clean() const {
    return missing_files.empty() && orphaned_files.empty() && orphaned_models.empty() && wrong_refcounts.empty() &&
           wrong_usage.empty() && wrong_figures.empty();
  }
};

// Compares database rows with blob files (T13) and counters with recounts. With `repair`, removes
// orphaned files and rewrites reference counts, usage counters and storage figures (the stale ones
// too); missing files cannot be repaired.
// With `models`, also model files whose job is gone (and removes them with `repair`, unless a backup
// holds at `system_now`, the system's real time: domain/backup_hold.h; 0 counts every hold row).
core::Result<FsckReport> CheckConsistency(Store& store, BlobStore& blobs, bool repair, ModelArtifacts* models = nullptr,
                                          TimeMs system_now = 0);

// Removes the model files whose job row is gone (a crash between a purge's commit and the unlink of
// its model file, T16); `limbod serve` runs it at start. Removes nothing while a backup holds at
// `system_now` (domain/backup_hold.h; 0 counts every hold row). Returns how many it removed.
core::Result<int> RemoveOrphanedModels(Store& store, ModelArtifacts& models, TimeMs system_now = 0);

}  // namespace limbo::domain
