#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "domain/entities.h"

namespace limbo::domain {

// The Trash's rows: one per trashed project, version, workflow or training. Every write here moves
// the workspace's Trash generation (WorkspaceRows::TrashGeneration) in the same transaction, once
// per statement.
class TrashRows {
 public:
  virtual ~TrashRows() = default;

  virtual std::int64_t Insert(const TrashItem& t) = 0;
  virtual std::optional<TrashItem> ById(std::int64_t id) = 0;
  virtual std::optional<TrashItem> ByObject(std::int64_t ws, ItemType type, const std::string& object_id) = 0;
  // One page of the listing, each row with what the Trash page shows about its surroundings.
  virtual TrashPage List(const TrashQuery& q) = 0;
  // Items still in the Trash whose cleanupAt is in [from, to), counted per UTC day in one grouped
  // query over the (workspace, state, cleanup_at) index; days without items are absent.
  virtual std::vector<TrashDay> CleanupByDay(std::int64_t ws, TimeMs from, TimeMs to) = 0;
  virtual std::vector<TrashItem> InState(std::int64_t ws, TrashState state, int limit) = 0;
  // InState with only the fields that name an item and that restoring it reads: id, workspace,
  // type, object, name, url, parent project, version number, size and state (the others are empty).
  virtual std::vector<TrashItem> InStateBrief(std::int64_t ws, TrashState state, int limit) = 0;
  // Compare-and-swap of a row's state (T14); false when the row is gone or in another state.
  virtual bool CasState(std::int64_t id, TrashState from, TrashState to, const std::string& actor_id,
                        const std::string& actor_name) = 0;
  virtual bool Delete(std::int64_t id, TrashState expected) = 0;
  // The ids among `ids` whose rows are in `state` now.
  virtual std::vector<std::int64_t> InStateAmong(const std::vector<std::int64_t>& ids, TrashState state) = 0;
  // Deletes the rows of `ids` that are in `expected` (one statement); returns how many.
  virtual std::int64_t DeleteAll(std::int64_t ws, const std::vector<std::int64_t>& ids, TrashState expected) = 0;
  // Items still in the Trash whose cleanupAt is at or before `now`, oldest first.
  virtual std::vector<TrashItem> Expired(TimeMs now, int limit) = 0;
  virtual std::optional<TrashItem> NextPurging() = 0;
  virtual std::vector<std::int64_t> VersionItemsOfProject(const std::string& project_id) = 0;
  // The Trash rows of a project's trainings (of one version's, when `version_number` is set).
  virtual std::vector<std::int64_t> TrainingItemsOf(const std::string& project_id,
                                                    std::optional<int> version_number) = 0;
};

}  // namespace limbo::domain
