#include "core/build_info.h"
#include "core/time_format.h"
#include "http/handlers/handlers.h"

namespace limbo::http::handlers {

void RegisterWorkspaces(Api& api) {
  api.Add("GET", "/healthz", Access::kPublic, [](Ctx&) {
    return JsonResponse(200, Json{{"status", "ok"}, {"version", core::kVersion}, {"commit", core::kCommit}});
  });

  // For load balancers: 503 with the failed check's code while the server cannot serve (SPEC-silent;
  // docs/OPERATIONS.md). Without a check configured there is nothing to fail.
  api.Add("GET", "/readyz", Access::kPublic, [](Ctx& c) {
    if (c.svc.readiness != nullptr) LIMBO_HTTP_CHECK(c.svc.readiness->Check());
    return JsonResponse(200, Json{{"status", "ready"}});
  });

  // `POST /` answers as `GET /`: Roboflow's client checks its key with `POST /?api_key=`.
  auto welcome = [](Ctx& c) {
    LIMBO_HTTP_TRY(auto ws, c.svc.accounts.KeyWorkspace(*c.principal));
    return JsonResponse(200, Json{{"welcome", "Welcome to the Limbo API"}, {"workspace", ws.url}});
  };
  api.Add("GET", "/", Access::kApi, welcome);
  api.Add("POST", "/", Access::kApi, welcome);

  api.Add("GET", "/:ws", Access::kApi, [](Ctx& c) {
    LIMBO_HTTP_TRY(auto projects, c.svc.content.ListProjects(c.A()));
    LIMBO_HTTP_TRY(auto members, c.svc.accounts.MemberCount(c.A()));
    return JsonTextResponse(200, WorkspaceJsonText(c.A().workspace, members, projects));
  });

  api.Add("PATCH", "/:ws", Access::kApi, [](Ctx& c) {
    LIMBO_HTTP_TRY(Json body, c.Body());
    domain::WorkspacePatch patch;
    LIMBO_HTTP_TRY(patch.name, OptString(body, "name"));
    LIMBO_HTTP_TRY(auto days, OptInt(body, "retentionDays"));
    LIMBO_HTTP_TRY(patch.storage_quota_bytes, OptInt(body, "storageQuotaBytes"));
    if (days) {
      if (*days < 1 || *days > 365)
        return ErrorResponse(core::Error::Invalid("Field 'retentionDays' must be between 1 and 365."));
      patch.retention_days = static_cast<int>(*days);
    }
    LIMBO_HTTP_TRY(auto ws, c.svc.accounts.PatchWorkspace(c.A(), patch));
    return JsonResponse(200, Json{{"workspace", WorkspaceSettingsJson(ws)}});
  });

  api.Add("GET", "/:ws/usage", Access::kApi, [](Ctx& c) {
    LIMBO_HTTP_TRY(auto r, c.svc.content.GetUsage(c.A()));
    return JsonTextResponse(200, UsageJsonText(r));
  });
}

}  // namespace limbo::http::handlers
