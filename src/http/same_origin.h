#pragma once

#include "core/result.h"
#include "http/message.h"

namespace limbo::http {

// The check of routes that a browser may call only from the web app itself, such as sign-in
// (login CSRF: a page of another site must not sign the visitor's browser in to an account the
// attacker chose). In this order:
//
// 1. `Sec-Fetch-Site`, when sent, must be `same-origin` or `none`, and `Origin`, when sent, must be
//    the request's own origin: its scheme and `Host`, default ports made explicit. A trusted
//    proxy's (Request::via_trusted_proxy) `X-Forwarded-Proto` and `X-Forwarded-Host` stand for
//    them; without one the scheme is not compared, as limbod cannot tell a TLS-terminating proxy
//    in front of it from none. Otherwise 403 `cross_site_request`.
// 2. `Content-Type` must be `application/json` (parameters allowed), which a cross-site form or a
//    CORS-simple fetch cannot send. Otherwise 415 `unsupported_media_type`.
//
// Clients that are not browsers send neither header and pass on the Content-Type alone.
core::Status RequireSameOriginJson(const Request& req);

}  // namespace limbo::http
