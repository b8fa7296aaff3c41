#include "http/handlers/handlers.h"

namespace limbo::http::handlers {

// Training jobs and the models they serve.
void RegisterTraining(Api& api) {
  api.Add("POST", "/:ws/:project/:version/train", Access::kApi, [](Ctx& c) {
    LIMBO_HTTP_TRY(int n, VersionNumber(c.Param("version")));
    LIMBO_HTTP_TRY(auto j, c.svc.training.Start(c.A(), c.Param("project"), n));
    return JsonResponse(201, Json{{"job", ToJson(j, c.svc.clock.Now())}});
  });

  api.Add("POST", "/:ws/:project/:version/train/cancel", Access::kApi, [](Ctx& c) {
    LIMBO_HTTP_TRY(int n, VersionNumber(c.Param("version")));
    LIMBO_HTTP_TRY(auto j, c.svc.training.Cancel(c.A(), c.Param("project"), n));
    return JsonResponse(200, Json{{"job", ToJson(j, c.svc.clock.Now())}});
  });

  api.Add("GET", "/:ws/jobs", Access::kApi, [](Ctx& c) {
    LIMBO_HTTP_TRY(auto jobs, c.svc.training.List(c.A()));
    return JsonTextResponse(200, JobsJsonText(jobs, c.svc.clock.Now()));
  });

  api.Add("GET", "/:ws/jobs/:id", Access::kApi, [](Ctx& c) {
    LIMBO_HTTP_TRY(auto j, c.svc.training.Get(c.A(), c.Param("id")));
    return JsonResponse(200, Json{{"job", ToJson(j, c.svc.clock.Now())}});
  });

  api.Add("GET", "/infer/:ws/:project/:version", Access::kApi, [](Ctx& c) {
    LIMBO_HTTP_TRY(int n, VersionNumber(c.Param("version")));
    LIMBO_HTTP_TRY(auto m, c.svc.training.Serving(c.A(), c.Param("project"), n));
    return JsonResponse(200, Json{{"model", Json{{"id", m.project.url + "/" + std::to_string(n)},
                                                 {"state", "serving"},
                                                 {"project", m.project.url},
                                                 {"version", n},
                                                 {"jobId", m.job.id},
                                                 {"trainer", "demo"}}},
                                  {"predictions", Json::array()}});
  });

  api.Add("GET", "/infer/workflows/:ws/:workflow", Access::kApi, [](Ctx& c) {
    LIMBO_HTTP_TRY(auto w, c.svc.content.GetWorkflow(c.A(), c.Param("workflow")));
    return JsonResponse(200, Json{{"workflow", ToJson(w)}, {"outputs", Json::array()}});
  });
}

}  // namespace limbo::http::handlers
