#include "http/handlers/handlers.h"

namespace limbo::http {

void RegisterRoutes(Api& api) {
  handlers::RegisterWorkspaces(api);
  handlers::RegisterProjects(api);
  handlers::RegisterImages(api);
  handlers::RegisterTraining(api);
  handlers::RegisterTrainings(api);
  handlers::RegisterWorkflows(api);
  handlers::RegisterTrash(api);
  handlers::RegisterAudit(api);
  handlers::RegisterMembers(api);
  handlers::RegisterRoles(api);
  handlers::RegisterApiKeys(api);
  handlers::RegisterGroups(api);
  handlers::RegisterMetrics(api);
  if (api.services().dev_clock) handlers::RegisterDevClock(api);
}

}  // namespace limbo::http
