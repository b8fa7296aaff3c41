#include "http/handlers/handlers.h"

namespace limbo::http::handlers {

namespace {

core::Result<bool> DeleteImagesFlag(const Ctx& c) {
  if (auto* q = c.req.Query("deleteImages")) {
    if (*q == "true" || *q == "1") return true;
    if (*q == "false" || *q == "0" || q->empty()) return false;
    return core::Error::Invalid("Query parameter 'deleteImages' must be true or false.");
  }
  LIMBO_TRY(Json body, c.Body());
  LIMBO_TRY(auto flag, OptBool(body, "deleteImages"));
  return flag.value_or(false);
}

}  // namespace

void RegisterProjects(Api& api) {
  api.Add("GET", "/:ws/projects", Access::kApi, [](Ctx& c) {
    LIMBO_HTTP_TRY(auto projects, c.svc.content.ListProjects(c.A()));
    Json list = Json::array();
    for (const auto& p : projects) list.push_back(ToJson(p, c.A().workspace.url));
    return JsonResponse(200, Json{{"projects", list}});
  });

  api.Add("POST", "/:ws/projects", Access::kApi, [](Ctx& c) {
    LIMBO_HTTP_TRY(Json body, c.Body());
    domain::NewProject np;
    LIMBO_HTTP_TRY(np.name, ReqString(body, "name"));
    LIMBO_HTTP_TRY(np.type, ReqString(body, "type"));
    LIMBO_HTTP_TRY(auto annotation, OptString(body, "annotation"));
    np.annotation = annotation.value_or(np.name);
    LIMBO_HTTP_TRY(np.group, OptString(body, "group"));
    LIMBO_HTTP_TRY(np.url, OptString(body, "url"));
    LIMBO_HTTP_TRY(auto p, c.svc.content.CreateProject(c.A(), np));
    // The bare project, as Roboflow's API answers a create (its client reads it so).
    return JsonResponse(201, ToJson(p, c.A().workspace.url));
  });

  api.Add("GET", "/:ws/:project", Access::kApi, [](Ctx& c) {
    LIMBO_HTTP_TRY(auto d, c.svc.content.GetProjectDetail(c.A(), c.Param("project")));
    return JsonTextResponse(200, ProjectDetailJsonText(c.A().workspace, d));
  });

  api.Add("DELETE", "/:ws/:project", Access::kApi, [](Ctx& c) {
    LIMBO_HTTP_TRY(bool delete_images, DeleteImagesFlag(c));
    LIMBO_HTTP_TRY(auto r, c.svc.trash.TrashProject(c.A(), c.Param("project"), delete_images));
    Json j = TrashedJson(c, r, "project");
    j["project"] = r.project.url;
    j["projectId"] = r.project.id;
    j["deleteImages"] = delete_images;
    return JsonResponse(200, j);
  });

  api.Add("GET", "/:ws/:project/versions", Access::kApi, [](Ctx& c) {
    LIMBO_HTTP_TRY(auto d, c.svc.content.GetProjectDetail(c.A(), c.Param("project")));
    Json versions = Json::array();
    for (const auto& v : d.versions) versions.push_back(ToJson(v, c.A().workspace.url, d.project.url));
    return JsonResponse(200, Json{{"versions", versions}});
  });

  api.Add("POST", "/:ws/:project/versions", Access::kApi, [](Ctx& c) {
    LIMBO_HTTP_TRY(Json body, c.Body());
    LIMBO_HTTP_TRY(auto name, OptString(body, "name"));
    LIMBO_HTTP_TRY(auto v, c.svc.content.GenerateVersion(c.A(), c.Param("project"), name));
    return JsonResponse(201, Json{{"version", ToJson(v, c.A().workspace.url, c.Param("project"))}});
  });

  api.Add("GET", "/:ws/:project/:version", Access::kApi, [](Ctx& c) {
    LIMBO_HTTP_TRY(int n, VersionNumber(c.Param("version")));
    LIMBO_HTTP_TRY(auto v, c.svc.content.GetVersion(c.A(), c.Param("project"), n));
    return JsonResponse(200, Json{{"version", ToJson(v, c.A().workspace.url, c.Param("project"))}});
  });

  api.Add("DELETE", "/:ws/:project/:version", Access::kApi, [](Ctx& c) {
    LIMBO_HTTP_TRY(int n, VersionNumber(c.Param("version")));
    LIMBO_HTTP_TRY(auto r, c.svc.trash.TrashVersion(c.A(), c.Param("project"), n));
    Json j = TrashedJson(c, r, "version");
    j["project"] = r.project.url;
    j["projectId"] = r.project.id;
    j["version"] = std::to_string(n);
    return JsonResponse(200, j);
  });
}

}  // namespace limbo::http::handlers
