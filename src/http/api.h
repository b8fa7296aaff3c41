#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "core/clock.h"
#include "domain/account_service.h"
#include "domain/content_service.h"
#include "domain/readiness.h"
#include "domain/server_time.h"
#include "domain/training_service.h"
#include "domain/trash_service.h"
#include "http/background_control.h"
#include "http/http_metrics.h"
#include "http/json_mapping.h"
#include "http/message.h"
#include "http/metrics_endpoint.h"
#include "http/router.h"
#include "http/server.h"

namespace limbo::http {

struct Services {
  domain::AccountService& accounts;
  domain::ContentService& content;
  domain::TrainingService& training;
  domain::TrashService& trash;
  BackgroundControl* background = nullptr;  // null in tests that drive the jobs themselves
  const core::Clock& clock;
  domain::ServerTime* dev_clock = nullptr;       // set only with --dev-clock
  const domain::Readiness* readiness = nullptr;  // GET /readyz; null where nothing is checked (fuzzing)
  const MetricsEndpoint* metrics = nullptr;      // GET /metrics; null: the registry alone, no token
};

// What a handler gets: the request, its path parameters, who is calling and in which workspace.
struct Ctx {
  Request& req;
  Params params;
  Services& svc;
  std::optional<domain::Principal> principal;
  std::optional<domain::Actor> actor;

  const std::string& Param(const std::string& name) const { return params.at(name); }
  const domain::Actor& A() const { return *actor; }
  // The body as a JSON object (an empty body is an empty object); 400 `invalid_json` otherwise.
  core::Result<Json> Body() const;
};

using HandlerFn = std::function<Response(Ctx&)>;

// Whether the request carries an API key (header, query string or JSON body), valid or not.
bool PresentsApiKey(const Request& req);

// The live session the request's `limbo_session` cookie names, with its CSRF token (X-CSRF-Token)
// checked on an unsafe method: 403 `csrf_code` without it. The one session check of every route
// that takes a session (Api's authentication, and the web routes where signing in is optional).
core::Result<domain::Principal> AuthenticateSessionCookie(const Request& req, domain::AccountService& accounts,
                                                          const char* csrf_code);

Response JsonResponse(int status, const Json& body);
// An answer whose JSON text is already written (JsonWriter).
Response JsonTextResponse(int status, std::string body);
Response ErrorResponse(const core::Error& e);
// The one place where error kinds become HTTP statuses.
int StatusFor(core::ErrorKind kind);

// Field readers for JSON bodies: a wrong type answers 400 naming the field.
core::Result<std::optional<std::string>> OptString(const Json& body, const char* field);
core::Result<std::string> ReqString(const Json& body, const char* field);
core::Result<std::optional<bool>> OptBool(const Json& body, const char* field);
core::Result<std::optional<std::int64_t>> OptInt(const Json& body, const char* field);
core::Result<std::optional<std::vector<std::string>>> OptStrings(const Json& body, const char* field);
// Parses a path segment as a positive version number.
core::Result<int> VersionNumber(const std::string& s);

// What a route's body is: JSON (or nothing) kept in memory, or an upload streamed to a file
// (Request::body_file) that only a caller with valid credentials may send.
enum class BodyKind { kJson, kUploadFile };

struct BodyLimits {
  std::size_t unauthenticated = 64 * 1024;                   // no credentials in header, query or cookie
  std::size_t json = 1024 * 1024;                            // an authenticated JSON body
  std::size_t upload = domain::kMaxUploadBytes + 64 * 1024;  // the upload route (multipart framing)
};

// The REST API and web routes: authentication per route, workspace resolution, dispatch.
class Api {
 public:
  explicit Api(Services svc);
  void Add(const std::string& method, const std::string& pattern, Access access, HandlerFn fn,
           BodyKind body = BodyKind::kJson);
  // The server's header-phase hook: routes and authenticates on the header alone. An unknown route
  // or bad credentials are answered before the body is read; without credentials only a small body
  // (which may carry "api_key") is read; the upload limit and a body on disk only for the upload
  // route with valid credentials. The principal it found is handed to Handle.
  Admission Admit(Request& req);
  Response Handle(Request& req);
  void SetBodyLimits(BodyLimits limits) { limits_ = limits; }
  const Router& router() const { return router_; }
  Services& services() { return svc_; }

 private:
  core::Result<domain::Principal> Authenticate(Ctx& ctx, Access access);
  // Security headers and the request id on every answer.
  void Dress(const Request& req, Response& res) const;
  // Dress, then the request's log line.
  // `started` is the clock's Monotonic() reading when the request came in.
  Response Finish(const Request& req, Response res, const Route* route, core::MonoTime started) const;

  Services svc_;
  Router router_;
  std::vector<HandlerFn> handlers_;  // parallel to router_.routes()
  std::vector<BodyKind> bodies_;     // parallel to router_.routes()
  BodyLimits limits_;
  HttpMetrics http_metrics_{core::metrics::Default()};  // per route, parallel to router_.routes()
};

// Shorthand for handlers: answer the error of a failed Result, or bind its value.
#define LIMBO_HTTP_TRY(lhs, expr)                                                                                \
  auto LIMBO_CONCAT(http_result_, __LINE__) = (expr);                                                            \
  if (!LIMBO_CONCAT(http_result_, __LINE__)) return ErrorResponse(LIMBO_CONCAT(http_result_, __LINE__).error()); \
  lhs = std::move(LIMBO_CONCAT(http_result_, __LINE__)).value()

#define LIMBO_HTTP_CHECK(expr)                                     \
  do {                                                             \
    auto http_status_ = (expr);                                    \
    if (!http_status_) return ErrorResponse(http_status_.error()); \
  } while (0)

// Registers every REST route (handlers/*.cc).
void RegisterRoutes(Api& api);

}  // namespace limbo::http
