#include <fstream>
#include <sstream>

#include "format.h"
#include "table.h"
#include "trash_lookup.h"
#include "verb.h"

namespace limbo::cli {
namespace {

struct CreateOptions : CommonOptions {
  std::string name;
  std::string url;
  std::string config;
};

struct DeleteOptions : CommonOptions {
  std::string ref;
  bool yes = false;
};

struct RestoreOptions : CommonOptions {
  std::string ref;
  std::string new_url;
  std::string id;
};

int List(Session& session) {
  auto client = session.Connect();
  if (!client) return session.Report(client.error());
  auto workspace = session.Workspace();
  if (!workspace) return session.Report(workspace.error());
  auto answer = (*client)->Get(client::Path({*workspace, "workflows"}));
  if (!answer) return session.Report(answer.error());
  nlohmann::json workflows = Field(answer->body, "workflows", nlohmann::json::array());
  if (session.json()) {
    session.PrintJson({{"workflows", workflows}});
    return kExitOk;
  }
  if (workflows.empty()) {
    session.out() << "No workflows in " << *workspace << ".\n";
    return kExitOk;
  }
  Table table({"WORKFLOW", "NAME", "ID", "CREATED"});
  for (const auto& w : workflows) {
    table.AddRow({*workspace + "/" + Text(w, "url"), Text(w, "name"), Text(w, "id"), FormatTime(Text(w, "createdAt"))});
  }
  table.Print(session.out());
  return kExitOk;
}

// --config takes JSON text, or @FILE.
Outcome<nlohmann::json> ParseConfig(const std::string& text) {
  std::string json_text = text;
  if (!text.empty() && text[0] == '@') {
    std::ifstream in(text.substr(1));
    if (!in) return Fail(Failure::Error("invalid_config", "Cannot read " + text.substr(1) + "."));
    std::stringstream buffer;
    buffer << in.rdbuf();
    json_text = buffer.str();
  }
  auto json = nlohmann::json::parse(json_text, nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded()) return Fail(Failure::Error("invalid_config", "--config is not valid JSON."));
  return json;
}

int Create(Session& session, const CreateOptions& options) {
  nlohmann::json body = {{"name", options.name}};
  if (!options.url.empty()) body["url"] = options.url;
  if (!options.config.empty()) {
    auto config = ParseConfig(options.config);
    if (!config) return session.Report(config.error());
    body["config"] = *config;
  }
  auto client = session.Connect();
  if (!client) return session.Report(client.error());
  auto workspace = session.Workspace();
  if (!workspace) return session.Report(workspace.error());
  auto answer = (*client)->Post(client::Path({*workspace, "workflows"}), body);
  if (!answer) return session.Report(answer.error());
  if (session.json()) {
    session.PrintJson(answer->body);
    return kExitOk;
  }
  nlohmann::json workflow = Field(answer->body, "workflow", nlohmann::json::object());
  session.out() << "Created workflow " << *workspace << "/" << Text(workflow, "url") << " (" << Text(workflow, "id")
                << ").\n";
  return kExitOk;
}

int Delete(Session& session, const DeleteOptions& options) {
  auto target = session.TargetOf(options.ref, RefKind::kWorkflow);
  if (!target) return session.Report(target.error());
  const client::Client& client = *target->client;
  const ObjectRef& ref = target->ref;
  auto confirmed =
      session.Confirm("Move workflow " + ref.ToString() + " to the Trash? Its endpoint stops answering.", options.yes);
  if (!confirmed) return session.Report(confirmed.error());
  if (!*confirmed) {
    session.err() << "Cancelled; nothing was moved.\n";
    return kExitError;
  }
  auto answer = client.Delete(client::Path({ref.workspace, "workflows", ref.name}));
  if (!answer) return session.Report(answer.error());
  PrintMovedToTrash(session, answer->body, "workflow", ref.ToString());
  return kExitOk;
}

int Restore(Session& session, const RestoreOptions& options) {
  auto parsed = ParseRef(options.ref, RefKind::kWorkflow);
  if (!parsed) return session.Report(parsed.error());
  return RestoreOne(session, *parsed, RefKind::kWorkflow, options.id, options.new_url);
}

}  // namespace

void AddWorkflowCommands(CLI::App& app, Registry& registry) {
  CLI::App* noun = app.add_subcommand("workflow", "Workflows: list, create, move to the Trash, restore");
  noun->require_subcommand(1);

  AddVerb(*noun, registry, "list", "List the active workflows of a workspace", std::make_shared<CommonOptions>(), List);

  auto create = std::make_shared<CreateOptions>();
  CLI::App* verb = AddVerb(*noun, registry, "create", "Create a workflow", create,
                           [create](Session& s) { return Create(s, *create); });
  verb->add_option("name", create->name, "Workflow name")->required();
  verb->add_option("--url", create->url, "URL slug (default: derived from the name by the server)");
  verb->add_option("--config", create->config, "Configuration as JSON text, or @FILE");
  verb->footer("Example: limbo workflow create \"Count cats\" --config '{\"steps\": []}'");

  auto del = std::make_shared<DeleteOptions>();
  verb = AddVerb(*noun, registry, "delete", "Move a workflow to the Trash (restorable)", del,
                 [del](Session& s) { return Delete(s, *del); });
  verb->add_option("workflow", del->ref, "workspace/workflow or workflow")->required();
  AddYesFlag(*verb, del->yes);
  verb->footer("Example: limbo workflow delete acme/count-cats --yes");

  auto restore = std::make_shared<RestoreOptions>();
  verb = AddVerb(*noun, registry, "restore", "Restore a workflow from the Trash", restore,
                 [restore](Session& s) { return Restore(s, *restore); });
  verb->add_option("workflow", restore->ref, "workspace/workflow or workflow, as it was named when deleted")
      ->required();
  verb->add_option("--url", restore->new_url, "Restore under this URL (when another workflow took the old one)");
  verb->add_option("--id", restore->id, "The Trash item's workflow id, when several deleted workflows had the URL");
}

}  // namespace limbo::cli
