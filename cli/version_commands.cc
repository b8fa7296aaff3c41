#include "format.h"
#include "table.h"
#include "trash_lookup.h"
#include "verb.h"

namespace limbo::cli {
namespace {

struct ProjectRefOptions : CommonOptions {
  std::string ref;
  std::string name;
};

struct DeleteOptions : CommonOptions {
  std::string ref;
  bool yes = false;
};

struct RestoreOptions : CommonOptions {
  std::string ref;
  std::string project_id;
};

std::string ModelState(const nlohmann::json& version) {
  auto it = version.find("model");
  if (it == version.end() || !it->is_object()) return "-";
  return Text(*it, "state");
}

int List(Session& session, const ProjectRefOptions& options) {
  auto target = session.TargetOf(options.ref, RefKind::kProject);
  if (!target) return session.Report(target.error());
  const client::Client& client = *target->client;
  const ObjectRef& ref = target->ref;
  auto answer = client.Get(client::Path({ref.workspace, ref.name}));
  if (!answer) return session.Report(answer.error());
  nlohmann::json versions = Field(answer->body, "versions", nlohmann::json::array());
  if (session.json()) {
    session.PrintJson({{"versions", versions}});
    return kExitOk;
  }
  if (versions.empty()) {
    session.out() << "No versions of " << ref.ToString() << ". Generate one with: limbo version create "
                  << ref.ToString() << '\n';
    return kExitOk;
  }
  Table table({"VERSION", "NAME", "IMAGES", "MODEL", "CREATED"});
  for (const auto& v : versions) {
    table.AddRow({ref.ToString() + "/" + Text(v, "version"), Text(v, "name"), Text(v, "images", "0"), ModelState(v),
                  FormatTime(Text(v, "createdAt"))});
  }
  table.Print(session.out());
  return kExitOk;
}

int Create(Session& session, const ProjectRefOptions& options) {
  auto target = session.TargetOf(options.ref, RefKind::kProject);
  if (!target) return session.Report(target.error());
  const client::Client& client = *target->client;
  const ObjectRef& ref = target->ref;
  nlohmann::json body = nlohmann::json::object();
  if (!options.name.empty()) body["name"] = options.name;
  auto answer = client.Post(client::Path({ref.workspace, ref.name, "versions"}), body);
  if (!answer) return session.Report(answer.error());
  if (session.json()) {
    session.PrintJson(answer->body);
    return kExitOk;
  }
  nlohmann::json version = Field(answer->body, "version", nlohmann::json::object());
  session.out() << "Generated version " << ref.ToString() << "/" << Text(version, "version") << " with "
                << Text(version, "images", "0") << " images.\n";
  return kExitOk;
}

int Delete(Session& session, const DeleteOptions& options) {
  auto target = session.TargetOf(options.ref, RefKind::kVersion);
  if (!target) return session.Report(target.error());
  const client::Client& client = *target->client;
  const ObjectRef& ref = target->ref;
  auto confirmed = session.Confirm("Move version " + ref.ToString() + " to the Trash?", options.yes);
  if (!confirmed) return session.Report(confirmed.error());
  if (!*confirmed) {
    session.err() << "Cancelled; nothing was moved.\n";
    return kExitError;
  }
  auto answer = client.Delete(client::Path({ref.workspace, ref.name, ref.version}));
  if (!answer) return session.Report(answer.error());
  PrintMovedToTrash(session, answer->body, "version", ref.ToString());
  return kExitOk;
}

int Restore(Session& session, const RestoreOptions& options) {
  auto parsed = ParseRef(options.ref, RefKind::kVersion);
  if (!parsed) return session.Report(parsed.error());
  return RestoreOne(session, *parsed, RefKind::kVersion, options.project_id, "");
}

}  // namespace

void AddVersionCommands(CLI::App& app, Registry& registry) {
  CLI::App* noun = app.add_subcommand("version", "Dataset versions: list, generate, move to the Trash, restore");
  noun->require_subcommand(1);

  auto list = std::make_shared<ProjectRefOptions>();
  CLI::App* verb = AddVerb(*noun, registry, "list", "List the active versions of a project", list,
                           [list](Session& s) { return List(s, *list); });
  verb->add_option("project", list->ref, "workspace/project or project")->required();

  auto create = std::make_shared<ProjectRefOptions>();
  verb = AddVerb(*noun, registry, "create", "Generate the next version of a project", create,
                 [create](Session& s) { return Create(s, *create); });
  verb->add_option("project", create->ref, "workspace/project or project")->required();
  verb->add_option("--name", create->name, "Version name (default: the server's, e.g. v3)");
  verb->footer("Example: limbo version create acme/cats");

  auto del = std::make_shared<DeleteOptions>();
  verb = AddVerb(*noun, registry, "delete", "Move a version to the Trash (restorable)", del,
                 [del](Session& s) { return Delete(s, *del); });
  verb->add_option("version", del->ref, "workspace/project/N or project/N")->required();
  AddYesFlag(*verb, del->yes);
  verb->footer("Example: limbo version delete acme/cats/3 --yes");

  auto restore = std::make_shared<RestoreOptions>();
  verb = AddVerb(*noun, registry, "restore", "Restore a version from the Trash (its project must be active)", restore,
                 [restore](Session& s) { return Restore(s, *restore); });
  verb->add_option("version", restore->ref, "workspace/project/N or project/N")->required();
  verb->add_option("--project-id", restore->project_id, "The project's id, when several deleted projects had the URL");
  verb->footer("Example: limbo version restore acme/cats/3");
}

}  // namespace limbo::cli
