#include <algorithm>

#include "http/handlers/handlers.h"

namespace limbo::http::handlers {

void RegisterAudit(Api& api) {
  api.Add("GET", "/:ws/audit", Access::kApi, [](Ctx& c) {
    int limit = 50;
    std::optional<std::int64_t> before;
    if (auto* s = c.req.Query("limit")) {
      try {
        limit = std::stoi(*s);
      } catch (...) {
        return ErrorResponse(core::Error::Invalid("Query parameter 'limit' must be a number."));
      }
    }
    if (auto* s = c.req.Query("cursor"); s && !s->empty()) {
      std::string key;
      std::int64_t id = 0;
      if (!DecodeCursor(*s, &key, &id) || key != "audit") {
        return ErrorResponse(
            core::Error::Invalid("Query parameter 'cursor' is not a cursor of this listing.", "invalid_cursor"));
      }
      before = id;
    }
    LIMBO_HTTP_TRY(auto events, c.svc.trash.Audit(c.A(), limit, before));
    Json out = Json::array();
    for (const auto& e : events) out.push_back(ToJson(e));
    Json next = nullptr;
    if (static_cast<int>(events.size()) == std::clamp(limit, 1, 500) && !events.empty()) {
      next = EncodeCursor("audit", events.back().id);
    }
    return JsonResponse(200, Json{{"events", out}, {"nextCursor", next}});
  });
}

}  // namespace limbo::http::handlers
