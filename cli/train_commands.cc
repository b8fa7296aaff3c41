#include "format.h"
#include "table.h"
#include "verb.h"

namespace limbo::cli {
namespace {

struct VersionOptions : CommonOptions {
  std::string ref;
};

struct StatusOptions : CommonOptions {
  std::string ref;
  std::string job;
};

struct RunOptions : CommonOptions {
  std::string ref;
  std::string id;
  bool yes = false;
};

void PrintJobs(Session& session, const nlohmann::json& jobs, const std::string& workspace) {
  Table table({"JOB", "VERSION", "STATE", "CREDITS", "STARTED", "ENDED", "REASON"});
  for (const auto& job : jobs) {
    table.AddRow({Text(job, "id"), workspace + "/" + Text(job, "project") + "/" + Text(job, "version"),
                  Text(job, "state"), Text(job, "creditsUsed", "0"), FormatTime(Text(job, "startedAt")),
                  FormatTime(Text(job, "endedAt")), Text(job, "cancelReason")});
  }
  table.Print(session.out());
}

Outcome<ObjectRef> VersionRef(Session& session, const std::string& text) {
  auto parsed = ParseRef(text, RefKind::kVersion);
  if (!parsed) return Fail(parsed.error());
  return session.Resolve(*parsed);
}

int StartOrCancel(Session& session, const VersionOptions& options, bool cancel) {
  auto client = session.Connect();
  if (!client) return session.Report(client.error());
  auto ref = VersionRef(session, options.ref);
  if (!ref) return session.Report(ref.error());
  std::string path = client::Path({ref->workspace, ref->name, ref->version, "train"});
  if (cancel) path += "/cancel";
  auto answer = (*client)->Post(path);
  if (!answer) return session.Report(answer.error());
  if (session.json()) {
    session.PrintJson(answer->body);
    return kExitOk;
  }
  nlohmann::json job = Field(answer->body, "job", nlohmann::json::object());
  session.out() << (cancel ? "Cancelled" : "Started") << " training job " << Text(job, "id") << " on "
                << ref->ToString() << " (" << Text(job, "state") << ").\n";
  return kExitOk;
}

int Status(Session& session, const StatusOptions& options) {
  auto client = session.Connect();
  if (!client) return session.Report(client.error());
  std::optional<ObjectRef> ref;
  if (!options.ref.empty()) {
    auto resolved = VersionRef(session, options.ref);
    if (!resolved) return session.Report(resolved.error());
    ref = *resolved;
  }
  auto workspace = ref ? Outcome<std::string>(ref->workspace) : session.Workspace();
  if (!workspace) return session.Report(workspace.error());

  if (!options.job.empty()) {
    auto answer = (*client)->Get(client::Path({*workspace, "jobs", options.job}));
    if (!answer) return session.Report(answer.error());
    if (session.json()) {
      session.PrintJson(answer->body);
    } else {
      PrintJobs(session, nlohmann::json::array({Field(answer->body, "job", nlohmann::json::object())}), *workspace);
    }
    return kExitOk;
  }

  auto answer = (*client)->Get(client::Path({*workspace, "jobs"}));
  if (!answer) return session.Report(answer.error());
  nlohmann::json jobs = nlohmann::json::array();
  for (const auto& job : Field(answer->body, "jobs", nlohmann::json::array())) {
    if (ref && (Text(job, "project") != ref->name || Text(job, "version") != ref->version)) continue;
    jobs.push_back(job);
  }
  if (session.json()) {
    session.PrintJson({{"jobs", jobs}});
    return kExitOk;
  }
  if (jobs.empty()) {
    session.out() << "No training jobs" << (ref ? " for " + ref->ToString() : " in " + *workspace) << ".\n";
    return kExitOk;
  }
  PrintJobs(session, jobs, *workspace);
  return kExitOk;
}

// The runs of a version that are not in the Trash: GET .../v2/trainings.
int ListRuns(Session& session, const RunOptions& options) {
  auto target = session.TargetOf(options.ref, RefKind::kVersion);
  if (!target) return session.Report(target.error());
  const ObjectRef& ref = target->ref;
  auto answer = target->client->Get(client::Path({ref.workspace, ref.name, ref.version, "v2", "trainings"}));
  if (!answer) return session.Report(answer.error());
  nlohmann::json runs = Field(answer->body, "trainings", nlohmann::json::array());
  if (session.json()) {
    session.PrintJson({{"trainings", runs}});
    return kExitOk;
  }
  if (runs.empty()) {
    session.out() << "No training runs on " << ref.ToString() << ". Start one with: limbo train start "
                  << ref.ToString() << '\n';
    return kExitOk;
  }
  Table table({"TRAINING", "STATUS", "MODEL TYPE", "MODELS", "STARTED"});
  for (const auto& run : runs) {
    std::string models;
    for (const auto& id : Field(run, "modelIds", nlohmann::json::array())) {
      if (!models.empty()) models += ", ";
      models += id.is_string() ? id.get<std::string>() : id.dump();
    }
    // `start` is in epoch seconds (the official client's reading); Limbo's `startedAt` is ISO 8601.
    std::string started = FormatTime(Text(run, "startedAt", ""));
    auto start = run.find("start");
    if (started.empty() && start != run.end() && start->is_number_integer()) {
      started = FormatEpochSeconds(start->get<std::int64_t>());
    } else if (started.empty()) {
      started = FormatTime(Text(run, "start"));
    }
    table.AddRow(
        {Text(run, "trainingId"), Text(run, "status"), Text(run, "modelType"), models.empty() ? "-" : models, started});
  }
  table.Print(session.out());
  return kExitOk;
}

// A refused run delete or restore, with the hint in `limbo` commands (the server's names REST routes).
Failure RunFailure(const client::ApiError& error, const ObjectRef& ref) {
  Failure failure = Failure::FromApi(error);
  if (failure.code == "training_in_progress" || failure.message.find("in progress") != std::string::npos) {
    failure.hint = "Cancel it first: limbo train cancel " + ref.ToString();
  } else if (failure.message.find("MULTIPLE_TRAININGS") != std::string::npos) {
    failure.hint = "Name one with --id (see: limbo train list " + ref.ToString() + ")";
  } else if (failure.code == "parent_in_trash") {
    failure.hint = "Restore its project or version first (see: limbo trash list --workspace " + ref.workspace + ")";
  } else if (failure.code == "not_in_trash") {
    failure.hint = "See what is there with: limbo trash list --type training --workspace " + ref.workspace;
  }
  return failure;
}

int DeleteRun(Session& session, const RunOptions& options) {
  auto target = session.TargetOf(options.ref, RefKind::kVersion);
  if (!target) return session.Report(target.error());
  const ObjectRef& ref = target->ref;
  std::string what = options.id.empty() ? "the training run of " + ref.ToString()
                                        : "training run " + options.id + " of " + ref.ToString();
  auto confirmed = session.Confirm("Move " + what + " and its models to the Trash?", options.yes);
  if (!confirmed) return session.Report(confirmed.error());
  if (!*confirmed) {
    session.err() << "Cancelled; nothing was moved.\n";
    return kExitError;
  }
  nlohmann::json body = nlohmann::json::object();
  if (!options.id.empty()) body["trainingId"] = options.id;
  auto answer =
      target->client->Post(client::Path({ref.workspace, ref.name, ref.version, "v2", "trainings", "delete"}), body);
  if (!answer) return session.Report(RunFailure(answer.error(), ref));
  if (session.json()) {
    session.PrintJson(answer->body);
    return kExitOk;
  }
  std::string id = Text(answer->body, "trainingId", options.id);
  if (Flag(answer->body, "alreadyInTrash")) {
    session.out() << "Training run " << id << " of " << ref.ToString() << " was already in the Trash.\n";
  } else {
    session.out() << "Moved training run " << id << " of " << ref.ToString()
                  << " to the Trash; its models stopped serving.\n";
  }
  session.out() << "Restore it with: limbo train restore " << ref.ToString() << " --id " << id << '\n';
  return kExitOk;
}

int RestoreRun(Session& session, const RunOptions& options) {
  auto target = session.TargetOf(options.ref, RefKind::kVersion);
  if (!target) return session.Report(target.error());
  const ObjectRef& ref = target->ref;
  auto answer = target->client->Post(client::Path({ref.workspace, ref.name, ref.version, "v2", "trainings", "restore"}),
                                     {{"trainingId", options.id}});
  if (!answer) return session.Report(RunFailure(answer.error(), ref));
  if (session.json()) {
    session.PrintJson(answer->body);
    return kExitOk;
  }
  session.out() << "Restored training run " << Text(answer->body, "trainingId", options.id) << " of " << ref.ToString()
                << ".\n";
  return kExitOk;
}

}  // namespace

void AddTrainCommands(CLI::App& app, Registry& registry) {
  CLI::App* noun =
      app.add_subcommand("train", "Training jobs and runs: start, follow, cancel, list, move to the Trash, restore");
  noun->require_subcommand(1);

  auto start = std::make_shared<VersionOptions>();
  CLI::App* verb = AddVerb(*noun, registry, "start", "Start training a model on a version", start,
                           [start](Session& s) { return StartOrCancel(s, *start, false); });
  verb->add_option("version", start->ref, "workspace/project/N or project/N")->required();
  verb->footer("Example: limbo train start acme/cats/1");

  auto status = std::make_shared<StatusOptions>();
  verb = AddVerb(*noun, registry, "status", "Show training jobs (all, one version's, or one job)", status,
                 [status](Session& s) { return Status(s, *status); });
  verb->add_option("version", status->ref, "workspace/project/N or project/N (default: every job of the workspace)");
  verb->add_option("--job", status->job, "One job by id");

  auto cancel = std::make_shared<VersionOptions>();
  verb = AddVerb(*noun, registry, "cancel", "Cancel the queued or running job of a version", cancel,
                 [cancel](Session& s) { return StartOrCancel(s, *cancel, true); });
  verb->add_option("version", cancel->ref, "workspace/project/N or project/N")->required();

  auto list = std::make_shared<RunOptions>();
  verb = AddVerb(*noun, registry, "list", "List the training runs of a version (not those in the Trash)", list,
                 [list](Session& s) { return ListRuns(s, *list); });
  verb->add_option("version", list->ref, "workspace/project/N or project/N")->required();
  verb->footer("Example: limbo train list acme/cats/1");

  auto del = std::make_shared<RunOptions>();
  verb = AddVerb(*noun, registry, "delete",
                 "Move a finished, failed or cancelled training run and its models to the Trash (restorable)", del,
                 [del](Session& s) { return DeleteRun(s, *del); });
  verb->add_option("version", del->ref, "workspace/project/N or project/N")->required();
  verb->add_option("--id", del->id, "The run's training id (default: the version's only run)");
  AddYesFlag(*verb, del->yes);
  verb->footer("Example: limbo train delete acme/cats/1 --id j_4k2m9 --yes");

  auto restore = std::make_shared<RunOptions>();
  verb = AddVerb(*noun, registry, "restore", "Restore a training run from the Trash (its project and version active)",
                 restore, [restore](Session& s) { return RestoreRun(s, *restore); });
  verb->add_option("version", restore->ref, "workspace/project/N or project/N")->required();
  verb->add_option("--id", restore->id, "The run's training id (see: limbo trash list --type training)")->required();
  verb->footer("Example: limbo train restore acme/cats/1 --id j_4k2m9");
}

}  // namespace limbo::cli
