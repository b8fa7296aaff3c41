#pragma once

#include "domain/rows/workspace_rows.h"
#include "storage/sql/db.h"

namespace limbo::storage::sql {

// The usage counters as six columns starting at `first`: storage bytes, images, then trashed
// projects, versions, workflows and trainings (the stored row, or fsck's recount of it).
domain::Usage ReadUsage(const Rows& r, int first);

class Workspaces final : public domain::WorkspaceRows {
 public:
  explicit Workspaces(Db& db) : db_(db) {}

  std::optional<domain::Workspace> ByUrl(const std::string& url) override;
  std::optional<domain::Workspace> ById(std::int64_t id) override;
  std::int64_t Insert(const domain::Workspace& ws) override;
  void Update(const domain::Workspace& ws) override;

  domain::Usage GetUsage(std::int64_t ws) override;
  std::optional<domain::StoredFigures> Figures(std::int64_t ws) override;
  std::int64_t TrashGeneration(std::int64_t ws) override;
  void AddStorage(std::int64_t ws, std::int64_t bytes, std::int64_t images) override;
  void AddTrashCount(std::int64_t ws, domain::ItemType type, int delta, std::int64_t bytes) override;
  std::int64_t TrashBytes(std::int64_t ws) override;

  domain::TrashHeld RecountTrashHeld(std::int64_t ws) override;
  std::vector<std::pair<std::int64_t, domain::TrashHeld>> RecountStaleTrashHeld(std::int64_t max_images) override;
  domain::ReclaimableState GetReclaimable(std::int64_t ws) override;
  void TouchReclaimable(std::int64_t ws) override;
  void AddTrashHeld(std::int64_t ws, const domain::TrashHeld& delta) override;
  void StoreReclaimable(std::int64_t ws, const domain::TrashHeld& recount,
                        const domain::ReclaimableState& seen) override;
  std::vector<std::int64_t> StaleReclaimable(int limit) override;
  std::vector<domain::WorkspaceTrashFigures> TrashFigures(int purging_cap) override;

 private:
  Db& db_;
};

}  // namespace limbo::storage::sql
