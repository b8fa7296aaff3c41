#include "storage/sql/jobs.h"

namespace limbo::storage::sql {

using domain::Job;
using domain::JobState;
using domain::TimeMs;

namespace {

#define JOB_SELECT                                                                              \
  "SELECT j.id, j.workspace_id, j.project_id, p.url, j.version_id, j.version_number, j.state, " \
  "j.cancel_reason, j.created_at, j.started_at, j.ended_at, j.duration_ms, j.model_bytes, "     \
  "j.trash_item_id FROM jobs j "                                                                \
  "JOIN projects p ON p.id = j.project_id "

Job ReadJob(const Rows& r) {
  Job j;
  j.id = r.Text(0);
  j.workspace_id = r.Int(1);
  j.project_id = r.Text(2);
  j.project_url = r.Text(3);
  j.version_id = r.Int(4);
  j.version_number = static_cast<int>(r.Int(5));
  j.state = domain::ParseJobState(r.Text(6)).value_or(JobState::kFailed);
  j.cancel_reason = r.OptText(7);
  j.created_at = r.Int(8);
  j.started_at = r.OptInt(9);
  j.ended_at = r.OptInt(10);
  j.duration_ms = r.Int(11);
  j.model_bytes = r.Int(12);
  j.trash_item_id = r.OptInt(13);
  return j;
}

}  // namespace

void Jobs::Insert(const Job& j) {
  db_.Exec(
      "INSERT INTO jobs(id, workspace_id, project_id, version_id, version_number, state, cancel_reason, "
      "created_at, started_at, ended_at, duration_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
      j.id, j.workspace_id, j.project_id, j.version_id, j.version_number, domain::JobStateName(j.state),
      j.cancel_reason, j.created_at, j.started_at, j.ended_at, j.duration_ms);
}

void Jobs::Update(const Job& j) {
  db_.Exec("UPDATE jobs SET state = ?, cancel_reason = ?, started_at = ?, ended_at = ?, model_bytes = ? WHERE id = ?",
           domain::JobStateName(j.state), j.cancel_reason, j.started_at, j.ended_at, j.model_bytes, j.id);
}

std::optional<Job> Jobs::ById(std::int64_t ws, const std::string& id) {
  return One<Job>(db_.Query(JOB_SELECT "WHERE j.workspace_id = ? AND j.id = ?", ws, id), ReadJob);
}

std::vector<Job> Jobs::Visible(std::int64_t ws, int limit) {
  return All<Job>(
      db_.Query(JOB_SELECT
                "JOIN versions v ON v.id = j.version_id WHERE j.workspace_id = ? AND p.trash_item_id IS NULL "
                "AND v.trash_item_id IS NULL AND j.trash_item_id IS NULL ORDER BY j.created_at DESC, j.id LIMIT ?",
                ws, limit),
      ReadJob);
}

std::vector<Job> Jobs::OfVersion(std::int64_t version_id) {
  return All<Job>(db_.Query(JOB_SELECT "WHERE j.version_id = ? ORDER BY j.created_at DESC, j.id DESC", version_id),
                  ReadJob);
}

std::optional<Job> Jobs::NewestFinishedOf(std::int64_t version_id, const std::string& except_job) {
  return One<Job>(db_.Query(JOB_SELECT "WHERE j.version_id = ? AND j.state = 'finished' AND j.trash_item_id IS NULL "
                                       "AND j.id <> ? ORDER BY j.ended_at DESC, j.created_at DESC, j.id DESC LIMIT 1",
                            version_id, except_job),
                  ReadJob);
}

void Jobs::SetTrash(const std::string& job_id, std::optional<std::int64_t> trash_item_id) {
  db_.Exec("UPDATE jobs SET trash_item_id = ? WHERE id = ?", trash_item_id, job_id);
}

void Jobs::Delete(const std::string& job_id) { db_.Exec("DELETE FROM jobs WHERE id = ?", job_id); }

// PostgreSQL sums bigints as numeric: the cast brings the total back to an integer.
std::int64_t Jobs::ModelBytesOfProject(const std::string& project_id) {
  return Scalar(
      db_.Query("SELECT CAST(COALESCE(SUM(model_bytes), 0) AS BIGINT) FROM jobs WHERE project_id = ?", project_id));
}

std::int64_t Jobs::ModelBytesOfVersion(std::int64_t version_id) {
  return Scalar(
      db_.Query("SELECT CAST(COALESCE(SUM(model_bytes), 0) AS BIGINT) FROM jobs WHERE version_id = ?", version_id));
}

std::vector<std::string> Jobs::AllIds() { return Texts(db_.Query("SELECT id FROM jobs ORDER BY id")); }

std::vector<std::string> Jobs::IdsWithModels() {
  return Texts(db_.Query("SELECT id FROM jobs WHERE model_bytes > 0 ORDER BY id"));
}

std::optional<Job> Jobs::ActiveOf(std::int64_t version_id) {
  return One<Job>(
      db_.Query(JOB_SELECT "WHERE j.version_id = ? AND j.state IN ('queued', 'running') LIMIT 1", version_id), ReadJob);
}

std::vector<Job> Jobs::Active(int limit) {
  return All<Job>(db_.Query(JOB_SELECT "WHERE j.state IN ('queued', 'running') ORDER BY j.created_at LIMIT ?", limit),
                  ReadJob);
}

// The credits are read before the update, from the same rows (one transaction).
std::int64_t Jobs::CancelAllOfProject(const std::string& project_id, const std::string& reason, TimeMs now) {
  std::int64_t ms =
      Scalar(db_.Query("SELECT CAST(COALESCE(SUM(CAST(? AS BIGINT) - started_at), 0) AS BIGINT) FROM jobs "
                       "WHERE project_id = ? AND state IN ('queued', 'running') AND started_at IS NOT NULL",
                       now, project_id));
  db_.Exec(
      "UPDATE jobs SET state = 'cancelled', cancel_reason = ?, ended_at = ? "
      "WHERE project_id = ? AND state IN ('queued', 'running')",
      reason, now, project_id);
  return ms;
}

std::int64_t Jobs::CancelAllOf(std::int64_t version_id, const std::string& reason, TimeMs now) {
  std::int64_t ms =
      Scalar(db_.Query("SELECT CAST(COALESCE(SUM(CAST(? AS BIGINT) - started_at), 0) AS BIGINT) FROM jobs "
                       "WHERE version_id = ? AND state IN ('queued', 'running') AND started_at IS NOT NULL",
                       now, version_id));
  db_.Exec(
      "UPDATE jobs SET state = 'cancelled', cancel_reason = ?, ended_at = ? "
      "WHERE version_id = ? AND state IN ('queued', 'running')",
      reason, now, version_id);
  return ms;
}

std::vector<std::pair<JobState, std::int64_t>> Jobs::CountByState() {
  return All<std::pair<JobState, std::int64_t>>(
      db_.Query("SELECT state, COUNT(*) FROM jobs GROUP BY state ORDER BY state"),
      [](const Rows& r) { return std::pair(domain::ParseJobState(r.Text(0)).value_or(JobState::kFailed), r.Int(1)); });
}

}  // namespace limbo::storage::sql
