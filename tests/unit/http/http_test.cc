#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <memory>
#include <sstream>

#include "http/api.h"
#include "http/json_mapping.h"
#include "http/message.h"
#include "http/multipart.h"
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
