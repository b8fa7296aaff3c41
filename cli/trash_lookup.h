#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "client/client.h"
#include "object_ref.h"
#include "session.h"

namespace limbo::cli {

// Every Trash item of `workspace`, following cursors; `type` ("project", ...), `query` and
// `sort` ("deletedAt", "scheduledCleanupAt", "name") are passed on when not empty.
Outcome<std::vector<nlohmann::json>> ListTrash(const client::Client& client, const std::string& workspace,
                                               const std::string& type, const std::string& query,
                                               const std::string& sort = {});

// The one Trash item `ref` (workspace filled in) names: a project or workflow by its URL, a
// version by its project's URL and number, a training run by its id. `id` picks among several same-named items.
// Not found → exit 3; several → exit 1 listing their ids.
Outcome<nlohmann::json> FindInTrash(const client::Client& client, const ObjectRef& ref, RefKind kind,
                                    const std::string& id = {});

// {"type", "id", "parentId"?}: how POST /:ws/trash/restore names a Trash item.
nlohmann::json RestoreReference(const nlohmann::json& item);

// "project acme/cats", "version acme/cats/3", "workflow acme/flow", "training acme/cats/3/j_1".
std::string ItemLabel(const std::string& workspace, const nlohmann::json& item);
// "acme/cats", "acme/cats/3", "acme/flow", "acme/cats/3/j_1" (or "training:acme/j_1" when the
// row does not tell its version): what `trash restore` accepts for the item.
std::string ItemRef(const std::string& workspace, const nlohmann::json& item);

// Finds `ref` in the Trash and restores it (with a new URL when `new_url` is set).
int RestoreOne(Session& session, const ObjectRef& ref, RefKind kind, const std::string& id, const std::string& new_url);

// Prints the answer of a DELETE that moved `label` to the Trash.
void PrintMovedToTrash(Session& session, const nlohmann::json& answer, const std::string& kind,
                       const std::string& label);

// The web app's Trash page, the only place where items are deleted permanently.
std::string TrashPageUrl(const std::string& api_url, const std::string& workspace);

}  // namespace limbo::cli
