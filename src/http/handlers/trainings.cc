#include "core/time_format.h"
#include "http/handlers/handlers.h"

namespace limbo::http::handlers {

// The runs of a version and their way to and from the Trash (SPEC 4.1 "Trainings", T16), on the
// routes of the official `roboflow` client.
void RegisterTrainings(Api& api) {
  api.Add("GET", "/:ws/:project/:version/v2/trainings", Access::kApi, [](Ctx& c) {
    LIMBO_HTTP_TRY(int n, VersionNumber(c.Param("version")));
    LIMBO_HTTP_TRY(auto runs, c.svc.training.OfVersion(c.A(), c.Param("project"), n));
    auto now = c.svc.clock.Now();
    Json out = Json::array();
    for (const auto& j : runs.runs) out.push_back(TrainingJson(j, runs.version, now));
    return JsonResponse(200, Json{{"trainings", out}});
  });

  api.Add("POST", "/:ws/:project/:version/v2/trainings/delete", Access::kApi, [](Ctx& c) {
    LIMBO_HTTP_TRY(int n, VersionNumber(c.Param("version")));
    LIMBO_HTTP_TRY(Json body, c.Body());
    LIMBO_HTTP_TRY(auto id, OptString(body, "trainingId"));
    if (id && id->empty()) id.reset();
    LIMBO_HTTP_TRY(auto r, c.svc.trash.TrashTraining(c.A(), c.Param("project"), n, id));
    Json out{{"trainingId", r.training_id}, {"inTrash", true}, {"alreadyInTrash", r.already_in_trash}};
    if (!r.already_in_trash) out["scheduledCleanupAt"] = core::FormatIso8601(r.item.cleanup_at);
    return JsonResponse(200, out);
  });

  api.Add("POST", "/:ws/:project/:version/v2/trainings/restore", Access::kApi, [](Ctx& c) {
    LIMBO_HTTP_TRY(int n, VersionNumber(c.Param("version")));
    LIMBO_HTTP_TRY(Json body, c.Body());
    LIMBO_HTTP_TRY(std::string id, ReqString(body, "trainingId"));
    LIMBO_HTTP_CHECK(c.svc.trash.RestoreTraining(c.A(), c.Param("project"), n, id));
    return JsonResponse(200, Json{{"trainingId", id}, {"restored", true}});
  });
}

}  // namespace limbo::http::handlers
