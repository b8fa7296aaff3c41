#include "format.h"
#include "table.h"
#include "trash_lookup.h"
#include "verb.h"

namespace limbo::cli {
namespace {

struct CreateOptions : CommonOptions {
  std::string name;
  std::string type = "object-detection";
  std::string annotation;
  std::string url;
  std::string group;
};

struct DeleteOptions : CommonOptions {
  std::string ref;
  bool yes = false;
  bool delete_images = false;
};

struct RestoreOptions : CommonOptions {
  std::string ref;
  std::string new_url;
  std::string id;
};

std::string GroupName(const nlohmann::json& project) {
  auto it = project.find("group");
  if (it == project.end() || it->is_null()) return "-";
  if (it->is_object()) return Text(*it, "name");
  return it->is_string() ? it->get<std::string>() : it->dump();
}

int List(Session& session) {
  auto client = session.Connect();
  if (!client) return session.Report(client.error());
  auto workspace = session.Workspace();
  if (!workspace) return session.Report(workspace.error());
  auto answer = (*client)->Get(client::Path({*workspace}));
  if (!answer) return session.Report(answer.error());
  nlohmann::json projects =
      Field(Field(answer->body, "workspace", nlohmann::json::object()), "projects", nlohmann::json::array());
  if (session.json()) {
    session.PrintJson({{"projects", projects}});
    return kExitOk;
  }
  if (projects.empty()) {
    session.out() << "No projects in " << *workspace << ". Create one with: limbo project create NAME\n";
    return kExitOk;
  }
  Table table({"PROJECT", "NAME", "TYPE", "IMAGES", "VERSIONS", "GROUP"});
  for (const auto& p : projects) {
    table.AddRow({*workspace + "/" + Text(p, "url"), Text(p, "name"), Text(p, "type"), Text(p, "images", "0"),
                  Text(p, "versions", "0"), GroupName(p)});
  }
  table.Print(session.out());
  return kExitOk;
}

int Create(Session& session, const CreateOptions& options) {
  auto client = session.Connect();
  if (!client) return session.Report(client.error());
  auto workspace = session.Workspace();
  if (!workspace) return session.Report(workspace.error());
  nlohmann::json body = {{"name", options.name},
                         {"type", options.type},
                         {"annotation", options.annotation.empty() ? options.name : options.annotation}};
  if (!options.url.empty()) body["url"] = options.url;
  if (!options.group.empty()) body["group"] = options.group;
  auto answer = (*client)->Post(client::Path({*workspace, "projects"}), body);
  if (!answer) return session.Report(answer.error());
  if (session.json()) {
    session.PrintJson(answer->body);
    return kExitOk;
  }
  // The answer is the bare project (as Roboflow's API answers a create); `id` is "workspace/slug".
  const nlohmann::json& project = answer->body;
  session.out() << "Created project " << *workspace << "/" << Text(project, "url") << " (" << Text(project, "projectId")
                << ").\n";
  return kExitOk;
}

int Delete(Session& session, const DeleteOptions& options) {
  auto target = session.TargetOf(options.ref, RefKind::kProject);
  if (!target) return session.Report(target.error());
  const client::Client& client = *target->client;
  const ObjectRef& ref = target->ref;
  std::string question = "Move project " + ref.ToString() + " and its versions to the Trash?";
  if (options.delete_images) {
    question += " Its images will also be removed from the Asset Library at cleanup, unless another project uses them.";
  }
  auto confirmed = session.Confirm(question, options.yes);
  if (!confirmed) return session.Report(confirmed.error());
  if (!*confirmed) {
    session.err() << "Cancelled; nothing was moved.\n";
    return kExitError;
  }
  client::Query query;
  if (options.delete_images) query.emplace_back("deleteImages", "true");
  auto answer = client.Delete(client::Path({ref.workspace, ref.name}), query);
  if (!answer) return session.Report(answer.error());
  PrintMovedToTrash(session, answer->body, "project", ref.ToString());
  return kExitOk;
}

int Restore(Session& session, const RestoreOptions& options) {
  auto parsed = ParseRef(options.ref, RefKind::kProject);
  if (!parsed) return session.Report(parsed.error());
  return RestoreOne(session, *parsed, RefKind::kProject, options.id, options.new_url);
}

}  // namespace

void AddProjectCommands(CLI::App& app, Registry& registry) {
  CLI::App* noun = app.add_subcommand("project", "Projects (datasets): list, create, move to the Trash, restore");
  noun->require_subcommand(1);

  AddVerb(*noun, registry, "list", "List the active projects of a workspace", std::make_shared<CommonOptions>(), List);

  auto create = std::make_shared<CreateOptions>();
  CLI::App* verb = AddVerb(*noun, registry, "create", "Create a project", create,
                           [create](Session& s) { return Create(s, *create); });
  verb->add_option("name", create->name, "Project name")->required();
  verb->add_option("-t,--type", create->type, "Project type")
      ->check(CLI::IsMember({"object-detection", "single-label-classification", "multi-label-classification",
                             "instance-segmentation", "semantic-segmentation", "keypoint-detection"}))
      ->capture_default_str();
  verb->add_option("-a,--annotation", create->annotation, "Annotation group (default: the name)");
  verb->add_option("--url", create->url, "URL slug (default: derived from the name by the server)");
  verb->add_option("--group", create->group, "Group (folder) id");
  verb->footer("Example: limbo project create \"Cats and dogs\" --type object-detection --workspace acme");

  auto del = std::make_shared<DeleteOptions>();
  verb = AddVerb(*noun, registry, "delete", "Move a project and its versions to the Trash (restorable)", del,
                 [del](Session& s) { return Delete(s, *del); });
  verb->add_option("project", del->ref, "workspace/project or project")->required();
  AddYesFlag(*verb, del->yes);
  verb->add_flag("--delete-images", del->delete_images,
                 "At cleanup, also remove its images from the Asset Library unless another project uses them");
  verb->footer(
      "Example: limbo project delete acme/cats --yes\nNothing is destroyed: restore with limbo project restore "
      "acme/cats");

  auto restore = std::make_shared<RestoreOptions>();
  verb = AddVerb(*noun, registry, "restore", "Restore a project from the Trash", restore,
                 [restore](Session& s) { return Restore(s, *restore); });
  verb->add_option("project", restore->ref, "workspace/project or project, as it was named when deleted")->required();
  verb->add_option("--url", restore->new_url, "Restore under this URL (when another project took the old one)");
  verb->add_option("--id", restore->id, "The Trash item's project id, when several deleted projects had the URL");
  verb->footer("Example: limbo project restore acme/cats");
}

}  // namespace limbo::cli
