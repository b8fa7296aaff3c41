#include "core/time_format.h"
#include "http/handlers/handlers.h"

namespace limbo::http::handlers {

// Only with --dev-clock (tests and demos): moves the server's manual clock and runs the due work.
void RegisterDevClock(Api& api) {
  api.Add("POST", "/_dev/clock", Access::kApi, [](Ctx& c) {
    LIMBO_HTTP_TRY(Json body, c.Body());
    LIMBO_HTTP_TRY(auto secs, OptInt(body, "advanceSeconds"));
    if (!secs || *secs < 0 || *secs > 10LL * 365 * 24 * 3600) {
      return ErrorResponse(core::Error::Invalid("Field 'advanceSeconds' must be a non-negative integer."));
    }
    // Kept with the data first: a restarted server, or another on the database, goes on from here.
    LIMBO_HTTP_TRY(auto advanced, c.svc.dev_clock->AdvanceDevClock(*secs * core::kSecondMs));
    (void)advanced;
    if (c.svc.background) LIMBO_HTTP_CHECK(c.svc.background->RunToCompletion());
    return JsonResponse(200, Json{{"now", core::FormatIso8601(c.svc.clock.Now())}});
  });
}

}  // namespace limbo::http::handlers
