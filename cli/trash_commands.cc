#include <map>

#include "format.h"
#include "table.h"
#include "trash_lookup.h"
#include "verb.h"

namespace limbo::cli {
namespace {

struct ListOptions : CommonOptions {
  std::string type;
  std::string query;
  std::string sort;
};

struct RestoreOptions : CommonOptions {
  std::vector<std::string> refs;
  bool all = false;
};

struct WebOnlyOptions : CommonOptions {
  std::vector<std::string> args;
};

std::string Note(const nlohmann::json& item) {
  std::string blocked = Text(item, "blockedReason", "");
  if (blocked == "parent_in_trash") {
    return Text(item, "type", "") == "training" ? "restore blocked: its project or version is in the Trash"
                                                : "restore blocked: project is in the Trash";
  }
  if (blocked == "restore_conflict") return "restore blocked: URL taken (restore with --url)";
  if (!blocked.empty()) return "restore blocked: " + blocked;
  if (Flag(item, "cleanupDeleteImages")) return "images removed at cleanup";
  return "";
}

std::string DaysLeft(const nlohmann::json& item) {
  auto it = item.find("daysRemaining");
  if (it == item.end() || !it->is_number()) return "-";
  auto days = it->get<std::int64_t>();
  return days <= 0 ? "due now" : Days(days);
}

void PrintSection(Session& session, const std::string& title, const std::string& workspace,
                  const std::vector<nlohmann::json>& items) {
  auto& out = session.out();
  out << title << " (" << items.size() << ")\n";
  if (items.empty()) {
    out << "  (none)\n";
    return;
  }
  Table table({"REF", "NAME", "DELETED BY", "DELETED", "DAYS LEFT", "SIZE", "NOTE"});
  for (const auto& item : items) {
    std::uint64_t size =
        item.contains("sizeBytes") && item["sizeBytes"].is_number() ? item["sizeBytes"].get<std::uint64_t>() : 0;
    table.AddRow({ItemRef(workspace, item), Text(item, "name"), Text(item, "deletedByName"),
                  FormatTime(Text(item, "deletedAt")), DaysLeft(item), FormatBytes(size), Note(item)});
  }
  table.Print(out, "  ");
}

int List(Session& session, const ListOptions& options) {
  auto client = session.Connect();
  if (!client) return session.Report(client.error());
  auto workspace = session.Workspace();
  if (!workspace) return session.Report(workspace.error());
  auto items = ListTrash(**client, *workspace, options.type, options.query, options.sort);
  if (!items) return session.Report(items.error());
  std::map<std::string, std::vector<nlohmann::json>> sections;
  for (const auto& item : *items) sections[Text(item, "type", "")].push_back(item);

  if (session.json()) {
    nlohmann::json out = {{"workspace", *workspace}, {"items", *items}};
    out["sections"] = {{"projects", sections["project"]},
                       {"versions", sections["version"]},
                       {"workflows", sections["workflow"]},
                       {"trainings", sections["training"]}};
    out["counts"] = {{"projects", sections["project"].size()},
                     {"versions", sections["version"].size()},
                     {"workflows", sections["workflow"].size()},
                     {"trainings", sections["training"].size()},
                     {"total", items->size()}};
    session.PrintJson(out);
    return kExitOk;
  }
  if (items->empty() && options.type.empty() && options.query.empty()) {
    session.out() << "The Trash of " << *workspace << " is empty.\n";
    return kExitOk;
  }
  if (options.type.empty() || options.type == "project")
    PrintSection(session, "Projects", *workspace, sections["project"]);
  if (options.type.empty() || options.type == "version")
    PrintSection(session, "Versions", *workspace, sections["version"]);
  if (options.type.empty() || options.type == "workflow")
    PrintSection(session, "Workflows", *workspace, sections["workflow"]);
  if (options.type.empty() || options.type == "training")
    PrintSection(session, "Trainings", *workspace, sections["training"]);
  if (!items->empty()) session.out() << "\nRestore with: limbo trash restore REF... (or --all)\n";
  return kExitOk;
}

// A `trash restore` argument: "[project:|version:|workflow:]workspace/name[/N]", or a training
// run's "[training:]workspace/project/N/ID" (or "training:workspace/ID").
struct ParsedItemRef {
  ObjectRef ref;
  std::vector<RefKind> kinds;  // the kinds it may name, tried in order
};

Outcome<ParsedItemRef> ParseItemRef(const std::string& text) {
  static const std::vector<std::pair<std::string, RefKind>> kPrefixes = {{"project:", RefKind::kProject},
                                                                         {"version:", RefKind::kVersion},
                                                                         {"workflow:", RefKind::kWorkflow},
                                                                         {"training:", RefKind::kTraining}};
  for (const auto& [prefix, kind] : kPrefixes) {
    if (text.starts_with(prefix)) {
      auto ref = ParseRef(text.substr(prefix.size()), kind);
      if (!ref) return Fail(ref.error());
      return ParsedItemRef{*ref, {kind}};
    }
  }
  size_t slashes = static_cast<size_t>(std::count(text.begin(), text.end(), '/'));
  if (slashes == 3) {
    auto ref = ParseRef(text, RefKind::kTraining);
    if (!ref) return Fail(ref.error());
    return ParsedItemRef{*ref, {RefKind::kTraining}};
  }
  if (slashes == 2) {
    auto ref = ParseRef(text, RefKind::kVersion);
    if (!ref) return Fail(ref.error());
    return ParsedItemRef{*ref, {RefKind::kVersion}};
  }
  auto ref = ParseRef(text, RefKind::kProject);
  if (!ref) return Fail(ref.error());
  return ParsedItemRef{*ref, {RefKind::kProject, RefKind::kWorkflow}};
}

// The Trash item an argument names; a bare name may be a project or a workflow, never both.
Outcome<nlohmann::json> FindItem(const client::Client& client, const ParsedItemRef& parsed) {
  std::vector<nlohmann::json> found;
  std::optional<Failure> not_found;
  for (RefKind kind : parsed.kinds) {
    auto item = FindInTrash(client, parsed.ref, kind);
    if (item) {
      found.push_back(*item);
    } else if (item.error().exit_code == kExitNotFound) {
      not_found = item.error();
    } else {
      return Fail(item.error());
    }
  }
  if (found.size() > 1) {
    return Fail(Failure::Error(
        "ambiguous_reference", "Both a project and a workflow named '" + parsed.ref.ToString() + "' are in the Trash.",
        "Say which: project:" + parsed.ref.ToString() + " or workflow:" + parsed.ref.ToString()));
  }
  if (found.empty()) {
    if (parsed.kinds.size() > 1) {
      return Fail(Failure::NotFound("not_in_trash",
                                    "No project or workflow '" + parsed.ref.ToString() + "' in the Trash.",
                                    "See what is there with: limbo trash list --workspace " + parsed.ref.workspace));
    }
    return Fail(*not_found);
  }
  return found.front();
}

std::string Key(const nlohmann::json& entry) {
  return Text(entry, "type", "") + "\n" + Text(entry, "id", "") + "\n" + Text(entry, "parentId", "");
}

// Labels by restore reference, also without parentId: batch answers may leave it out.
void AddLabel(std::map<std::string, std::string>& labels, const nlohmann::json& reference, const std::string& label) {
  labels[Key(reference)] = label;
  labels.emplace(Text(reference, "type", "") + "\n" + Text(reference, "id", "") + "\n", label);
}

// Prints a batch answer {"restored": [...], "failed": [...]}; exit 1 when anything failed.
int PrintBatch(Session& session, const nlohmann::json& answer, const std::string& workspace,
               const std::map<std::string, std::string>& labels) {
  auto label_of = [&](const nlohmann::json& entry) {
    auto it = labels.find(Key(entry));
    if (it == labels.end()) it = labels.find(Text(entry, "type", "") + "\n" + Text(entry, "id", "") + "\n");
    return it != labels.end() ? it->second : Text(entry, "type", "") + " " + Text(entry, "id", "");
  };
  nlohmann::json restored = Field(answer, "restored", nlohmann::json::array());
  nlohmann::json failed = Field(answer, "failed", nlohmann::json::array());
  if (session.json()) {
    session.PrintJson(answer);
  } else {
    for (const auto& entry : restored) session.out() << "Restored " << label_of(entry) << '\n';
    for (const auto& entry : failed) {
      nlohmann::json error = Field(entry, "error", nlohmann::json::object());
      session.out() << "Failed   " << label_of(entry) << ": " << Text(error, "message", "") << " ("
                    << Text(error, "code", "") << ")\n";
    }
    if (restored.empty() && failed.empty())
      session.out() << "Nothing to restore: the Trash of " << workspace << " is empty.\n";
  }
  return failed.empty() ? kExitOk : kExitError;
}

int Restore(Session& session, const RestoreOptions& options) {
  if (options.all == !options.refs.empty()) {
    return session.Report(Failure::Error("invalid_arguments", "Name the items to restore, or pass --all (not both).",
                                         "Example: limbo trash restore acme/cats acme/dogs/2"));
  }
  auto client = session.Connect();
  if (!client) return session.Report(client.error());

  std::map<std::string, std::string> labels;
  if (options.all) {
    auto workspace = session.Workspace();
    if (!workspace) return session.Report(workspace.error());
    auto items = ListTrash(**client, *workspace, "", "");
    if (!items) return session.Report(items.error());
    for (const auto& item : *items) AddLabel(labels, RestoreReference(item), ItemLabel(*workspace, item));
    auto answer = (*client)->Post(client::Path({*workspace, "trash", "restore-all"}));
    if (!answer) return session.Report(answer.error());
    return PrintBatch(session, answer->body, *workspace, labels);
  }

  std::string workspace;
  nlohmann::json references = nlohmann::json::array();
  for (const std::string& text : options.refs) {
    auto parsed = ParseItemRef(text);
    if (!parsed) return session.Report(parsed.error());
    auto resolved = session.Resolve(parsed->ref);
    if (!resolved) return session.Report(resolved.error());
    parsed->ref = *resolved;
    if (!workspace.empty() && workspace != parsed->ref.workspace) {
      return session.Report(
          Failure::Error("conflicting_workspace", "All items restored together must be in one workspace."));
    }
    workspace = parsed->ref.workspace;
    auto item = FindItem(**client, *parsed);
    if (!item) return session.Report(item.error());
    nlohmann::json reference = RestoreReference(*item);
    if (labels.contains(Key(reference))) continue;  // named twice: restore it once
    AddLabel(labels, reference, ItemLabel(workspace, *item));
    references.push_back(reference);
  }
  auto answer = (*client)->Post(client::Path({workspace, "trash", "restore"}), {{"items", references}});
  if (!answer) return session.Report(answer.error());
  return PrintBatch(session, answer->body, workspace, labels);
}

// `trash empty` and `trash delete`: permanent deletion lives only in the web app.
int WebOnly(Session& session, const WebOnlyOptions& options, const std::string& verb) {
  std::string api_url = kDefaultApiUrl;
  if (auto settings = session.LoadedSettings()) api_url = settings->api_url;
  std::string workspace;
  for (const std::string& arg : options.args) {
    auto colon = arg.find(':');
    std::string rest = colon == std::string::npos ? arg : arg.substr(colon + 1);
    auto slash = rest.find('/');
    if (!arg.starts_with("-") && slash != std::string::npos && slash > 0) {
      workspace = rest.substr(0, slash);
      break;
    }
  }
  if (workspace.empty()) {
    if (auto resolved = session.Workspace()) workspace = *resolved;  // best effort: offline still answers
  }
  std::string url = TrashPageUrl(api_url, workspace.empty() ? "WORKSPACE" : workspace);
  std::string message = "'limbo trash " + verb +
                        "' cannot delete anything: permanent deletion is available only on the web app's Trash page.";
  session.err() << message << "\n"
                << "Items in the Trash are removed automatically when their retention period ends.\n"
                << "To delete permanently now, open: " << url << '\n';
  if (session.json()) {
    session.PrintJson({{"error", {{"code", "web_only"}, {"message", message}, {"url", url}}}});
  } else {
    session.out() << url << '\n';
  }
  return kExitError;
}

void AddWebOnlyVerb(CLI::App& noun, Registry& registry, const std::string& name, const std::string& description) {
  auto options = std::make_shared<WebOnlyOptions>();
  CLI::App* verb = AddVerb(noun, registry, name, description, options,
                           [options, name](Session& s) { return WebOnly(s, *options, name); });
  verb->add_option("args", options->args, "Ignored")->expected(0, -1);
  verb->allow_extras();
}

}  // namespace

void AddTrashCommands(CLI::App& app, Registry& registry) {
  CLI::App* noun = app.add_subcommand(
      "trash", "The workspace Trash: list and restore deleted projects, versions, workflows, trainings");
  noun->require_subcommand(1);

  auto list = std::make_shared<ListOptions>();
  CLI::App* verb = AddVerb(*noun, registry, "list", "List the Trash, grouped by type, with days until cleanup", list,
                           [list](Session& s) { return List(s, *list); });
  verb->add_option("-t,--type", list->type, "Only one type")
      ->check(CLI::IsMember({"project", "version", "workflow", "training"}));
  verb->add_option("-q,--query", list->query, "Only items matching this text");
  verb->add_option("--sort", list->sort, "Order")->check(CLI::IsMember({"deletedAt", "scheduledCleanupAt", "name"}));
  verb->footer("Example: limbo trash list --type project --json");

  auto restore = std::make_shared<RestoreOptions>();
  verb = AddVerb(*noun, registry, "restore", "Restore items from the Trash, or everything with --all", restore,
                 [restore](Session& s) { return Restore(s, *restore); });
  verb->add_option(
      "refs", restore->refs,
      "Items: workspace/project, workspace/project/N, workspace/workflow, workspace/project/N/TRAINING_ID; prefix "
      "with project:, version:, workflow: or training: when a name is ambiguous");
  verb->add_flag("--all", restore->all, "Restore everything you may restore");
  verb->footer(
      "Examples:\n  limbo trash restore acme/cats acme/dogs/2 workflow:acme/count-cats acme/cats/1/j_4k2m9\n  limbo "
      "trash restore --all --workspace acme");

  AddWebOnlyVerb(*noun, registry, "empty",
                 "Not available here: prints where to empty the Trash (the web app) and exits 1");
  AddWebOnlyVerb(*noun, registry, "delete",
                 "Not available here: prints where to delete permanently (the web app) and exits 1");
}

}  // namespace limbo::cli
