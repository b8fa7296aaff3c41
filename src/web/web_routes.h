#pragma once

#include "http/api.h"

namespace limbo::web {

// The web app's pages and static files under /app/, and its session routes under /app/api/.
void RegisterWebRoutes(http::Api& api);

}  // namespace limbo::web
