#pragma once

#include <string>
#include <vector>

#include "core/clock.h"
#include "core/result.h"
#include "domain/actor.h"
#include "domain/model_artifacts.h"
#include "domain/store.h"

namespace limbo::domain {

struct ServingModel {
  Project project;
  Version version;
  Job job;
};

// A version and its runs that are not in the Trash, newest first.
struct VersionRuns {
  Project project;
  Version version;
  std::vector<Job> runs;
};

// Training jobs on versions, their credit metering and the models they leave. Thread-safe.
class TrainingService {
 public:
  TrainingService(Store& store, ModelArtifacts& artifacts, const core::Clock& clock, TimeMs train_duration)
      : store_(store), artifacts_(artifacts), clock_(clock), train_duration_(train_duration) {}

  core::Result<Job> Start(const Actor& a, const std::string& project_url, int version);
  core::Result<Job> Cancel(const Actor& a, const std::string& project_url, int version);
  core::Result<std::vector<Job>> List(const Actor& a);
  // The runs of one active version (the v2 trainings listing); runs in the Trash are hidden (T16).
  core::Result<VersionRuns> OfVersion(const Actor& a, const std::string& project_url, int version);
  // A job in the Trash, or whose project or version is, answers 404 `in_trash` (T2, T16).
  core::Result<Job> Get(const Actor& a, const std::string& id);
  // The model while it serves; 404 `model_not_serving` otherwise (T4).
  core::Result<ServingModel> Serving(const Actor& a, const std::string& project_url, int version);

  // Runs the demo trainer one step: starts queued jobs and finishes those whose time is up.
  // Returns how many jobs changed state.
  core::Result<int> Tick();

  const core::Clock& clock() const { return clock_; }

 private:
  Store& store_;
  ModelArtifacts& artifacts_;
  const core::Clock& clock_;
  TimeMs train_duration_;
};

}  // namespace limbo::domain
