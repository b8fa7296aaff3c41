#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <memory>
#include <sstream>

#include "http/api.h"
#include "http/json_mapping.h"
#include "http/message.h"
#include "http/multipart.h"
#include "http/paging.h"
#include "http/router.h"

namespace limbo::http {
namespace {

TEST(Router, LiteralSegmentsBeatCaptures) {
  Router r;
  r.Add("GET", "/:ws/:project", Access::kApi, "project");
  r.Add("GET", "/:ws/trash", Access::kApi, "trash");
  r.Add("GET", "/:ws/:project/:version", Access::kApi, "version");
  r.Add("GET", "/:ws/workflows/:url", Access::kApi, "workflow");
  r.Add("GET", "/app/*rest", Access::kPublic, "app");
  r.Add("DELETE", "/:ws/:project", Access::kApi, "delete");
  EXPECT_EQ(r.Match("GET", "/acme/trash").route->name, "trash");
  EXPECT_EQ(r.Match("GET", "/acme/cats").route->name, "project");
  EXPECT_EQ(r.Match("GET", "/acme/cats").params.at("project"), "cats");
  EXPECT_EQ(r.Match("GET", "/acme/workflows/x").route->name, "workflow");
  EXPECT_EQ(r.Match("GET", "/acme/cats/3").route->name, "version");
  auto app = r.Match("GET", "/app/acme/settings/trash");
  EXPECT_EQ(app.route->name, "app");
  EXPECT_EQ(app.params.at("rest"), "acme/settings/trash");
  auto wrong = r.Match("PUT", "/acme/cats");
  EXPECT_EQ(wrong.route, nullptr);
  EXPECT_TRUE(wrong.path_matched);
  EXPECT_EQ(r.Match("GET", "/a/b/c/d/e/f").route, nullptr);
  // Only the winner's captures are returned, not those of a route it beat.
  auto trash = r.Match("GET", "/acme/trash");
  EXPECT_EQ(trash.params.size(), 1u);
  EXPECT_EQ(trash.params.at("ws"), "acme");
}

TEST(ResponseHead, StatusLineFieldsLengthAndConnection) {
  Response res;
  res.status = 201;
  res.SetHeader("ETag", "\"abc\"");
  std::string out;
  AppendResponseHead(out, res, 11, true, 42);
  EXPECT_EQ(out,
            "HTTP/1.1 201 Created\r\nServer: limbod\r\nContent-Type: application/json\r\nETag: \"abc\"\r\n"
            "Content-Length: 42\r\n\r\n");
  out.clear();
  AppendResponseHead(out, res, 11, false, 0);
  EXPECT_NE(out.find("Content-Length: 0\r\nConnection: close\r\n\r\n"), std::string::npos);
  out.clear();
  AppendResponseHead(out, res, 10, true, 7);
  EXPECT_EQ(out.rfind("HTTP/1.0 201 Created\r\n", 0), 0u);
  EXPECT_NE(out.find("Connection: keep-alive\r\n"), std::string::npos);
  out.clear();
  AppendResponseHead(out, res, 10, false, 7);
  EXPECT_EQ(out.find("Connection:"), std::string::npos);  // HTTP/1.0 closes unless told otherwise
}

TEST(ResponseHead, NotModifiedAndNoContentCarryNoLength) {
  for (int status : {204, 304}) {
    Response res;
    res.status = status;
    std::string out;
    AppendResponseHead(out, res, 11, true, 0);
    EXPECT_EQ(out.find("Content-Length"), std::string::npos) << status;
    EXPECT_EQ(out.substr(out.size() - 4), "\r\n\r\n");
  }
  Response odd;
  odd.status = 299;
  std::string out;
  AppendResponseHead(out, odd, 11, true, 0);
  EXPECT_EQ(out.rfind("HTTP/1.1 299 Unknown\r\n", 0), 0u);
}

TEST(ResponseHead, AValueCannotStartAnotherHeader) {
  Response res;
  res.SetHeader("Location", std::string("/a\r\nSet-Cookie: x=1\n\0z", 22));
  std::string out;
  AppendResponseHead(out, res, 11, true, 0);
  EXPECT_EQ(out.find("\r\nSet-Cookie"), std::string::npos);
  EXPECT_NE(out.find("Location: /a  Set-Cookie: x=1  z\r\n"), std::string::npos);
}

TEST(Response, ASharedBodyIsTheOneSent) {
  Response res;
  res.body = "own";
  EXPECT_EQ(res.Body(), "own");
  res.shared_body = std::make_shared<const std::string>("shared");
  EXPECT_EQ(res.Body(), "shared");
}

TEST(Target, DecodesPathAndQueryAndRejectsTricks) {
  std::string path;
  std::map<std::string, std::string> q;
  ASSERT_TRUE(ParseTarget("/acme/my%20cats?deleteImages=true&q=a+b", &path, &q));
  EXPECT_EQ(path, "/acme/my cats");
  EXPECT_EQ(q["deleteImages"], "true");
  EXPECT_EQ(q["q"], "a b");
  EXPECT_FALSE(ParseTarget("acme", &path, &q));
  EXPECT_FALSE(ParseTarget("/a%zz", &path, &q));
  EXPECT_FALSE(ParseTarget("/a%00b", &path, &q));
  EXPECT_FALSE(ParseTarget("/a%4", &path, &q));
}

TEST(Request, ReadsCookies) {
  Request r;
  r.headers = {{"cookie", "a=1; limbo_session=xyz; b=2"}};
  EXPECT_EQ(r.Cookie("limbo_session"), "xyz");
  EXPECT_EQ(r.Cookie("missing"), "");
}

TEST(Multipart, FindsTheFilePart) {
  std::string body =
      "--XX\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nhello\r\n"
      "--XX\r\nContent-Disposition: form-data; name=\"file\"; filename=\"cat.png\"\r\nContent-Type: image/png\r\n\r\n"
      "PNGDATA\r\n--XX--\r\n";
  auto part = FindMultipartField("multipart/form-data; boundary=XX", body, "file");
  ASSERT_TRUE(part);
  EXPECT_EQ(part->data, "PNGDATA");
  EXPECT_EQ(part->filename, "cat.png");
  EXPECT_FALSE(FindMultipartField("multipart/form-data", body, "file"));
  EXPECT_FALSE(FindMultipartField("multipart/form-data; boundary=XX", "--XX\r\ngarbage", "file"));
}

TEST(Cursor, RoundTripsAndRejectsGarbage) {
  std::string key;
  std::int64_t id = 0;
  auto c = EncodeCursor("1800000000000", 42);
  ASSERT_TRUE(DecodeCursor(c, &key, &id));
  EXPECT_EQ(key, "1800000000000");
  EXPECT_EQ(id, 42);
  ASSERT_TRUE(DecodeCursor(EncodeCursor("name|with|bars", 7), &key, &id));
  EXPECT_EQ(key, "name|with|bars");
  EXPECT_FALSE(DecodeCursor("!!!", &key, &id));
  EXPECT_FALSE(DecodeCursor("", &key, &id));
  EXPECT_FALSE(DecodeCursor(EncodeCursor("x", 1).substr(0, 2), &key, &id));
}

Request WithQuery(std::map<std::string, std::string> query) {
  Request r;
  r.query = std::move(query);
  return r;
}

TEST(ReadPage, TakesTheFallbackAndClampsOrRejectsPerRule) {
  LimitRule clamp{.fallback = 100, .min = 1, .max = 1000};
  LimitRule reject{.fallback = 50, .min = 1, .max = 500, .out_of_range = LimitRule::OutOfRange::kReject};

  auto p = ReadPage(WithQuery({}), clamp);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->limit, 100);
  EXPECT_FALSE(p->cursor);
  EXPECT_EQ(ReadPage(WithQuery({{"limit", "0"}}), clamp)->limit, 1);
  EXPECT_EQ(ReadPage(WithQuery({{"limit", "5000"}}), clamp)->limit, 1000);
  EXPECT_EQ(ReadPage(WithQuery({{"limit", "7"}}), reject)->limit, 7);

  // Not a number: a clamping listing says so, a rejecting one names its range.
  for (const char* bad : {"abc", "", "99999999999999999999"}) {
    auto c = ReadPage(WithQuery({{"limit", bad}}), clamp);
    ASSERT_FALSE(c) << bad;
    EXPECT_EQ(c.error().code, "invalid_request");
    EXPECT_EQ(c.error().message, "Query parameter 'limit' must be a number.");
    auto r = ReadPage(WithQuery({{"limit", bad}}), reject);
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().message, "Query parameter 'limit' must be between 1 and 500.");
  }
  for (const char* out : {"0", "501", "-3"}) {
    auto r = ReadPage(WithQuery({{"limit", out}}), reject);
    ASSERT_FALSE(r) << out;
    EXPECT_EQ(r.error().message, "Query parameter 'limit' must be between 1 and 500.");
  }

  // The cursor as sent; an empty one is none.
  EXPECT_EQ(ReadPage(WithQuery({{"cursor", "img_9"}}), clamp)->cursor, std::optional<std::string>("img_9"));
  EXPECT_FALSE(ReadPage(WithQuery({{"cursor", ""}}), clamp)->cursor);
}

TEST(ParseCursor, DecodesOnlyCursorsOfTheListing) {
  auto audit = [](const std::string& key) { return key == "audit"; };
  auto c = ParseCursor(EncodeCursor("audit", 12), audit);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->id, 12);
  for (const std::string& bad : {EncodeCursor("trash", 12), std::string("!!!"), std::string("")}) {
    auto e = ParseCursor(bad, audit);
    ASSERT_FALSE(e) << bad;
    EXPECT_EQ(e.error().code, "invalid_cursor");
    EXPECT_EQ(e.error().message, "Query parameter 'cursor' is not a cursor of this listing.");
  }
}

// Captures what the default logger writes while it lives.
class LogCapture {
 public:
  LogCapture() : previous_(spdlog::default_logger()) {
    auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(out_);
    spdlog::set_default_logger(std::make_shared<spdlog::logger>("capture", sink));
  }
  ~LogCapture() { spdlog::set_default_logger(previous_); }
  std::string Text() const { return out_.str(); }

 private:
  std::ostringstream out_;
  std::shared_ptr<spdlog::logger> previous_;
};

TEST(ErrorResponse, AnInternalErrorsDetailIsLoggedAndNeverSent) {
  const std::string secret = "SQLITE_IOERR: disk I/O error at /var/lib/limbo/limbo.db";
  for (auto kind : {core::ErrorKind::kInternal, core::ErrorKind::kUnavailable}) {
    core::Error e = core::Error{kind, "storage_failure", "A storage error occurred.", {}}
                        .WithHint("Try again in a moment.")
                        .WithDetail(secret);
    LogCapture log;
    Response r = ErrorResponse(e);
    EXPECT_EQ(r.status, kind == core::ErrorKind::kInternal ? 500 : 503);
    EXPECT_EQ(r.body.find("SQLITE_IOERR"), std::string::npos) << r.body;
    EXPECT_EQ(r.body.find("/var/lib"), std::string::npos) << r.body;
    Json body = Json::parse(r.body);
    EXPECT_EQ(body["error"]["code"], "storage_failure");
    EXPECT_EQ(body["error"]["message"], "A storage error occurred.");
    EXPECT_EQ(body["error"]["hint"], "Try again in a moment.");  // the user's hint is the user's
    EXPECT_EQ(body["error"].size(), 3u);
    EXPECT_NE(log.Text().find(secret), std::string::npos) << log.Text();
    EXPECT_NE(log.Text().find("storage_failure"), std::string::npos) << log.Text();
  }
}

TEST(ErrorResponse, ABatchItemsDetailIsLoggedAndNeverSent) {
  domain::BatchResult b;
  b.failed.push_back({domain::ItemRef{domain::ItemType::kProject, "7", {}, {}},
                      core::Error::Internal("A storage error occurred.").WithDetail("pq: connection reset")});
  b.failed.push_back({domain::ItemRef{domain::ItemType::kProject, "8", {}, {}},
                      core::Error::Conflict("It is in the Trash.", "in_trash").WithDetail("not for the log")});
  LogCapture log;
  std::string body = BatchJson(b, "restored").dump();
  EXPECT_EQ(body.find("pq:"), std::string::npos) << body;
  EXPECT_EQ(body.find("not for the log"), std::string::npos) << body;
  EXPECT_NE(log.Text().find("pq: connection reset"), std::string::npos) << log.Text();
  EXPECT_EQ(log.Text().find("not for the log"), std::string::npos) << log.Text();  // only server errors
}

}  // namespace
}  // namespace limbo::http
