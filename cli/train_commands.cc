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

}  // namespace

void AddTrainCommands(CLI::App& app, Registry& registry) {
  CLI::App* noun = app.add_subcommand("train", "Training jobs: start, follow, cancel");
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
}

}  // namespace limbo::cli
