#include "http/handlers/handlers.h"

namespace limbo::http::handlers {

// Groups (project folders).
void RegisterGroups(Api& api) {
  api.Add("GET", "/:ws/groups", Access::kApi, [](Ctx& c) {
    LIMBO_HTTP_TRY(auto groups, c.svc.accounts.ListGroups(c.A()));
    Json out = Json::array();
    for (const auto& g : groups) out.push_back(ToJson(g));
    return JsonResponse(200, out);
  });
  api.Add("POST", "/:ws/groups", Access::kApi, [](Ctx& c) {
    LIMBO_HTTP_TRY(Json body, c.Body());
    LIMBO_HTTP_TRY(auto name, ReqString(body, "name"));
    LIMBO_HTTP_TRY(auto g, c.svc.accounts.CreateGroup(c.A(), name));
    return JsonResponse(201, ToJson(g));
  });
  api.Add("PATCH", "/:ws/groups/:id", Access::kApi, [](Ctx& c) {
    LIMBO_HTTP_TRY(Json body, c.Body());
    LIMBO_HTTP_TRY(auto name, ReqString(body, "name"));
    LIMBO_HTTP_TRY(auto g, c.svc.accounts.RenameGroup(c.A(), c.Param("id"), name));
    return JsonResponse(200, ToJson(g));
  });
  api.Add("DELETE", "/:ws/groups/:id", Access::kApi, [](Ctx& c) {
    LIMBO_HTTP_CHECK(c.svc.accounts.DeleteGroup(c.A(), c.Param("id")));
    return JsonResponse(200, Json{{"deleted", true}, {"id", c.Param("id")}});
  });
}

}  // namespace limbo::http::handlers
