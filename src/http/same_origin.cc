#include "http/same_origin.h"

#include <algorithm>
#include <cctype>
#include <optional>
#include <string>
#include <string_view>

#include "http/text.h"

namespace limbo::http {

namespace {

// The first entry of a comma-separated header (a proxy chain lists the client's side first).
std::string_view FirstEntry(std::string_view s) { return TrimOws(s.substr(0, s.find(','))); }

struct Authority {
  std::string host;  // lowercase; an IPv6 address keeps its brackets
  std::string port;  // digits, or empty when the text named none
};

// "host", "host:port", "[v6]" or "[v6]:port"; nullopt for anything else (user info, paths, spaces).
std::optional<Authority> ParseAuthority(std::string_view s) {
  Authority a;
  std::string_view host = s;
  std::string_view rest;
  if (!s.empty() && s.front() == '[') {
    auto close = s.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    host = s.substr(0, close + 1);
    rest = s.substr(close + 1);
    bool v6 = std::all_of(host.begin() + 1, host.end() - 1,
                          [](char c) { return std::isxdigit(static_cast<unsigned char>(c)) || c == ':' || c == '.'; });
    if (!v6 || host.size() < 3) return std::nullopt;
  } else {
    auto colon = s.find(':');
    if (colon != std::string_view::npos) {
      host = s.substr(0, colon);
      rest = s.substr(colon);
    }
    bool name = !host.empty() && std::all_of(host.begin(), host.end(), [](char c) {
      return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '_';
    });
    if (!name) return std::nullopt;
  }
  if (!rest.empty()) {
    if (rest.front() != ':' || !AllDigits(rest.substr(1), 5)) return std::nullopt;
    a.port = std::string(rest.substr(1));
    a.port.erase(0, std::min(a.port.find_first_not_of('0'), a.port.size() - 1));  // "080" is 80
  }
  a.host = AsciiLower(host);
  return a;
}

std::string DefaultPort(std::string_view scheme) { return scheme == "https" ? "443" : "80"; }

bool IsSameOrigin(const Request& req, std::string_view origin_header) {
  std::string origin = AsciiLower(TrimOws(origin_header));
  auto sep = origin.find("://");
  if (sep == std::string::npos) return false;  // "null" (sandboxed frames, some redirects) included
  std::string scheme = origin.substr(0, sep);
  if (scheme != "http" && scheme != "https") return false;
  auto from = ParseAuthority(std::string_view(origin).substr(sep + 3));
  if (!from) return false;

  std::string_view host_header = req.Header("host");
  std::string expected_scheme = scheme;
  if (req.via_trusted_proxy) {
    if (auto proto = FirstEntry(req.Header("x-forwarded-proto")); !proto.empty()) expected_scheme = AsciiLower(proto);
    if (auto host = FirstEntry(req.Header("x-forwarded-host")); !host.empty()) host_header = host;
  }
  if (expected_scheme != scheme) return false;
  auto to = ParseAuthority(TrimOws(host_header));
  if (!to) return false;
  std::string from_port = from->port.empty() ? DefaultPort(scheme) : from->port;
  std::string to_port = to->port.empty() ? DefaultPort(expected_scheme) : to->port;
  return from->host == to->host && from_port == to_port;
}

}  // namespace

core::Status RequireSameOriginJson(const Request& req) {
  std::string_view site = req.Header("sec-fetch-site");
  std::string_view origin = req.Header("origin");
  bool site_ok = site.empty() || site == "same-origin" || site == "none";
  if (!site_ok || (!origin.empty() && !IsSameOrigin(req, origin))) {
    return core::Error::Forbidden("This request must come from the Limbo web app itself, not from another site.",
                                  "cross_site_request")
        .WithHint("A browser may send it only from a page of this server's own origin.");
  }
  std::string_view type = req.Header("content-type");
  if (AsciiLower(TrimOws(type.substr(0, type.find(';')))) != "application/json") {
    return core::Error{core::ErrorKind::kUnsupported,
                       "unsupported_media_type",
                       "This route accepts only a JSON body: send 'Content-Type: application/json'.",
                       {}};
  }
  return core::Ok();
}

}  // namespace limbo::http
