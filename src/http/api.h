#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "core/clock.h"
#include "domain/account_service.h"
#include "domain/content_service.h"
#include "domain/server_time.h"
#include "domain/training_service.h"
#include "domain/trash_service.h"
#include "http/json_mapping.h"
#include "http/message.h"
#include "http/router.h"

namespace limbo::jobs {
class Background;
}

namespace limbo::http {

struct Services {
  domain::AccountService& accounts;
  domain::ContentService& content;
  domain::TrainingService& training;
  domain::TrashService& trash;
  jobs::Background* background = nullptr;  // null in tests that drive the jobs themselves
  const core::Clock& clock;
  domain::ServerTime* dev_clock = nullptr;  // set only with --dev-clock
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

Response JsonResponse(int status, const Json& body);
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

// The REST API and web routes: authentication per route, workspace resolution, dispatch.
class Api {
 public:
  explicit Api(Services svc);
  void Add(const std::string& method, const std::string& pattern, Access access, HandlerFn fn);
  Response Handle(Request& req);
  const Router& router() const { return router_; }
  Services& services() { return svc_; }

 private:
  core::Result<domain::Principal> Authenticate(Ctx& ctx, Access access);

  Services svc_;
  Router router_;
  std::vector<HandlerFn> handlers_;  // parallel to router_.routes()
};

// Shorthand for handlers: answer the error of a failed Result, or bind its value.
#define LIMBO_HTTP_TRY(lhs, expr)                                          \
  auto LIMBO_CONCAT(http_result_, __LINE__) = (expr);                      \
  if (!LIMBO_CONCAT(http_result_, __LINE__)) return ErrorResponse(LIMBO_CONCAT(http_result_, __LINE__).error()); \
  lhs = std::move(LIMBO_CONCAT(http_result_, __LINE__)).value()

#define LIMBO_HTTP_CHECK(expr)                       \
  do {                                               \
    auto http_status_ = (expr);                      \
    if (!http_status_) return ErrorResponse(http_status_.error()); \
  } while (0)

// Registers every REST route (handlers/*.cc).
void RegisterRoutes(Api& api);

}  // namespace limbo::http
