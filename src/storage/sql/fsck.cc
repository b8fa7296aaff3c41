#include "storage/sql/fsck.h"

#include "storage/sql/workspaces.h"

namespace limbo::storage::sql {

using domain::Usage;

std::vector<std::pair<std::string, std::int64_t>> Fsck::AllBlobRefs() {
  return All<std::pair<std::string, std::int64_t>>(db_.Query("SELECT sha256, refs FROM blobs ORDER BY sha256"),
                                                   [](const Rows& r) {
                                                     return std::pair{r.Text(0), r.Int(1)};
                                                   });
}

std::vector<std::string> Fsck::AllBlobGc() { return Texts(db_.Query("SELECT sha256 FROM blob_gc ORDER BY sha256")); }

std::vector<std::tuple<std::string, std::int64_t, std::int64_t>> Fsck::ImageShaCounts() {
  return All<std::tuple<std::string, std::int64_t, std::int64_t>>(
      db_.Query("SELECT sha256, COUNT(*), MAX(size_bytes) FROM images GROUP BY sha256 ORDER BY sha256"),
      [](const Rows& r) {
        return std::tuple{r.Text(0), r.Int(1), r.Int(2)};
      });
}

std::vector<std::pair<std::int64_t, Usage>> Fsck::RecountUsage() {
  // PostgreSQL sums bigints as numeric: the cast brings the total back to an integer.
  return All<std::pair<std::int64_t, Usage>>(
      db_.Query("SELECT w.id, "
                "(SELECT CAST(COALESCE(SUM(size_bytes), 0) AS BIGINT) FROM images i WHERE i.workspace_id = w.id) + "
                "(SELECT CAST(COALESCE(SUM(model_bytes), 0) AS BIGINT) FROM jobs j WHERE j.workspace_id = w.id), "
                "(SELECT COUNT(*) FROM images i WHERE i.workspace_id = w.id), "
                "(SELECT COUNT(*) FROM trash_items t WHERE t.workspace_id = w.id AND t.type = 'project'), "
                "(SELECT COUNT(*) FROM trash_items t WHERE t.workspace_id = w.id AND t.type = 'version'), "
                "(SELECT COUNT(*) FROM trash_items t WHERE t.workspace_id = w.id AND t.type = 'workflow'), "
                "(SELECT COUNT(*) FROM trash_items t WHERE t.workspace_id = w.id AND t.type = 'training') "
                "FROM workspaces w ORDER BY w.id"),
      [](const Rows& r) {
        return std::pair{r.Int(0), ReadUsage(r, 1)};
      });
}

void Fsck::SetBlobRefs(const std::string& sha256, std::int64_t refs, std::int64_t size) {
  if (refs <= 0) {
    db_.Exec("DELETE FROM blobs WHERE sha256 = ?", sha256);
    return;
  }
  db_.Exec(
      "INSERT INTO blobs(sha256, size_bytes, refs) VALUES (?, ?, ?) "
      "ON CONFLICT (sha256) DO UPDATE SET refs = excluded.refs",
      sha256, size, refs);
}

void Fsck::SetUsage(std::int64_t ws, const Usage& u) {
  db_.Exec(
      "UPDATE workspaces SET storage_bytes = ?, image_count = ?, trash_projects = ?, trash_versions = ?, "
      "trash_workflows = ?, trash_trainings = ? WHERE id = ?",
      u.storage_bytes, u.image_count, u.trash_projects, u.trash_versions, u.trash_workflows, u.trash_trainings, ws);
}

}  // namespace limbo::storage::sql
