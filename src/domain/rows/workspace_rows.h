#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "domain/entities.h"

namespace limbo::domain {

struct ReclaimableState {
  std::int64_t bytes = 0;
  std::int64_t generation = 0;            // bumped by every change that can move the figure
  std::int64_t computed_generation = -1;  // the generation `bytes` was computed at
  bool fresh() const { return generation == computed_generation; }
};

// What /metrics reports about one workspace's Trash: its maintained counters, the stored
// reclaimable bytes, and the earliest cleanup time (the first entry of an index range).
struct WorkspaceTrashFigures {
  std::int64_t id = 0;
  std::string url;
  std::int64_t items[kItemTypeCount] = {0, 0, 0, 0};  // by ItemType, purging ones included
  std::int64_t bytes = 0;
  std::int64_t reclaimable_bytes = 0;       // as last computed
  bool reclaimable_fresh = false;           // nothing changed since it was computed
  std::optional<TimeMs> oldest_cleanup_at;  // the earliest scheduledCleanupAt of the items still in the Trash
  std::int64_t purging = 0;                 // items the cleanup worker has still to delete, at most the cap
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
  virtual void AddStorage(std::int64_t ws, std::int64_t bytes, std::int64_t images) = 0;
  virtual void AddTrashCount(std::int64_t ws, ItemType type, int delta, std::int64_t bytes) = 0;
  virtual std::int64_t TrashBytes(std::int64_t ws) = 0;

  // Bytes the workspace would free if every item now in its Trash were removed (T12 rules; model
  // files of the runs that would go, T16): a scan.
  virtual std::int64_t ReclaimableBytes(std::int64_t ws) = 0;
  // The stored result of that scan and whether anything changed since (generation counters).
  virtual ReclaimableState GetReclaimable(std::int64_t ws) = 0;
  // Something that can change reclaimable bytes happened (trash, restore, purge, new links).
  virtual void TouchReclaimable(std::int64_t ws) = 0;
  // Stores a result computed at generation `gen`; ignored if the generation moved on meanwhile.
  virtual void StoreReclaimable(std::int64_t ws, std::int64_t bytes, std::int64_t gen) = 0;
  virtual std::vector<std::int64_t> StaleReclaimable(int limit) = 0;

  // Every workspace's Trash figures, by url, in one statement (/metrics); `purging` is left 0.
  virtual std::vector<WorkspaceTrashFigures> TrashFigures() = 0;
  // The workspace's items in `purging`, counted up to `cap` (an index range of at most `cap` entries).
  virtual std::int64_t PurgingCount(std::int64_t ws, int cap) = 0;
};

}  // namespace limbo::domain
