#include "web/web_routes.h"

#include "core/time_format.h"
#include "http/same_origin.h"
#include "web/assets.h"

namespace limbo::web {

using http::Access;
using http::Ctx;
using http::ErrorResponse;
using http::Json;
using http::JsonResponse;
using http::Response;

namespace {

std::string ContentType(std::string_view path) {
  auto dot = path.rfind('.');
  std::string_view ext = dot == std::string_view::npos ? "" : path.substr(dot + 1);
  if (ext == "html") return "text/html; charset=utf-8";
  if (ext == "js" || ext == "mjs") return "text/javascript; charset=utf-8";
  if (ext == "css") return "text/css; charset=utf-8";
  if (ext == "svg") return "image/svg+xml";
  if (ext == "png") return "image/png";
  if (ext == "ico") return "image/x-icon";
  if (ext == "json") return "application/json";
  if (ext == "woff2") return "font/woff2";
  return "application/octet-stream";
}

const EmbeddedFile* Find(std::string_view path) {
  for (const auto& f : Assets()) {
    if (f.path == path) return &f;
  }
  return nullptr;
}

Response Serve(const EmbeddedFile& f, bool cacheable) {
  Response r;
  r.content_type = ContentType(f.path);
  r.body = std::string(f.data);
  r.SetHeader("Cache-Control", cacheable ? "no-cache" : "no-store");
  return r;
}

Response Page() {
  const EmbeddedFile* index = Find("index.html");
  if (!index) return ErrorResponse(core::Error::NotFound("The web app is not part of this build.", "route_not_found"));
  return Serve(*index, false);
}

Json SessionJson(const domain::User& user, const std::string& csrf,
                 const std::vector<domain::WorkspaceMembership>& memberships) {
  Json ws = Json::array();
  for (const auto& m : memberships) {
    ws.push_back(Json{{"url", m.workspace.url},
                      {"name", m.workspace.name},
                      {"role", m.role.id},
                      {"roleName", m.role.name},
                      {"permissions", m.role.permissions.Names()}});
  }
  return Json{{"user", http::ToJson(user)}, {"csrfToken", csrf}, {"workspaces", ws}};
}

std::string CookieFlags(const http::Request& req) {
  std::string flags = "; Path=/; HttpOnly; SameSite=Strict";
  if (req.Header("x-forwarded-proto") == "https") flags += "; Secure";
  return flags;
}

// The invitation and account routes take no API key (T17), and, like sign-in, only JSON from the
// app's own origin: accepting an invitation signs a browser in.
core::Status WebAppRequest(const http::Request& req) {
  if (http::PresentsApiKey(req)) {
    return core::Error::Forbidden("This route belongs to the web app: API keys are not accepted here.",
                                  "session_required");
  }
  if (req.method == "GET") return core::Ok();
  return http::RequireSameOriginJson(req);
}

// The signed-in user, when the request has a live session and its CSRF token (the Api's session
// check; these routes are POSTs, so the token is always checked).
std::optional<domain::Principal> SignedIn(Ctx& c) {
  if (c.req.Cookie("limbo_session").empty()) return std::nullopt;
  auto p = http::AuthenticateSessionCookie(c.req, c.svc.accounts, "csrf_required");
  if (!p) return std::nullopt;
  return std::move(p).value();
}

Response SignedInResponse(Ctx& c, const domain::LoginResult& login, const Json& extra) {
  domain::Principal p;
  p.user = login.user;
  auto memberships = c.svc.accounts.Memberships(p);
  if (!memberships) return ErrorResponse(memberships.error());
  Json body = SessionJson(login.user, login.csrf_token, *memberships);
  for (auto& [k, v] : extra.items()) body[k] = v;
  Response r = JsonResponse(200, body);
  r.SetHeader("Set-Cookie", "limbo_session=" + login.session_id + CookieFlags(c.req) +
                                "; Max-Age=" + std::to_string(domain::kSessionLifetimeMs / 1000));
  return r;
}

}  // namespace

void RegisterWebRoutes(http::Api& api) {
  // Sign-in and re-authentication take a password, so a page of another site must not be able to
  // send them (login CSRF): JSON from the app's own origin only.
  api.Add("POST", "/app/api/login", Access::kPublic, [](Ctx& c) {
    LIMBO_HTTP_CHECK(http::RequireSameOriginJson(c.req));
    LIMBO_HTTP_TRY(Json body, c.Body());
    LIMBO_HTTP_TRY(auto email, http::ReqString(body, "email"));
    LIMBO_HTTP_TRY(auto password, http::ReqString(body, "password"));
    LIMBO_HTTP_TRY(auto login, c.svc.accounts.Login(email, password, c.req.remote_addr));
    return SignedInResponse(c, login, Json::object());
  });

  // Sudo mode: the signed-in user enters their password again before a permanent deletion.
  api.Add("POST", "/app/api/reauth", Access::kSession, [](Ctx& c) {
    LIMBO_HTTP_CHECK(http::RequireSameOriginJson(c.req));
    LIMBO_HTTP_TRY(Json body, c.Body());
    LIMBO_HTTP_TRY(auto password, http::ReqString(body, "password"));
    LIMBO_HTTP_TRY(auto until, c.svc.accounts.Reauthenticate(*c.principal, password, c.req.remote_addr));
    return JsonResponse(200, Json{{"reauthenticated", true}, {"sudoExpiresAt", core::FormatIso8601(until)}});
  });

  api.Add("POST", "/app/api/logout", Access::kSession, [](Ctx& c) {
    LIMBO_HTTP_CHECK(c.svc.accounts.Logout(std::string(c.req.Cookie("limbo_session"))));
    Response r = JsonResponse(200, Json{{"loggedOut", true}});
    r.SetHeader("Set-Cookie", "limbo_session=" + CookieFlags(c.req) + "; Max-Age=0");
    return r;
  });

  api.Add("GET", "/app/api/session", Access::kSession, [](Ctx& c) {
    LIMBO_HTTP_TRY(auto memberships, c.svc.accounts.Memberships(*c.principal));
    return JsonResponse(200, SessionJson(c.principal->user, c.principal->session->csrf_token, memberships));
  });

  // Invitations (SPEC T17): the invite page reads its invitation and accepts it with the link's token.
  api.Add("POST", "/app/api/invitations/lookup", Access::kPublic, [](Ctx& c) {
    LIMBO_HTTP_CHECK(WebAppRequest(c.req));
    LIMBO_HTTP_TRY(Json body, c.Body());
    LIMBO_HTTP_TRY(auto token, http::ReqString(body, "token"));
    LIMBO_HTTP_TRY(auto preview, c.svc.accounts.PreviewInvitation(token));
    Json out{{"invitation", http::ToJson(preview.view)}, {"accountExists", preview.account_exists}};
    if (auto p = SignedIn(c)) out["signedInAs"] = p->user.email;
    return JsonResponse(200, out);
  });

  api.Add("POST", "/app/api/invitations/accept", Access::kPublic, [](Ctx& c) {
    LIMBO_HTTP_CHECK(WebAppRequest(c.req));
    LIMBO_HTTP_TRY(Json body, c.Body());
    LIMBO_HTTP_TRY(auto token, http::ReqString(body, "token"));
    LIMBO_HTTP_TRY(auto name, http::OptString(body, "name"));
    LIMBO_HTTP_TRY(auto password, http::OptString(body, "password"));
    auto signed_in = SignedIn(c);
    std::optional<domain::User> user;
    if (signed_in) user = signed_in->user;
    LIMBO_HTTP_TRY(auto accepted, c.svc.accounts.AcceptInvitation(token, user, name.value_or(""), password.value_or(""),
                                                                  c.req.remote_addr));
    Json extra{{"workspace", accepted.workspace.url}};
    if (accepted.login) return SignedInResponse(c, *accepted.login, extra);
    LIMBO_HTTP_TRY(auto memberships, c.svc.accounts.Memberships(*signed_in));
    Json out = SessionJson(signed_in->user, signed_in->session->csrf_token, memberships);
    out["workspace"] = accepted.workspace.url;
    return JsonResponse(200, out);
  });

  api.Add("GET", "/app/api/invitations", Access::kSession, [](Ctx& c) {
    LIMBO_HTTP_TRY(auto list, c.svc.accounts.MyInvitations(*c.principal));
    Json out = Json::array();
    for (const auto& v : list) out.push_back(http::ToJson(v));
    return JsonResponse(200, Json{{"invitations", out}});
  });

  // A fresh link for a pending invitation (one made with an API key has a link nobody has seen).
  api.Add("POST", "/app/api/:ws/invitations/link", Access::kSession, [](Ctx& c) {
    LIMBO_HTTP_CHECK(WebAppRequest(c.req));
    LIMBO_HTTP_TRY(Json body, c.Body());
    LIMBO_HTTP_TRY(auto email, http::ReqString(body, "email"));
    LIMBO_HTTP_TRY(auto inv, c.svc.accounts.RenewInvitationLink(c.A(), email));
    Json out = http::ToJson(inv.view);
    out["inviteUrl"] = http::InviteUrl(inv.token);
    return JsonResponse(200, out);
  });

  // The signed-in user's own account fields.
  api.Add("PATCH", "/app/api/account", Access::kSession, [](Ctx& c) {
    LIMBO_HTTP_CHECK(WebAppRequest(c.req));
    LIMBO_HTTP_TRY(Json body, c.Body());
    LIMBO_HTTP_TRY(auto name, http::ReqString(body, "name"));
    LIMBO_HTTP_TRY(auto user, c.svc.accounts.RenameSelf(*c.principal, name));
    return JsonResponse(200, Json{{"user", http::ToJson(user)}});
  });

  api.Add("GET", "/app", Access::kPublic, [](Ctx&) { return Page(); });
  api.Add("GET", "/app/*rest", Access::kPublic, [](Ctx& c) {
    const std::string& rest = c.Param("rest");
    if (rest.rfind("api/", 0) == 0 || rest == "api") {
      return ErrorResponse(core::Error::NotFound("No route matches " + c.req.path + ".", "route_not_found"));
    }
    if (rest.rfind("static/", 0) == 0) {
      const EmbeddedFile* f = Find(std::string_view(rest).substr(7));
      if (!f) return ErrorResponse(core::Error::NotFound("No such file.", "not_found"));
      return Serve(*f, true);
    }
    return Page();
  });
}

}  // namespace limbo::web
