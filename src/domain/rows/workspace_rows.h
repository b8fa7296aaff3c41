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

// Workspaces and the counters kept on their rows (usage is a row read, never a scan).
class WorkspaceRows {
 public:
  virtual ~WorkspaceRows() = default;

  virtual std::optional<Workspace> ByUrl(const std::string& url) = 0;
  virtual std::optional<Workspace> ById(std::int64_t id) = 0;
  virtual std::int64_t Insert(const Workspace& ws) = 0;
  virtual void Update(const Workspace& ws) = 0;

  virtual Usage GetUsage(std::int64_t ws) = 0;
  // Moves (by database triggers) with every change to what the workspace's Trash listing shows:
  // its Trash rows and the names, urls and Trash state of what surrounds them (trash_generations).
  // 0: none stored (nothing may be cached).
  virtual std::int64_t TrashGeneration(std::int64_t ws) = 0;
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
};

}  // namespace limbo::domain
