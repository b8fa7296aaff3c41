#include "domain/training_service.h"

#include "core/crypto.h"
#include "core/time_format.h"
#include "domain/content_service.h"
#include "domain/process_metrics.h"

namespace limbo::domain {

using core::Error;
using core::Fail;
using core::Ok;
using core::Result;
using core::Status;

const char* JobStateName(JobState s) {
  switch (s) {
    case JobState::kQueued:
      return "queued";
    case JobState::kRunning:
      return "running";
    case JobState::kFinished:
      return "finished";
    case JobState::kFailed:
      return "failed";
    case JobState::kCancelled:
      return "cancelled";
  }
  return "failed";
}

std::optional<JobState> ParseJobState(std::string_view s) {
  for (auto st :
       {JobState::kQueued, JobState::kRunning, JobState::kFinished, JobState::kFailed, JobState::kCancelled}) {
    if (s == JobStateName(st)) return st;
  }
  return std::nullopt;
}

double Job::CreditsUsed(TimeMs now) const {
  if (!started_at) return 0.0;
  TimeMs end = ended_at ? *ended_at : now;
  if (end < *started_at) return 0.0;
  return static_cast<double>(end - *started_at) / static_cast<double>(core::kSecondMs);
}

Result<Job> TrainingService::Start(const Actor& a, const std::string& project_url, int version) {
  LIMBO_RETURN_IF_ERROR(a.Require(Permission::kTrainModel));
  Job j;
  TimeMs now = clock_.Now();
  LIMBO_RETURN_IF_ERROR(store_.Write([&](Transaction& tx) -> Status {
    LIMBO_TRY(Project p, ContentService::ActiveProject(tx, a, project_url));
    LIMBO_TRY(Version v, ContentService::ActiveVersion(tx, p, version));
    if (tx.jobs().ActiveOf(v.id)) {
      return Error::Conflict("Version " + std::to_string(version) + " is already training.", "job_active");
    }
    j = Job{};
    j.id = "j_" + core::RandomToken(12);
    j.workspace_id = a.workspace.id;
    j.project_id = p.id;
    j.project_url = p.url;
    j.version_id = v.id;
    j.version_number = v.number;
    j.state = JobState::kQueued;
    j.created_at = now;
    j.duration_ms = train_duration_;
    tx.jobs().Insert(j);
    return Ok();
  }));
  return j;
}

Result<Job> TrainingService::Cancel(const Actor& a, const std::string& project_url, int version) {
  LIMBO_RETURN_IF_ERROR(a.Require(Permission::kTrainModel));
  Job j;
  TimeMs now = clock_.Now();
  LIMBO_RETURN_IF_ERROR(store_.Write([&](Transaction& tx) -> Status {
    LIMBO_TRY(Project p, ContentService::ActiveProject(tx, a, project_url));
    LIMBO_TRY(Version v, ContentService::ActiveVersion(tx, p, version));
    auto active = tx.jobs().ActiveOf(v.id);
    if (!active)
      return Error::Conflict("Version " + std::to_string(version) + " has no job to cancel.", "no_active_job");
    j = *active;
    j.state = JobState::kCancelled;
    j.cancel_reason = "user";
    j.ended_at = now;
    tx.jobs().Update(j);
    return Ok();
  }));
  if (j.started_at && j.ended_at) CountCreditsMetered(*j.ended_at - *j.started_at);
  return j;
}

Result<std::vector<Job>> TrainingService::List(const Actor& a) {
  std::vector<Job> out;
  LIMBO_RETURN_IF_ERROR(store_.Read([&](Transaction& tx) -> Status {
    out = tx.jobs().Visible(a.workspace.id, 500);
    return Ok();
  }));
  return out;
}

Result<VersionRuns> TrainingService::OfVersion(const Actor& a, const std::string& project_url, int version) {
  VersionRuns out;
  LIMBO_RETURN_IF_ERROR(store_.Read([&](Transaction& tx) -> Status {
    LIMBO_TRY(out.project, ContentService::ActiveProject(tx, a, project_url));
    LIMBO_TRY(out.version, ContentService::ActiveVersion(tx, out.project, version));
    out.runs.clear();
    for (auto& j : tx.jobs().OfVersion(out.version.id)) {
      if (!j.trash_item_id) out.runs.push_back(std::move(j));
    }
    return Ok();
  }));
  return out;
}

Result<Job> TrainingService::Get(const Actor& a, const std::string& id) {
  std::optional<Job> out;
  bool trashed = false;
  LIMBO_RETURN_IF_ERROR(store_.Read([&](Transaction& tx) -> Status {
    out = tx.jobs().ById(a.workspace.id, id);
    if (!out) return Ok();
    if (out->trash_item_id) {
      trashed = true;
      return Ok();
    }
    auto p = tx.projects().ById(out->project_id);
    auto v = tx.versions().ById(out->version_id);
    trashed = !p || !v || p->trash_item_id || v->trash_item_id;
    return Ok();
  }));
  if (!out) return Error::NotFound("Job '" + id + "' was not found.");
  if (trashed && out->trash_item_id) {
    return Error::NotFound("Training '" + id + "' is in trash.", "in_trash")
        .WithHint("Restore it from the workspace Trash to use it again.");
  }
  if (trashed) return Error::NotFound("The job's version is in the Trash.", "in_trash");
  return *out;
}

Result<ServingModel> TrainingService::Serving(const Actor& a, const std::string& project_url, int version) {
  ServingModel out;
  auto not_serving = [&] {
    return Error::NotFound("No model is serving at " + project_url + "/" + std::to_string(version) + ".",
                           "model_not_serving");
  };
  bool serving = false;
  LIMBO_RETURN_IF_ERROR(store_.Read([&](Transaction& tx) -> Status {
    auto p = tx.projects().ByUrl(a.workspace.id, project_url);
    if (!p || p->trash_item_id) return Ok();
    auto v = tx.versions().ByNumber(p->id, version);
    if (!v || v->trash_item_id || !v->model || v->model->state != kModelServing) return Ok();
    out.project = *p;
    out.version = *v;
    if (auto j = tx.jobs().ById(a.workspace.id, v->model->job_id)) out.job = *j;
    serving = true;
    return Ok();
  }));
  if (!serving) return not_serving();
  return out;
}

Result<int> TrainingService::Tick() {
  TimeMs now = clock_.Now();
  std::vector<Job> active;
  LIMBO_RETURN_IF_ERROR(store_.Read([&](Transaction& tx) -> Status {
    active = tx.jobs().Active(1000);
    return Ok();
  }));
  int changed = 0;
  for (auto& job : active) {
    if (job.state == JobState::kQueued) job.started_at = job.created_at;
    bool finishing = now >= *job.started_at + job.duration_ms;
    if (job.state == JobState::kRunning && !finishing) continue;
    std::int64_t model_bytes = 0;
    if (finishing) {
      // The artifact is written before the row says so; a crash leaves at most an unused file.
      std::string model = "{\"job\":\"" + job.id + "\",\"project\":\"" + job.project_url +
                          "\",\"version\":" + std::to_string(job.version_number) +
                          ",\"trainer\":\"demo\",\"trainedAt\":\"" +
                          core::FormatIso8601(*job.started_at + job.duration_ms) + "\"}\n";
      LIMBO_RETURN_IF_ERROR(artifacts_.Write(job, model));
      model_bytes = static_cast<std::int64_t>(model.size());
    }
    std::int64_t ended_ms = 0;
    LIMBO_RETURN_IF_ERROR(store_.Write([&](Transaction& tx) -> Status {
      ended_ms = 0;
      auto cur = tx.jobs().ById(job.workspace_id, job.id);
      if (!cur || cur->state != job.state) return Ok();  // cancelled meanwhile: leave it
      Job j = *cur;
      // The demo trainer has no queue: a job runs from the moment it was created.
      if (!j.started_at) j.started_at = j.created_at;
      if (!finishing) {
        j.state = JobState::kRunning;
      } else {
        j.state = JobState::kFinished;
        j.ended_at = *j.started_at + j.duration_ms;  // credits stop exactly at the trainer's end
        ended_ms = j.duration_ms;
        j.model_bytes = model_bytes;  // counted in the workspace's storage from now on
        tx.workspaces().AddStorage(j.workspace_id, model_bytes, 0);
        tx.versions().UpsertModel(Model{j.version_id, kModelServing, j.id, now});
      }
      tx.jobs().Update(j);
      ++changed;
      return Ok();
    }));
    CountCreditsMetered(ended_ms);
  }
  return changed;
}

}  // namespace limbo::domain
