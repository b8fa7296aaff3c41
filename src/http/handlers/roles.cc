#include "http/handlers/handlers.h"

namespace limbo::http::handlers {

// Roles: named sets of permissions given to members.
void RegisterRoles(Api& api) {
  api.Add("GET", "/:ws/roles", Access::kApi, [](Ctx& c) {
    LIMBO_HTTP_TRY(auto roles, c.svc.accounts.ListRoles(c.A()));
    Json out = Json::array();
    for (const auto& r : roles) out.push_back(ToJson(r));
    return JsonResponse(200, out);
  });
  api.Add("POST", "/:ws/roles", Access::kApi, [](Ctx& c) {
    LIMBO_HTTP_TRY(Json body, c.Body());
    LIMBO_HTTP_TRY(auto name, ReqString(body, "name"));
    LIMBO_HTTP_TRY(auto perms, OptStrings(body, "permissions"));
    if (!perms) return ErrorResponse(core::Error::Invalid("Field 'permissions' is required."));
    LIMBO_HTTP_TRY(auto r, c.svc.accounts.CreateRole(c.A(), name, *perms));
    return JsonResponse(201, ToJson(r));
  });
  api.Add("PATCH", "/:ws/roles/:id", Access::kApi, [](Ctx& c) {
    LIMBO_HTTP_TRY(Json body, c.Body());
    LIMBO_HTTP_TRY(auto name, OptString(body, "name"));
    LIMBO_HTTP_TRY(auto perms, OptStrings(body, "permissions"));
    LIMBO_HTTP_TRY(auto r, c.svc.accounts.PatchRole(c.A(), c.Param("id"), name, perms));
    return JsonResponse(200, ToJson(r));
  });
  api.Add("DELETE", "/:ws/roles/:id", Access::kApi, [](Ctx& c) {
    LIMBO_HTTP_CHECK(c.svc.accounts.DeleteRole(c.A(), c.Param("id")));
    return JsonResponse(200, Json{{"deleted", true}, {"id", c.Param("id")}});
  });
}

}  // namespace limbo::http::handlers
