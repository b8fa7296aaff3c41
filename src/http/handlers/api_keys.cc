#include "http/handlers/handlers.h"

namespace limbo::http::handlers {

// API keys: the secret is shown once, at creation; no key ever reaches permanent deletion (T17).
void RegisterApiKeys(Api& api) {
  api.Add("GET", "/:ws/api-keys", Access::kApi, [](Ctx& c) {
    LIMBO_HTTP_TRY(auto keys, c.svc.accounts.ListApiKeys(c.A()));
    Json out = Json::array();
    for (const auto& k : keys) out.push_back(ToJson(k));
    return JsonResponse(200, out);
  });
  api.Add("POST", "/:ws/api-keys", Access::kApi, [](Ctx& c) {
    LIMBO_HTTP_TRY(Json body, c.Body());
    LIMBO_HTTP_TRY(auto name, ReqString(body, "name"));
    LIMBO_HTTP_TRY(auto k, c.svc.accounts.CreateApiKey(c.A(), name));
    Json j = ToJson(k.key);
    j["key"] = k.secret;
    return JsonResponse(201, j);
  });
  api.Add("DELETE", "/:ws/api-keys/:id", Access::kApi, [](Ctx& c) {
    LIMBO_HTTP_CHECK(c.svc.accounts.RevokeApiKey(c.A(), c.Param("id")));
    return JsonResponse(200, Json{{"revoked", true}, {"id", c.Param("id")}});
  });
}

}  // namespace limbo::http::handlers
