#include "http/handlers/handlers.h"

namespace limbo::http::handlers {

namespace {

// `config` given as a JSON text (Roboflow's `createWorkflow` query parameter): a JSON object, or empty.
core::Result<std::string> ConfigText(const std::string& text) {
  if (text.empty()) return std::string("{}");
  Json config = Json::parse(text, nullptr, false);
  if (config.is_discarded() || !config.is_object()) {
    return core::Error::Invalid("Query parameter 'config' must be a JSON object.");
  }
  return config.dump();
}

}  // namespace

void RegisterWorkflows(Api& api) {
  api.Add("GET", "/:ws/workflows", Access::kApi, [](Ctx& c) {
    LIMBO_HTTP_TRY(auto list, c.svc.content.ListWorkflows(c.A()));
    Json out = Json::array();
    for (const auto& w : list) out.push_back(ToJson(w));
    return JsonResponse(200, Json{{"workflows", out}});
  });

  api.Add("POST", "/:ws/workflows", Access::kApi, [](Ctx& c) {
    LIMBO_HTTP_TRY(Json body, c.Body());
    domain::NewWorkflow nw;
    LIMBO_HTTP_TRY(nw.name, ReqString(body, "name"));
    LIMBO_HTTP_TRY(nw.url, OptString(body, "url"));
    if (body.contains("config") && !body["config"].is_null()) {
      if (!body["config"].is_object())
        return ErrorResponse(core::Error::Invalid("Field 'config' must be a JSON object."));
      nw.config_json = body["config"].dump();
    }
    LIMBO_HTTP_TRY(auto w, c.svc.content.CreateWorkflow(c.A(), nw));
    return JsonResponse(201, Json{{"workflow", ToJson(w)}});
  });

  // Roboflow's create: `POST /:ws/createWorkflow?name=&url=&template=&config=` (config a JSON text).
  // `template` is accepted and not kept: a Limbo workflow is its name, url and config.
  api.Add("POST", "/:ws/createWorkflow", Access::kApi, [](Ctx& c) {
    domain::NewWorkflow nw;
    const std::string* name = c.req.Query("name");
    if (!name || name->empty()) return ErrorResponse(core::Error::Invalid("Query parameter 'name' is required."));
    nw.name = *name;
    if (const std::string* url = c.req.Query("url"); url && !url->empty()) nw.url = *url;
    if (const std::string* config = c.req.Query("config")) {
      LIMBO_HTTP_TRY(nw.config_json, ConfigText(*config));
    }
    LIMBO_HTTP_TRY(auto w, c.svc.content.CreateWorkflow(c.A(), nw));
    return JsonResponse(201, Json{{"workflow", ToJson(w)}});
  });

  api.Add("GET", "/:ws/workflows/:url", Access::kApi, [](Ctx& c) {
    LIMBO_HTTP_TRY(auto w, c.svc.content.GetWorkflow(c.A(), c.Param("url")));
    return JsonResponse(200, Json{{"workflow", ToJson(w)}});
  });

  api.Add("DELETE", "/:ws/workflows/:url", Access::kApi, [](Ctx& c) {
    LIMBO_HTTP_TRY(auto r, c.svc.trash.TrashWorkflow(c.A(), c.Param("url")));
    Json j = TrashedJson(c, r, "workflow");
    j["workflow"] = r.workflow.url;
    j["workflowId"] = r.workflow.id;
    return JsonResponse(200, j);
  });
}

}  // namespace limbo::http::handlers
