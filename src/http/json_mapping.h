#pragma once

#include <nlohmann/json.hpp>

#include "core/result.h"
#include "domain/account_service.h"
#include "domain/content_service.h"
#include "domain/entities.h"
#include "domain/trash_service.h"

namespace limbo::http {

using Json = nlohmann::json;

// Domain values to the JSON shapes of SPEC 4.1 / docs/API.md.
// `ws_url` makes the Roboflow-style `id` "workspace/slug".
Json ToJson(const domain::Project& p, const std::string& ws_url);
Json ToJson(const domain::Version& v, const std::string& ws_url, const std::string& project_url);
Json ToJson(const domain::Image& img);
Json ToJson(const domain::Job& j, core::TimeMs now);
// A run as `GET /:ws/:project/:version/v2/trainings` lists it (SPEC 4.1 "Trainings").
Json TrainingJson(const domain::Job& j, const domain::Version& v, core::TimeMs now);
// The demo trainer's model kind, as the official client's `modelType` / `modelGroup` name it.
inline constexpr const char* kDemoModelType = "limbo-demo";
inline constexpr const char* kDemoModelGroup = "demo";
Json ToJson(const domain::Workflow& w);
Json ToJson(const domain::Group& g);
Json ToJson(const domain::Role& r);
Json ToJson(const domain::Member& m, const domain::Role& r);
Json ToJson(const domain::ApiKey& k);
Json ToJson(const domain::AuditEvent& e);
Json ToJson(const domain::User& u);
// A pending invitation as `GET /:ws/members` lists it (`"status": "invited"`); never its token.
Json ToJson(const domain::InvitationView& v);
// The web app's page that accepts an invitation.
std::string InviteUrl(const std::string& token);
Json WorkspaceSettingsJson(const domain::Workspace& ws);
// A Trash listing item, serialised directly (the listing is the hottest Trash route).
std::string TrashItemJsonText(const domain::TrashItem& t, core::TimeMs now);
class JsonWriter;
void WriteTrashItemJson(JsonWriter& w, const domain::TrashItem& t, core::TimeMs now);
// The reads a client polls, written directly: byte for byte what dumping the ToJson shapes above
// writes (keys in nlohmann::json's order), without building a tree.
void WriteProjectJson(JsonWriter& w, const domain::Project& p, const std::string& ws_url);
void WriteVersionJson(JsonWriter& w, const domain::Version& v, const std::string& ws_url,
                      const std::string& project_url);
void WriteJobJson(JsonWriter& w, const domain::Job& j, core::TimeMs now);
// GET /:ws: the workspace's settings, its member count and its active projects.
std::string WorkspaceJsonText(const domain::Workspace& ws, std::int64_t members,
                              const std::vector<domain::Project>& projects);
// GET /:ws/:project: the workspace's name and url, the project and its active versions.
std::string ProjectDetailJsonText(const domain::Workspace& ws, const domain::ProjectDetail& d);
// GET /:ws/usage (docs/TRASH.md, "Storage figures"; trashBytes and reclaimableStale are the old
// names of trashOnlyBytes and figuresStale, kept for existing clients).
std::string UsageJsonText(const domain::UsageReport& r);
// GET /:ws/jobs.
std::string JobsJsonText(const std::vector<domain::Job>& jobs, core::TimeMs now);
Json ItemRefJson(const domain::ItemRef& r);
// The body of an error: code, message and the user's hint. Never the error's internal detail.
Json ErrorJson(const core::Error& e);
// Logs an internal or unavailable error with its detail, the operator's view of what went wrong.
void LogServerError(const core::Error& e);
Json BatchJson(const domain::BatchResult& b, const char* done_key);

// Keyset cursors are opaque to clients: "<sort key>|<id>" in base64url.
std::string EncodeCursor(const std::string& key, std::int64_t id);
bool DecodeCursor(const std::string& cursor, std::string* key, std::int64_t* id);

}  // namespace limbo::http
