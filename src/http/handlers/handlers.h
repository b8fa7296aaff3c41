#pragma once

#include "http/api.h"

namespace limbo::http::handlers {

// Each registers the routes of one resource; handlers parse, call one service, and map the answer.
void RegisterWorkspaces(Api& api);
void RegisterProjects(Api& api);
void RegisterImages(Api& api);
void RegisterTraining(Api& api);
void RegisterWorkflows(Api& api);
void RegisterTrash(Api& api);
void RegisterAdministration(Api& api);
void RegisterDevClock(Api& api);

}  // namespace limbo::http::handlers
