#include "storage/sql/jobs.h"

namespace limbo::storage::sql {

using domain::Job;
using domain::JobState;
using domain::TimeMs;

namespace {

#define JOB_SELECT                                                                              \
  "SELECT j.id, j.workspace_id, j.project_id, p.url, j.version_id, j.version_number, j.state, " \
  "j.cancel_reason, j.created_at, j.started_at, j.ended_at, j.duration_ms FROM jobs j "         \
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
  db_.Exec("UPDATE jobs SET state = ?, cancel_reason = ?, started_at = ?, ended_at = ? WHERE id = ?",
           domain::JobStateName(j.state), j.cancel_reason, j.started_at, j.ended_at, j.id);
}

std::optional<Job> Jobs::ById(std::int64_t ws, const std::string& id) {
  return One<Job>(db_.Query(JOB_SELECT "WHERE j.workspace_id = ? AND j.id = ?", ws, id), ReadJob);
}

std::vector<Job> Jobs::Visible(std::int64_t ws, int limit) {
  return All<Job>(
      db_.Query(JOB_SELECT
                "JOIN versions v ON v.id = j.version_id WHERE j.workspace_id = ? AND p.trash_item_id IS NULL "
                "AND v.trash_item_id IS NULL ORDER BY j.created_at DESC, j.id LIMIT ?",
                ws, limit),
      ReadJob);
}

std::optional<Job> Jobs::ActiveOf(std::int64_t version_id) {
  return One<Job>(
      db_.Query(JOB_SELECT "WHERE j.version_id = ? AND j.state IN ('queued', 'running') LIMIT 1", version_id), ReadJob);
}

std::vector<Job> Jobs::Active(int limit) {
  return All<Job>(db_.Query(JOB_SELECT "WHERE j.state IN ('queued', 'running') ORDER BY j.created_at LIMIT ?", limit),
                  ReadJob);
}

void Jobs::CancelAllOfProject(const std::string& project_id, const std::string& reason, TimeMs now) {
  db_.Exec(
      "UPDATE jobs SET state = 'cancelled', cancel_reason = ?, ended_at = ? "
      "WHERE project_id = ? AND state IN ('queued', 'running')",
      reason, now, project_id);
}

void Jobs::CancelAllOf(std::int64_t version_id, const std::string& reason, TimeMs now) {
  db_.Exec(
      "UPDATE jobs SET state = 'cancelled', cancel_reason = ?, ended_at = ? "
      "WHERE version_id = ? AND state IN ('queued', 'running')",
      reason, now, version_id);
}

}  // namespace limbo::storage::sql
