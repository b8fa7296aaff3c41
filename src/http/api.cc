#include "http/api.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>

#include "core/crypto.h"
#include "http/text.h"

namespace limbo::http {

using core::Error;
using core::ErrorKind;
using core::Result;

namespace {

constexpr const char* kCsp =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; connect-src 'self'; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'self'; object-src 'none'";

bool Unsafe(const std::string& method) { return method != "GET" && method != "HEAD" && method != "OPTIONS"; }

// `Authorization: Bearer <key>`. The scheme is case-insensitive (RFC 7235 2.1: BEARER, bearer and
// BeArEr are all Bearer); any run of spaces or tabs may separate it from the key, and whitespace
// around the field value is not part of the key.
std::string BearerKey(const Request& req) {
  std::string_view auth = TrimOws(req.Header("authorization"));
  constexpr std::string_view kScheme = "bearer";
  if (auth.size() <= kScheme.size() || !IsOws(auth[kScheme.size()]) ||
      !AsciiIEquals(auth.substr(0, kScheme.size()), kScheme)) {
    return {};
  }
  return std::string(TrimOws(auth.substr(kScheme.size())));
}

// An API key from the header or the query string: known before the body is read.
std::string HeaderKey(const Request& req) {
  std::string key = BearerKey(req);
  if (!key.empty()) return key;
  if (auto* q = req.Query("api_key")) return *q;
  return {};
}

// An API key in a JSON body's "api_key".
std::string BodyKey(const Request& req) {
  if (!req.body.empty() && req.body.front() == '{' && req.body.find("\"api_key\"") != std::string::npos) {
    Json j = Json::parse(req.body, nullptr, false);
    if (j.is_object() && j.contains("api_key") && j["api_key"].is_string()) return j["api_key"].get<std::string>();
  }
  return {};
}

// An API key from the header, the query string or a JSON body's "api_key".
std::string PresentedKey(const Request& req) {
  std::string key = HeaderKey(req);
  if (!key.empty()) return key;
  return BodyKey(req);
}

bool AnnouncesBody(const Request& req) {
  if (!req.Header("transfer-encoding").empty()) return true;
  std::string_view cl = req.Header("content-length");
  return !cl.empty() && cl != "0";
}

// What Admit found, handed to Handle through Request::admitted.
struct Admitted {
  RouteMatch match;
  std::optional<domain::Principal> principal;
  std::optional<domain::Actor> actor;  // for routes under a workspace
  bool by_header_key = false;          // from a key in the header or query, which a body key cannot override
};

}  // namespace

bool PresentsApiKey(const Request& req) { return !PresentedKey(req).empty(); }

Result<domain::Principal> AuthenticateSessionCookie(const Request& req, domain::AccountService& accounts,
                                                    const char* csrf_code) {
  LIMBO_TRY(auto p, accounts.AuthenticateSession(std::string(req.Cookie("limbo_session"))));
  if (!Unsafe(req.method)) return p;
  std::string_view token = req.Header("x-csrf-token");
  if (token.empty() || !p.session || !core::ConstantTimeEquals(token, p.session->csrf_token)) {
    return Error::Forbidden("This request needs the session's CSRF token in the X-CSRF-Token header.", csrf_code);
  }
  return p;
}

int StatusFor(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::kInvalid:
      return 400;
    case ErrorKind::kUnauthorized:
      return 401;
    case ErrorKind::kForbidden:
      return 403;
    case ErrorKind::kNotFound:
      return 404;
    case ErrorKind::kConflict:
      return 409;
    case ErrorKind::kTooLarge:
      return 413;
    case ErrorKind::kUnsupported:
      return 415;
    case ErrorKind::kRateLimited:
      return 429;
    case ErrorKind::kUnavailable:
      return 503;
    case ErrorKind::kInternal:
      return 500;
  }
  return 500;
}

Response JsonResponse(int status, const Json& body) {
  Response r;
  r.status = status;
  r.body = body.dump(-1, ' ', false, Json::error_handler_t::replace);
  return r;
}

Response JsonTextResponse(int status, std::string body) {
  Response r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

Response ErrorResponse(const Error& e) {
  LogServerError(e);
  Response r = JsonResponse(StatusFor(e.kind), ErrorJson(e));
  if (e.kind == ErrorKind::kUnavailable) r.SetHeader("Retry-After", "1");
  return r;
}

Result<Json> Ctx::Body() const {
  if (req.body.empty()) return Json::object();
  Json j = Json::parse(req.body, nullptr, false);
  if (j.is_discarded()) return Error::Invalid("The request body is not valid JSON.", "invalid_json");
  if (!j.is_object()) return Error::Invalid("The request body must be a JSON object.", "invalid_json");
  return j;
}

Result<std::optional<std::string>> OptString(const Json& body, const char* field) {
  auto it = body.find(field);
  if (it == body.end() || it->is_null()) return std::optional<std::string>();
  if (!it->is_string()) return Error::Invalid(std::string("Field '") + field + "' must be a string.");
  return std::optional<std::string>(it->get<std::string>());
}

Result<std::string> ReqString(const Json& body, const char* field) {
  LIMBO_TRY(auto v, OptString(body, field));
  if (!v) return Error::Invalid(std::string("Field '") + field + "' is required.");
  return *v;
}

Result<std::optional<bool>> OptBool(const Json& body, const char* field) {
  auto it = body.find(field);
  if (it == body.end() || it->is_null()) return std::optional<bool>();
  if (!it->is_boolean()) return Error::Invalid(std::string("Field '") + field + "' must be true or false.");
  return std::optional<bool>(it->get<bool>());
}

Result<std::optional<std::int64_t>> OptInt(const Json& body, const char* field) {
  auto it = body.find(field);
  if (it == body.end() || it->is_null()) return std::optional<std::int64_t>();
  if (!it->is_number_integer()) return Error::Invalid(std::string("Field '") + field + "' must be an integer.");
  return std::optional<std::int64_t>(it->get<std::int64_t>());
}

Result<std::optional<std::vector<std::string>>> OptStrings(const Json& body, const char* field) {
  auto it = body.find(field);
  if (it == body.end() || it->is_null()) return std::optional<std::vector<std::string>>();
  if (!it->is_array()) return Error::Invalid(std::string("Field '") + field + "' must be an array of strings.");
  std::vector<std::string> out;
  for (const auto& v : *it) {
    if (!v.is_string()) return Error::Invalid(std::string("Field '") + field + "' must be an array of strings.");
    out.push_back(v.get<std::string>());
  }
  return std::optional(out);
}

Result<int> VersionNumber(const std::string& s) {
  if (s.empty() || s.size() > 9) return Error::NotFound("Version '" + s + "' was not found.");
  for (char c : s) {
    if (c < '0' || c > '9') return Error::NotFound("Version '" + s + "' was not found.");
  }
  int n = std::stoi(s);
  if (n <= 0) return Error::NotFound("Version '" + s + "' was not found.");
  return n;
}

Api::Api(Services svc) : svc_(std::move(svc)) {}

void Api::Add(const std::string& method, const std::string& pattern, Access access, HandlerFn fn, BodyKind body) {
  router_.Add(method, pattern, access, method + " " + pattern);
  http_metrics_.AddRoute(method, pattern);
  handlers_.push_back(std::move(fn));
  bodies_.push_back(body);
}

Admission Api::Admit(Request& req) {
  if (req.request_id.empty()) req.request_id = core::RandomToken(12);
  Admission a;
  a.body_limit = limits_.unauthenticated;
  auto st = std::make_shared<Admitted>();
  st->match = router_.Match(req.method, req.path);
  if (!st->match.route) {
    a.response = Handle(req);  // 404 or 405, without reading the body
    return a;
  }
  const Route& route = *st->match.route;
  std::size_t index = static_cast<std::size_t>(st->match.route - router_.routes().data());
  bool upload = bodies_[index] == BodyKind::kUploadFile;
  req.admitted = st;
  if (route.access == Access::kPublic) return a;
  // Without a body there is nothing to protect by answering early: Handle authenticates, inside
  // the request's one read transaction.
  if (!AnnouncesBody(req)) return a;

  std::string key = HeaderKey(req);
  std::string session(req.Cookie("limbo_session"));
  Response unauthorized =
      ErrorResponse(Error::Unauthorized("Authentication required: pass an API key as 'Authorization: Bearer <key>'."));
  Dress(req, unauthorized);
  if (key.empty() && session.empty()) {
    // Perhaps an "api_key" in a small JSON body; nothing larger is read without credentials.
    a.over_limit = std::move(unauthorized);
    return a;
  }
  Ctx ctx{req, st->match.params, svc_, std::nullopt, std::nullopt};
  auto principal = Authenticate(ctx, route.access);
  if (!principal) {
    // Credentials in the header that do not hold are answered now. A refused session cookie may
    // still be overridden by an "api_key" in a small body (as before), so that case reads one.
    if (!key.empty() || !AnnouncesBody(req)) {
      req.admitted.reset();
      a.response = Handle(req);
      return a;
    }
    Response refused = ErrorResponse(principal.error());
    Dress(req, refused);
    a.over_limit = std::move(refused);
    return a;
  }
  st->principal = std::move(principal).value();
  st->by_header_key = !key.empty();
  if (st->match.params.count("ws")) {
    // Not a member (or no such workspace) is answered before the body, like bad credentials.
    auto actor = svc_.accounts.ResolveActor(*st->principal, st->match.params["ws"]);
    core::Status allowed = actor ? core::Ok() : core::Status(actor.error());
    if (actor && upload) allowed = actor->Require(domain::Permission::kUploadImages);
    if (!actor && (st->by_header_key || !AnnouncesBody(req))) {
      req.admitted.reset();
      a.response = Handle(req);  // the same answer, through the usual path
      return a;
    }
    if (!actor) {
      // A session that is no member here might still be overridden by a key in a small body.
      Response refused = ErrorResponse(actor.error());
      Dress(req, refused);
      a.over_limit = std::move(refused);
      st->principal.reset();
      return a;
    }
    if (!allowed) {
      a.response = Finish(req, ErrorResponse(allowed.error()), st->match.route, svc_.clock.Monotonic());
      return a;
    }
    st->actor = std::move(actor).value();
  }
  a.body_limit = upload ? limits_.upload : limits_.json;
  a.body_to_file = upload;
  a.over_limit.reset();
  return a;
}

void Api::Dress(const Request& req, Response& res) const {
  res.SetHeader("X-Content-Type-Options", "nosniff");
  res.SetHeader("X-Frame-Options", "DENY");
  res.SetHeader("Referrer-Policy", "no-referrer");
  res.SetHeader("Content-Security-Policy", kCsp);
  // JSON is not kept by caches, unless the handler chose otherwise (a listing with an ETag).
  if (res.content_type == "application/json" && !res.HasHeader("Cache-Control")) {
    res.SetHeader("Cache-Control", "no-store");
  }
  if (!req.request_id.empty()) res.SetHeader("X-Request-Id", req.request_id);
}

Result<domain::Principal> Api::Authenticate(Ctx& ctx, Access access) {
  const Request& req = ctx.req;
  std::string key = PresentedKey(req);
  std::string session(req.Cookie("limbo_session"));
  switch (access) {
    case Access::kPublic:
      return domain::Principal{};
    case Access::kWebOnly: {
      Error web_only = Error::Forbidden("Permanent deletion is available only in the web app's Trash page.", "web_only")
                           .WithHint("Open Settings > Trash in the web app.");
      if (!key.empty() || session.empty()) return web_only;
      auto p = AuthenticateSessionCookie(req, svc_.accounts, "web_only");
      if (!p) return web_only;
      return p;
    }
    case Access::kSession: {
      if (!key.empty()) {
        return Error::Forbidden("This route belongs to the web app: API keys are not accepted here.",
                                "session_required");
      }
      if (session.empty()) return Error::Unauthorized("You are not signed in.");
      return AuthenticateSessionCookie(req, svc_.accounts, "csrf_required");
    }
    case Access::kApi: {
      if (!key.empty()) return svc_.accounts.AuthenticateApiKey(key);
      if (session.empty()) {
        return Error::Unauthorized("Authentication required: pass an API key as 'Authorization: Bearer <key>'.");
      }
      return AuthenticateSessionCookie(req, svc_.accounts, "csrf_required");
    }
  }
  return Error::Unauthorized("Authentication required.");
}

Response Api::Handle(Request& req) {
  core::MonoTime started = svc_.clock.Monotonic();
  if (req.request_id.empty()) req.request_id = core::RandomToken(12);
  Response res;
  auto admitted = std::static_pointer_cast<Admitted>(req.admitted);
  RouteMatch m = admitted ? admitted->match : router_.Match(req.method, req.path);
  if (!m.route) {
    res = m.path_matched
              ? ErrorResponse(Error{ErrorKind::kInvalid, "method_not_allowed", "This method is not allowed here.", {}})
              : ErrorResponse(
                    Error::NotFound("No route matches " + req.method + " " + req.path + ".", "route_not_found"));
    if (m.path_matched) res.status = 405;
  } else {
    // A read's authentication, membership and handler share one read transaction (one snapshot);
    // a write inside ends it, so what follows sees the write.
    std::optional<domain::ReadScope> scope;
    if (!Unsafe(req.method)) scope.emplace(svc_.accounts.store());
    Ctx ctx{req, m.params, svc_, std::nullopt, std::nullopt};
    // The principal Admit found stands unless a body key could change the answer: a key in the
    // header always beats one in the body; a session loses to a body key (kApi) or is refused with
    // one (kWebOnly).
    core::Result<domain::Principal> principal = Error::Unauthorized("Authentication required.");
    bool carried = admitted && admitted->principal && (admitted->by_header_key || BodyKey(req).empty());
    if (carried) {
      principal = *admitted->principal;
    } else {
      principal = Authenticate(ctx, m.route->access);
    }
    if (!principal) {
      res = ErrorResponse(principal.error());
    } else {
      ctx.principal = std::move(principal).value();
      bool ok = true;
      if (carried && admitted->actor) {
        ctx.actor = admitted->actor;
      } else if (m.route->access != Access::kPublic && m.params.count("ws")) {
        auto actor = svc_.accounts.ResolveActor(*ctx.principal, m.params["ws"]);
        if (!actor) {
          res = ErrorResponse(actor.error());
          ok = false;
        } else {
          ctx.actor = std::move(actor).value();
        }
      }
      if (ok) {
        std::size_t index = static_cast<std::size_t>(m.route - router_.routes().data());
        try {
          res = handlers_[index](ctx);
        } catch (const std::exception& e) {
          res = ErrorResponse(Error::Internal("The server failed to handle the request.").WithDetail(e.what()));
        }
      }
    }
  }
  return Finish(req, std::move(res), m.route, started);
}

namespace {
// A JSON string for the log: printable ASCII as it is (every path a client sends in practice),
// anything else through the JSON library, invalid UTF-8 replaced.
std::string LogString(std::string_view s) {
  bool plain = std::all_of(s.begin(), s.end(), [](char c) { return c >= 0x20 && c < 0x7f && c != '"' && c != '\\'; });
  if (!plain) return Json(std::string(s)).dump(-1, ' ', false, Json::error_handler_t::replace);
  std::string out;
  out.reserve(s.size() + 2);
  out += '"';
  out += s;
  out += '"';
  return out;
}
}  // namespace

Response Api::Finish(const Request& req, Response res, const Route* route, core::MonoTime started) const {
  Dress(req, res);
  core::MonoTime elapsed = svc_.clock.Monotonic() - started;
  http_metrics_.Observe(route ? static_cast<int>(route - router_.routes().data()) : -1, req.method, res.status,
                        elapsed);
  auto us = std::chrono::duration_cast<std::chrono::microseconds>(elapsed).count();
  // The path only: query strings may carry api_key, and bodies and cookies are never logged. An
  // invitation page's path is its link's secret, so only its prefix is.
  std::string_view logged_path =
      req.path.rfind("/app/invite/", 0) == 0 ? std::string_view("/app/invite/...") : std::string_view(req.path);
  spdlog::info(
      "{{\"event\":\"request\",\"id\":\"{}\",\"method\":\"{}\",\"path\":{},\"route\":{},\"status\":{},\"us\":{}}}",
      req.request_id, req.method, LogString(logged_path), LogString(route ? route->name : ""), res.status, us);
  return res;
}

}  // namespace limbo::http
