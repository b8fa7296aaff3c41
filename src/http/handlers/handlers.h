#pragma once

#include "http/api.h"

namespace limbo::http::handlers {

// Each registers the routes of one resource; handlers parse, call one service, and map the answer.
// The file of each is named after its resource (handlers/<resource>.cc); routes.cc lists them all.
void RegisterWorkspaces(Api& api);  // the workspace itself, its settings and usage; /healthz
void RegisterProjects(Api& api);    // projects and their versions
void RegisterImages(Api& api);      // uploads, image listing and content
void RegisterTraining(Api& api);    // training jobs and inference
void RegisterTrainings(Api& api);   // a version's runs (v2 trainings) and their Trash routes
void RegisterWorkflows(Api& api);
void RegisterTrash(Api& api);  // listing, restore, and the web-only permanent deletion
void RegisterAudit(Api& api);
void RegisterMembers(Api& api);  // members and invitations
void RegisterRoles(Api& api);
void RegisterApiKeys(Api& api);
void RegisterGroups(Api& api);
void RegisterDevClock(Api& api);  // only with --dev-clock
void RegisterMetrics(Api& api);   // GET /metrics (Services::metrics says how; 404 where served elsewhere)

// The answer to moving a project, version or workflow to the Trash (trash.cc).
Json TrashedJson(const Ctx& c, const domain::TrashedResult& r, const char* type);

}  // namespace limbo::http::handlers
