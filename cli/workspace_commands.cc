#include "format.h"
#include "table.h"
#include "verb.h"

namespace limbo::cli {
namespace {

int List(Session& session) {
  auto client = session.Connect();
  if (!client) return session.Report(client.error());
  auto workspace = session.Workspace();
  if (!workspace) return session.Report(workspace.error());
  auto answer = (*client)->Get(client::Path({*workspace}));
  if (!answer) return session.Report(answer.error());
  nlohmann::json ws = Field(answer->body, "workspace", nlohmann::json::object());
  if (session.json()) {
    session.PrintJson({{"workspaces", nlohmann::json::array({ws})}});
    return kExitOk;
  }
  Table table({"URL", "NAME", "MEMBERS", "PROJECTS", "RETENTION"});
  size_t projects = ws.contains("projects") && ws["projects"].is_array() ? ws["projects"].size() : 0;
  std::string retention = ws.contains("retentionDays") && ws["retentionDays"].is_number_integer()
                              ? Days(ws["retentionDays"].get<std::int64_t>())
                              : "-";
  table.AddRow({Text(ws, "url"), Text(ws, "name"), Text(ws, "members"), std::to_string(projects), retention});
  table.Print(session.out());
  return kExitOk;
}

std::uint64_t Bytes(const nlohmann::json& usage, const char* field) {
  auto it = usage.find(field);
  return it != usage.end() && it->is_number() ? it->get<std::uint64_t>() : 0;
}

int Usage(Session& session) {
  auto client = session.Connect();
  if (!client) return session.Report(client.error());
  auto workspace = session.Workspace();
  if (!workspace) return session.Report(workspace.error());
  auto usage = (*client)->Get(client::Path({*workspace, "usage"}));
  if (!usage) return session.Report(usage.error());
  if (session.json()) {
    session.PrintJson(usage->body);
    return kExitOk;
  }
  std::uint64_t used = Bytes(usage->body, "storageBytes");
  std::uint64_t quota = Bytes(usage->body, "storageQuotaBytes");
  std::string storage = FormatBytes(used);
  if (quota > 0) storage += " of " + FormatBytes(quota) + " (" + std::to_string(used * 100 / quota) + "%)";
  auto& out = session.out();
  out << "Workspace " << *workspace << '\n';
  out << "  Storage used:      " << storage << '\n';
  // docs/TRASH.md, "Storage figures": active + held only by the Trash = storage used.
  if (usage->body.contains("activeBytes")) {
    out << "  Active:            " << FormatBytes(Bytes(usage->body, "activeBytes")) << '\n';
    out << "  Only in the Trash: " << FormatBytes(Bytes(usage->body, "trashOnlyBytes")) << '\n';
  } else if (usage->body.contains("trashBytes")) {
    out << "  Trash size:        " << FormatBytes(Bytes(usage->body, "trashBytes")) << '\n';
  }
  out << "  Reclaimable:       " << FormatBytes(Bytes(usage->body, "reclaimableBytes"))
      << "  (what emptying the Trash would free now)\n";
  if (usage->body.contains("images")) out << "  Images:            " << Text(usage->body, "images") << '\n';
  out << "  Trash items:       " << Text(usage->body, "trashItems", "0") << '\n';
  auto stale = usage->body.find("figuresStale");
  if (stale != usage->body.end() && stale->is_boolean() && stale->get<bool>())
    out << "  (the split of storage used is being recounted; the total is exact)\n";
  return kExitOk;
}

}  // namespace

void AddWorkspaceCommands(CLI::App& app, Registry& registry) {
  CLI::App* noun = app.add_subcommand("workspace", "Workspaces and their storage usage");
  noun->require_subcommand(1);
  AddVerb(*noun, registry, "list", "List the workspace the API key acts in", std::make_shared<CommonOptions>(), List);
  AddVerb(*noun, registry, "usage", "Show storage used, quota and what the Trash holds",
          std::make_shared<CommonOptions>(), Usage);
}

}  // namespace limbo::cli
