#include "http/handlers/handlers.h"
#include "http/paging.h"

namespace limbo::http::handlers {

void RegisterAudit(Api& api) {
  api.Add("GET", "/:ws/audit", Access::kApi, [](Ctx& c) {
    LIMBO_HTTP_TRY(auto page, ReadPage(c.req, {.fallback = 50, .min = 1, .max = 500}));
    std::optional<std::int64_t> before;
    if (page.cursor) {
      LIMBO_HTTP_TRY(auto cursor, ParseCursor(*page.cursor, [](const std::string& key) { return key == "audit"; }));
      before = cursor.id;
    }
    LIMBO_HTTP_TRY(auto events, c.svc.trash.Audit(c.A(), page.limit, before));
    Json out = Json::array();
    for (const auto& e : events.items) out.push_back(ToJson(e));
    Json next = nullptr;
    if (events.more) next = EncodeCursor("audit", events.items.back().id);
    return JsonResponse(200, Json{{"events", out}, {"nextCursor", next}});
  });
}

}  // namespace limbo::http::handlers
