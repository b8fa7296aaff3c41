#pragma once

#include "domain/rows/trash_rows.h"
#include "storage/sql/db.h"

namespace limbo::storage::sql {

// Moves the workspace's Trash generation (what a cached listing page is keyed by). The Trash rows
// have no trigger for it: each statement that writes them calls this once, so a batch of rows moves
// it once, not once per row. Other tables' changes that a listing shows move it by triggers.
void MoveTrashGeneration(Db& db, std::int64_t ws);

class Trash final : public domain::TrashRows {
 public:
  explicit Trash(Db& db) : db_(db) {}

  std::int64_t Insert(const domain::TrashItem& t) override;
  std::optional<domain::TrashItem> ById(std::int64_t id) override;
  std::optional<domain::TrashItem> ByObject(std::int64_t ws, domain::ItemType type,
                                            const std::string& object_id) override;
  domain::TrashPage List(const domain::TrashQuery& q) override;
  std::vector<domain::TrashDay> CleanupByDay(std::int64_t ws, domain::TimeMs from, domain::TimeMs to) override;
  std::vector<domain::TrashItem> InState(std::int64_t ws, domain::TrashState state, int limit) override;
  std::vector<domain::TrashItem> InStateBrief(std::int64_t ws, domain::TrashState state, int limit) override;
  bool CasState(std::int64_t id, domain::TrashState from, domain::TrashState to, const std::string& actor_id,
                const std::string& actor_name) override;
  bool Delete(std::int64_t id, domain::TrashState expected) override;
  std::vector<std::int64_t> InStateAmong(const std::vector<std::int64_t>& ids, domain::TrashState state) override;
  std::int64_t DeleteAll(std::int64_t ws, const std::vector<std::int64_t>& ids, domain::TrashState expected) override;
  std::vector<domain::TrashItem> Expired(domain::TimeMs now, int limit) override;
  std::optional<domain::TrashItem> NextPurging() override;
  std::vector<std::int64_t> VersionItemsOfProject(const std::string& project_id) override;
  std::vector<std::int64_t> TrainingItemsOf(const std::string& project_id, std::optional<int> version_number) override;

 private:
  Db& db_;
};

}  // namespace limbo::storage::sql
