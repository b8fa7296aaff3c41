#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "domain/entities.h"

namespace limbo::domain {

// The stored figures. `held` is the last recount plus every exact change since; it is exact while
// fresh(). A change whose effect is not known without a scan (trashing or restoring a project or
// a version) bumps `generation` instead, and the figures are stale until the recount.
struct ReclaimableState {
  TrashHeld held;
  std::int64_t generation = 0;            // bumped by every change the figures do not follow exactly
  std::int64_t computed_generation = -1;  // the generation of the last recount
  bool fresh() const { return generation == computed_generation; }
};

// What GET /:ws/usage reads: the counters, the quota and the stored figures, from one row.
struct StoredFigures {
  Usage usage;
  std::int64_t storage_quota_bytes = 0;
  ReclaimableState reclaimable;
};

// What /metrics reports about one workspace's Trash: its maintained counters, the stored
// reclaimable bytes, and the earliest cleanup time (the first entry of an index range).
struct WorkspaceTrashFigures {
  std::int64_t id = 0;
  std::string url;
  std::int64_t items[kItemTypeCount] = {0, 0, 0, 0};  // by ItemType, purging ones included
  std::int64_t storage_bytes = 0;                     // the row's total; with Gauges' figures: the usage report's
  std::int64_t image_count = 0;                       // the row's counter
  std::int64_t bytes = 0;                             // the items' sizes; with Gauges' figures: held only by the Trash
  std::int64_t trash_only_bytes = 0;                  // the stored figure (ReclaimableState::held)
  std::int64_t reclaimable_bytes = 0;                 // as last computed
  bool reclaimable_fresh = false;                     // nothing changed since it was computed
  std::optional<TimeMs> oldest_cleanup_at;            // the earliest scheduledCleanupAt of the items still in the Trash
  std::int64_t purging = 0;                           // items the cleanup worker has still to delete, at most the cap
  std::int64_t trash_item_count() const { return items[0] + items[1] + items[2] + items[3]; }
};

// Figures that are only available by counting index entries are counted up to this many, so that a
// scrape reads a bounded range whatever the Trash or the blob queue holds.
inline constexpr int kFigureCountCap = 10000;

// Workspaces and the counters kept on their rows (usage is a row read, never a scan).
class WorkspaceRows {
 public:
  virtual ~WorkspaceRows() = default;

  virtual std::optional<Workspace> ByUrl(const std::string& url) = 0;
  virtual std::optional<Workspace> ById(std::int64_t id) = 0;
  virtual std::int64_t Insert(const Workspace& ws) = 0;
  virtual void Update(const Workspace& ws) = 0;

  virtual Usage GetUsage(std::int64_t ws) = 0;
  // GetUsage, the quota and GetReclaimable in one statement; nullopt: no such workspace.
  virtual std::optional<StoredFigures> Figures(std::int64_t ws) = 0;
  // Moves (by database triggers) with every change to what the workspace's Trash listing shows:
  // its Trash rows and the names, urls and Trash state of what surrounds them (trash_generations).
  // 0: none stored (nothing may be cached).
  virtual std::int64_t TrashGeneration(std::int64_t ws) = 0;
  virtual void AddStorage(std::int64_t ws, std::int64_t bytes, std::int64_t images) = 0;
  virtual void AddTrashCount(std::int64_t ws, ItemType type, int delta, std::int64_t bytes) = 0;
  virtual std::int64_t TrashBytes(std::int64_t ws) = 0;

  // The recount, a scan of what the Trash's items link: the bytes held only by them (images and model
  // files), and what removing every item now in the Trash would free (T12 rules; the model files of
  // the runs that would go, T16).
  virtual TrashHeld RecountTrashHeld(std::int64_t ws) = 0;
  // The same recount, in two statements, for every workspace whose stored figures are stale, that
  // has items in its Trash and at most `max_images` images (what a usage read recounts itself); a
  // workspace with nothing linked is left out (its figures are 0).
  virtual std::vector<std::pair<std::int64_t, TrashHeld>> RecountStaleTrashHeld(std::int64_t max_images) = 0;
  // The stored figures and whether anything changed since the last recount (generation counters).
  virtual ReclaimableState GetReclaimable(std::int64_t ws) = 0;
  // A change the stored figures do not follow exactly happened (trashing or restoring a project or a
  // version): they are stale until the next recount.
  virtual void TouchReclaimable(std::int64_t ws) = 0;
  // An exact change of the figures, in the transaction of the rows that changed.
  virtual void AddTrashHeld(std::int64_t ws, const TrashHeld& delta) = 0;
  // Stores a recount made on the snapshot where the stored figures were `seen`: the figures become
  // `recount` plus the exact changes made since `seen` was read. Ignored if the generation moved on,
  // or if another recount was stored since `seen` was read (its computed generation moved): that one
  // already replaced the figures `seen` held, and adding this one's correction again would count
  // the inexact changes twice.
  virtual void StoreReclaimable(std::int64_t ws, const TrashHeld& recount, const ReclaimableState& seen) = 0;
  virtual std::vector<std::int64_t> StaleReclaimable(int limit) = 0;

  // Every workspace's Trash figures, by url, in one statement (/metrics), with its items in
  // `purging` counted up to `purging_cap` (an index range of at most that many entries each).
  virtual std::vector<WorkspaceTrashFigures> TrashFigures(int purging_cap) = 0;
};

}  // namespace limbo::domain
