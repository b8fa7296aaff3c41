#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "domain/entities.h"

namespace limbo::domain {

// Training jobs.
class JobRows {
 public:
  virtual ~JobRows() = default;

  virtual void Insert(const Job& j) = 0;
  virtual void Update(const Job& j) = 0;
  virtual std::optional<Job> ById(std::int64_t ws, const std::string& id) = 0;
  // Jobs whose project and version are active and that are not in the Trash themselves, newest first.
  virtual std::vector<Job> Visible(std::int64_t ws, int limit) = 0;
  // Every run of the version, those in the Trash too, newest first.
  virtual std::vector<Job> OfVersion(std::int64_t version_id) = 0;
  // The version's newest finished run that is not in the Trash, other than `except_job` (T16).
  virtual std::optional<Job> NewestFinishedOf(std::int64_t version_id, const std::string& except_job) = 0;
  virtual void SetTrash(const std::string& job_id, std::optional<std::int64_t> trash_item_id) = 0;
  virtual void Delete(const std::string& job_id) = 0;
  // Bytes of the model files of a project's (a version's) runs, those in the Trash too.
  virtual std::int64_t ModelBytesOfProject(const std::string& project_id) = 0;
  virtual std::int64_t ModelBytesOfVersion(std::int64_t version_id) = 0;
  // Every job id of every workspace (fsck: a model file without its job is an orphan).
  virtual std::vector<std::string> AllIds() = 0;
  // The ids of the jobs that wrote a model file (its bytes are counted: model_bytes > 0).
  virtual std::vector<std::string> IdsWithModels() = 0;
  virtual std::optional<Job> ActiveOf(std::int64_t version_id) = 0;
  virtual std::vector<Job> Active(int limit) = 0;
  // Cancels queued/running jobs (T3), freezing their credits at `now`; returns the credit
  // milliseconds the cancelled jobs ran (for limbo_training_credits_metered_total).
  virtual std::int64_t CancelAllOfProject(const std::string& project_id, const std::string& reason, TimeMs now) = 0;
  virtual std::int64_t CancelAllOf(std::int64_t version_id, const std::string& reason, TimeMs now) = 0;
  // How many jobs are in each state (states without jobs are left out).
  virtual std::vector<std::pair<JobState, std::int64_t>> CountByState() = 0;
};

}  // namespace limbo::domain
