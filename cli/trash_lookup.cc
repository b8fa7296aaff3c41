#include "trash_lookup.h"

#include <set>

#include "format.h"

namespace limbo::cli {
namespace {

std::string StringOf(const nlohmann::json& item, const char* field) {
  auto it = item.find(field);
  if (it == item.end() || it->is_null()) return {};
  return it->is_string() ? it->get<std::string>() : it->dump();
}

// The project URL of a version's or a training's Trash row.
std::string ParentUrl(const nlohmann::json& item) {
  std::string project = StringOf(item, "parentUrl");
  return project.empty() ? StringOf(item, "url") : project;
}

// The version number of a training's Trash row, when the row tells it.
std::string RunVersion(const nlohmann::json& item) {
  for (const char* field : {"version", "parentVersion", "versionNumber"}) {
    std::string version = StringOf(item, field);
    if (!version.empty()) return version;
  }
  auto location = item.find("location");
  if (location != item.end() && location->is_object()) {
    auto version = location->find("version");
    if (version != location->end() && version->is_object()) {
      for (const char* field : {"version", "number"}) {
        std::string number = StringOf(*version, field);
        if (!number.empty()) return number;
      }
    }
  }
  return {};
}

bool Matches(const nlohmann::json& item, const ObjectRef& ref, RefKind kind) {
  if (StringOf(item, "type") != KindName(kind)) return false;
  if (kind == RefKind::kTraining) {
    // A run is named by its id; the project and version, when given, must agree with the row's.
    if (StringOf(item, "id") != ref.training) return false;
    if (!ref.name.empty() && !ParentUrl(item).empty() && ParentUrl(item) != ref.name) return false;
    return ref.version.empty() || RunVersion(item).empty() || RunVersion(item) == ref.version;
  }
  if (kind == RefKind::kVersion) {
    std::string project = StringOf(item, "parentUrl");
    if (project.empty()) project = StringOf(item, "url");
    return project == ref.name && StringOf(item, "id") == ref.version;
  }
  return StringOf(item, "url") == ref.name;
}

}  // namespace

Outcome<std::vector<nlohmann::json>> ListTrash(const client::Client& client, const std::string& workspace,
                                               const std::string& type, const std::string& query,
                                               const std::string& sort) {
  std::vector<nlohmann::json> items;
  std::set<std::string> seen_cursors;
  std::string cursor;
  while (true) {
    client::Query params = {{"limit", "100"}};
    if (!type.empty()) params.emplace_back("type", type);
    if (!query.empty()) params.emplace_back("q", query);
    if (!sort.empty()) params.emplace_back("sort", sort);
    if (!cursor.empty()) params.emplace_back("cursor", cursor);
    auto page = client.Get(client::Path({workspace, "trash"}), params);
    if (!page) return Fail(Failure::FromApi(page.error()));
    auto it = page->body.find("items");
    if (it == page->body.end() || !it->is_array()) {
      return Fail(Failure::Error("unexpected_response", "The Trash listing has no \"items\" array."));
    }
    for (auto& item : *it) items.push_back(std::move(item));
    cursor = StringOf(page->body, "nextCursor");
    if (cursor.empty() || !seen_cursors.insert(cursor).second) break;
  }
  return items;
}

Outcome<nlohmann::json> FindInTrash(const client::Client& client, const ObjectRef& ref, RefKind kind,
                                    const std::string& id) {
  // Versions are matched by project URL and number, runs by id: a text search need not cover them.
  std::string query = kind == RefKind::kVersion || kind == RefKind::kTraining ? "" : ref.name;
  auto items = ListTrash(client, ref.workspace, KindName(kind), query);
  if (!items) return Fail(items.error());
  std::vector<nlohmann::json> found;
  const char* id_field = kind == RefKind::kVersion ? "parentId" : "id";
  for (const auto& item : *items) {
    if (Matches(item, ref, kind) && (id.empty() || StringOf(item, id_field) == id)) found.push_back(item);
  }
  if (found.empty()) {
    return Fail(Failure::NotFound("not_in_trash",
                                  std::string("No ") + KindName(kind) + " '" + ref.ToString() + "' in the Trash.",
                                  "See what is there with: limbo trash list --workspace " + ref.workspace));
  }
  if (found.size() > 1) {
    std::string ids;
    for (const auto& item : found) {
      ids += "\n  " + StringOf(item, kind == RefKind::kVersion ? "parentId" : "id") + "  deleted " +
             FormatTime(StringOf(item, "deletedAt"));
    }
    return Fail(Failure::Error(
        "ambiguous_reference",
        std::to_string(found.size()) + " deleted " + KindName(kind) + "s match '" + ref.ToString() + "':" + ids,
        std::string("Pick one with: limbo ") + KindName(kind) + " restore " + ref.ToString() +
            (kind == RefKind::kVersion ? " --project-id PROJECT_ID" : " --id ID")));
  }
  return found.front();
}

nlohmann::json RestoreReference(const nlohmann::json& item) {
  nlohmann::json reference = {{"type", StringOf(item, "type")}, {"id", StringOf(item, "id")}};
  std::string type = StringOf(item, "type");
  std::string parent = StringOf(item, "parentId");
  if (type == "version" || (type == "training" && !parent.empty())) reference["parentId"] = parent;
  return reference;
}

std::string ItemRef(const std::string& workspace, const nlohmann::json& item) {
  std::string type = StringOf(item, "type");
  if (type == "training") {
    // workspace/project/N/ID when the row tells project and version, else training:workspace/ID.
    std::string project = ParentUrl(item);
    std::string version = RunVersion(item);
    if (!project.empty() && !version.empty())
      return workspace + "/" + project + "/" + version + "/" + StringOf(item, "id");
    return "training:" + workspace + "/" + StringOf(item, "id");
  }
  if (type == "version") {
    std::string project = StringOf(item, "parentUrl");
    if (project.empty()) project = StringOf(item, "url");
    return workspace + "/" + project + "/" + StringOf(item, "id");
  }
  return workspace + "/" + StringOf(item, "url");
}

std::string ItemLabel(const std::string& workspace, const nlohmann::json& item) {
  std::string ref = ItemRef(workspace, item);
  if (ref.starts_with("training:")) ref = ref.substr(9);  // "training training:..." reads badly
  return StringOf(item, "type") + " " + ref;
}

int RestoreOne(Session& session, const ObjectRef& parsed, RefKind kind, const std::string& id,
               const std::string& new_url) {
  auto client = session.Connect();
  if (!client) return session.Report(client.error());
  auto ref = session.Resolve(parsed);
  if (!ref) return session.Report(ref.error());
  auto item = FindInTrash(**client, *ref, kind, id);
  if (!item) return session.Report(item.error());
  nlohmann::json body = RestoreReference(*item);
  if (!new_url.empty()) body["url"] = new_url;
  auto answer = (*client)->Post(client::Path({ref->workspace, "trash", "restore"}), body);
  if (!answer) {
    Failure failure = Failure::FromApi(answer.error());
    if (failure.code == "restore_conflict" && failure.hint.empty()) {
      failure.hint = "Another active " + std::string(KindName(kind)) +
                     " has that URL now; restore under a new one with --url NEW_URL.";
    } else if (failure.code == "parent_in_trash" && failure.hint.empty()) {
      failure.hint = "Restore the project first: limbo project restore " + ref->workspace + "/" + ref->name;
    }
    return session.Report(failure);
  }
  if (session.json()) {
    session.PrintJson(answer->body);
    return kExitOk;
  }
  std::string label = kind == RefKind::kVersion || kind == RefKind::kTraining
                          ? ref->ToString()
                          : ref->workspace + "/" + (new_url.empty() ? ref->name : new_url);
  session.out() << "Restored " << KindName(kind) << " " << label << ".\n";
  return kExitOk;
}

void PrintMovedToTrash(Session& session, const nlohmann::json& answer, const std::string& kind,
                       const std::string& label) {
  if (session.json()) {
    session.PrintJson(answer);
    return;
  }
  session.out() << "Moved " << kind << " " << label << " to the Trash.";
  std::string cleanup = StringOf(answer, "scheduledCleanupAt");
  if (!cleanup.empty()) session.out() << " It can be restored until " << FormatTime(cleanup) << ".";
  session.out() << "\nRestore it with: limbo " << kind << " restore " << label << '\n';
}

std::string TrashPageUrl(const std::string& api_url, const std::string& workspace) {
  return api_url + "/app/" + client::Escape(workspace) + "/settings/trash";
}

}  // namespace limbo::cli
