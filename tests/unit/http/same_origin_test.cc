#include "http/same_origin.h"

#include <gtest/gtest.h>

#include <initializer_list>
#include <string>
#include <utility>

#include "http/message.h"

namespace limbo::http {
namespace {

using Headers = std::initializer_list<std::pair<const char*, const char*>>;

// A sign-in as it reaches limbod at 127.0.0.1:8080, with JSON and the given headers on top.
Request SignIn(Headers extra, const char* content_type = "application/json") {
  Request r;
  r.method = "POST";
  r.path = "/app/api/login";
  r.headers.emplace_back("host", "127.0.0.1:8080");
  if (content_type) r.headers.emplace_back("content-type", content_type);
  for (const auto& [name, value] : extra) r.headers.emplace_back(name, value);
  return r;
}

std::string CodeOf(const core::Status& s) { return s ? "ok" : s.error().code; }

TEST(RequireSameOriginJson, LetsClientsThatAreNotBrowsersThroughWithJson) {
  EXPECT_EQ(CodeOf(RequireSameOriginJson(SignIn({}))), "ok");
  EXPECT_EQ(CodeOf(RequireSameOriginJson(SignIn({}, "application/json; charset=utf-8"))), "ok");
  EXPECT_EQ(CodeOf(RequireSameOriginJson(SignIn({}, "Application/JSON ;charset=UTF-8"))), "ok");
}

TEST(RequireSameOriginJson, RefusesEveryOtherContentTypeWith415) {
  for (const char* type :
       {"text/plain", "text/plain; charset=utf-8", "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x", "application/jsonp", "application/json-patch+json", "", "json"}) {
    auto s = RequireSameOriginJson(SignIn({}, type));
    ASSERT_FALSE(s) << type;
    EXPECT_EQ(s.error().code, "unsupported_media_type") << type;
    EXPECT_EQ(s.error().kind, core::ErrorKind::kUnsupported) << type;
  }
  EXPECT_EQ(CodeOf(RequireSameOriginJson(SignIn({}, nullptr))), "unsupported_media_type");
}

TEST(RequireSameOriginJson, AcceptsTheAppsOwnOriginAndFetchMetadata) {
  EXPECT_EQ(CodeOf(RequireSameOriginJson(SignIn({{"origin", "http://127.0.0.1:8080"}}))), "ok");
  EXPECT_EQ(
      CodeOf(RequireSameOriginJson(SignIn({{"origin", "http://127.0.0.1:8080"}, {"sec-fetch-site", "same-origin"}}))),
      "ok");
  EXPECT_EQ(CodeOf(RequireSameOriginJson(SignIn({{"sec-fetch-site", "none"}}))), "ok");
  EXPECT_EQ(CodeOf(RequireSameOriginJson(SignIn({{"origin", "HTTP://127.0.0.1:8080"}}))), "ok");
}

TEST(RequireSameOriginJson, RefusesOtherSitesWith403BeforeLookingAtTheBody) {
  for (auto headers : {Headers{{"origin", "http://evil.example"}}, Headers{{"origin", "http://127.0.0.1:8081"}},
                       Headers{{"origin", "http://127.0.0.1"}}, Headers{{"origin", "null"}},
                       Headers{{"origin", "http://127.0.0.1:8080.evil.example"}},
                       Headers{{"origin", "http://user@127.0.0.1:8080"}}, Headers{{"origin", "file://"}},
                       Headers{{"sec-fetch-site", "cross-site"}}, Headers{{"sec-fetch-site", "same-site"}},
                       Headers{{"origin", "http://127.0.0.1:8080"}, {"sec-fetch-site", "cross-site"}}}) {
    // A cross-site form post is text/plain: still the 403, the more telling answer.
    for (const char* type : {"application/json", "text/plain"}) {
      auto s = RequireSameOriginJson(SignIn(headers, type));
      ASSERT_FALSE(s);
      EXPECT_EQ(s.error().code, "cross_site_request") << headers.begin()->second;
      EXPECT_EQ(s.error().kind, core::ErrorKind::kForbidden);
    }
  }
}

TEST(RequireSameOriginJson, DefaultPortsAreTheSameAsNoPort) {
  Request r = SignIn({{"origin", "http://limbo.example"}});
  r.headers[0].second = "limbo.example:80";
  EXPECT_EQ(CodeOf(RequireSameOriginJson(r)), "ok");
  r.headers[0].second = "Limbo.Example";
  EXPECT_EQ(CodeOf(RequireSameOriginJson(r)), "ok");
  // Behind a TLS-terminating proxy that is not trusted: the scheme cannot be known, the host and
  // the port (443, the default of the Origin's scheme) must still match.
  Request tls = SignIn({{"origin", "https://limbo.example"}});
  tls.headers[0].second = "limbo.example";
  EXPECT_EQ(CodeOf(RequireSameOriginJson(tls)), "ok");
  tls.headers[0].second = "limbo.example:80";
  EXPECT_EQ(CodeOf(RequireSameOriginJson(tls)), "cross_site_request");
  Request v6 = SignIn({{"origin", "http://[::1]:8080"}});
  v6.headers[0].second = "[::1]:8080";
  EXPECT_EQ(CodeOf(RequireSameOriginJson(v6)), "ok");
  v6.headers[0].second = "[::2]:8080";
  EXPECT_EQ(CodeOf(RequireSameOriginJson(v6)), "cross_site_request");
}

TEST(RequireSameOriginJson, ForwardedSchemeAndHostCountOnlyFromATrustedProxy) {
  Headers forwarded = {
      {"origin", "https://limbo.example"}, {"x-forwarded-proto", "https"}, {"x-forwarded-host", "limbo.example"}};
  Request direct = SignIn(forwarded);  // 127.0.0.1:8080 is not limbo.example
  EXPECT_EQ(CodeOf(RequireSameOriginJson(direct)), "cross_site_request");
  Request proxied = SignIn(forwarded);
  proxied.via_trusted_proxy = true;
  EXPECT_EQ(CodeOf(RequireSameOriginJson(proxied)), "ok");
  // The trusted proxy says the client spoke https: an http Origin is another origin.
  Request downgraded = SignIn(
      {{"origin", "http://limbo.example"}, {"x-forwarded-proto", "https"}, {"x-forwarded-host", "limbo.example"}});
  downgraded.via_trusted_proxy = true;
  EXPECT_EQ(CodeOf(RequireSameOriginJson(downgraded)), "cross_site_request");
  // A chain of proxies lists the client's side first.
  Request chain = SignIn({{"origin", "https://limbo.example"},
                          {"x-forwarded-proto", "https, http"},
                          {"x-forwarded-host", "limbo.example, internal:8080"}});
  chain.via_trusted_proxy = true;
  EXPECT_EQ(CodeOf(RequireSameOriginJson(chain)), "ok");
  // Without X-Forwarded-Host a trusted proxy's Host stands.
  Request host_only = SignIn({{"origin", "https://127.0.0.1:8080"}, {"x-forwarded-proto", "https"}});
  host_only.via_trusted_proxy = true;
  EXPECT_EQ(CodeOf(RequireSameOriginJson(host_only)), "ok");
}

}  // namespace
}  // namespace limbo::http
