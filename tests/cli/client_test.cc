// limbo::client against a tiny scripted HTTP server on a loopback port.

#include "client/client.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>
#include <mutex>
#include <thread>

namespace limbo::client {
namespace {

struct Recorded {
  std::string request_line;
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased
  std::string body;

  std::string Header(const std::string& name) const {
    for (const auto& [key, value] : headers) {
      if (key == name) return value;
    }
    return "<absent>";
  }
};

// Answers each connection with the next scripted response (then closes it) and records requests.
class ScriptedServer {
 public:
  explicit ScriptedServer(std::vector<std::string> responses) : responses_(std::move(responses)) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = 0;
    EXPECT_EQ(::bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
    EXPECT_EQ(::listen(fd_, 16), 0);
    socklen_t length = sizeof address;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length);
    port_ = ntohs(address.sin_port);
    thread_ = std::thread([this] { Serve(); });
  }
  ~ScriptedServer() {
    ::shutdown(fd_, SHUT_RDWR);
    ::close(fd_);
    thread_.join();
  }

  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  std::vector<Recorded> requests() {
    std::lock_guard lock(mutex_);
    return requests_;
  }

  static std::string Json(int status, const std::string& body, const std::string& extra_headers = "") {
    return "HTTP/1.1 " + std::to_string(status) +
           " X\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) + "\r\n" +
           extra_headers + "Connection: close\r\n\r\n" + body;
  }

 private:
  void Serve() {
    for (const std::string& response : responses_) {
      int client = ::accept(fd_, nullptr, nullptr);
      if (client < 0) return;
      Recorded recorded = Read(client);
      {
        std::lock_guard lock(mutex_);
        requests_.push_back(std::move(recorded));
      }
      ::send(client, response.data(), response.size(), MSG_NOSIGNAL);
      ::close(client);
    }
  }

  static Recorded Read(int client) {
    std::string data;
    char buffer[65536];
    size_t header_end = std::string::npos;
    while (header_end == std::string::npos) {
      ssize_t n = ::recv(client, buffer, sizeof buffer, 0);
      if (n <= 0) return {};
      data.append(buffer, static_cast<size_t>(n));
      header_end = data.find("\r\n\r\n");
    }
    Recorded recorded;
    std::string head = data.substr(0, header_end);
    size_t line_end = head.find("\r\n");
    recorded.request_line = head.substr(0, line_end);
    size_t content_length = 0;
    for (size_t pos = line_end + 2; pos < head.size() && line_end != std::string::npos;) {
      size_t next = head.find("\r\n", pos);
      std::string line = head.substr(pos, next == std::string::npos ? std::string::npos : next - pos);
      size_t colon = line.find(':');
      std::string name = line.substr(0, colon);
      for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      std::string value = colon + 2 <= line.size() ? line.substr(colon + 2) : "";
      if (name == "content-length") content_length = std::stoul(value);
      recorded.headers.emplace_back(name, value);
      if (next == std::string::npos) break;
      pos = next + 2;
    }
    recorded.body = data.substr(header_end + 4);
    while (recorded.body.size() < content_length) {
      ssize_t n = ::recv(client, buffer, sizeof buffer, 0);
      if (n <= 0) break;
      recorded.body.append(buffer, static_cast<size_t>(n));
    }
    return recorded;
  }

  std::vector<std::string> responses_;
  int fd_ = -1;
  int port_ = 0;
  std::thread thread_;
  std::mutex mutex_;
  std::vector<Recorded> requests_;  // guarded by mutex_
};

ClientOptions Options(const std::string& url, const std::string& key = "lk_test") {
  ClientOptions options;
  options.base_url = url + "/";
  options.api_key = key;
  options.timeout = std::chrono::milliseconds(10'000);
  return options;
}

TEST(Client, GetSendsTheBearerKeyAndParsesJson) {
  ScriptedServer server({ScriptedServer::Json(200, R"({"welcome": "hi", "workspace": "acme"})")});
  Client client(Options(server.url()));
  auto answer = client.Get(Path({"acme", "my project"}), {{"q", "a b&c"}});
  ASSERT_TRUE(answer) << answer.error().message;
  EXPECT_EQ(answer->status, 200);
  EXPECT_EQ(answer->body["workspace"], "acme");
  auto requests = server.requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].request_line, "GET /acme/my%20project?q=a%20b%26c HTTP/1.1");
  EXPECT_EQ(requests[0].Header("authorization"), "Bearer lk_test");
}

TEST(Client, ErrorAnswersBecomeApiErrorsWithTheServersCode) {
  ScriptedServer server(
      {ScriptedServer::Json(404,
                            R"({"error": {"code": "in_trash", "message": "In the Trash.", "hint": "Restore it."}})"),
       "HTTP/1.1 500 X\r\nContent-Length: 4\r\nConnection: close\r\n\r\noops"});
  Client client(Options(server.url()));
  auto first = client.Delete("/acme/cats");
  ASSERT_FALSE(first);
  EXPECT_EQ(first.error().status, 404);
  EXPECT_EQ(first.error().code, "in_trash");
  EXPECT_EQ(first.error().message, "In the Trash.");
  EXPECT_EQ(first.error().hint, "Restore it.");
  auto second = client.Post("/acme/projects", {{"name", "x"}});
  ASSERT_FALSE(second);
  EXPECT_EQ(second.error().status, 500);
  EXPECT_EQ(second.error().code, "http_500");
  EXPECT_EQ(server.requests()[0].request_line, "DELETE /acme/cats HTTP/1.1");
}

TEST(Client, SendCarriesCustomHeadersAndJsonAndReturnsAnyStatus) {
  ScriptedServer server({ScriptedServer::Json(403, R"({"error": {"code": "web_only", "message": "No."}})",
                                              "Set-Cookie: a=1\r\nSet-Cookie: b=2\r\n")});
  Client client(Options(server.url()));
  Request request;
  request.method = "POST";
  request.path = "/app/api/acme/trash/empty";
  request.headers = {{"Cookie", "limbo_session=s1"}, {"X-CSRF-Token", "t1"}};
  request.json = nlohmann::json{{"confirm", "acme"}};
  request.send_api_key = false;
  auto response = client.Send(request);
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 403);
  EXPECT_EQ(response->body["error"]["code"], "web_only");
  EXPECT_EQ(response->Header("Set-Cookie"), "a=1");
  EXPECT_EQ(std::count_if(response->headers.begin(), response->headers.end(),
                          [](const auto& h) { return h.first == "set-cookie"; }),
            2);

  auto recorded = server.requests().at(0);
  EXPECT_EQ(recorded.Header("cookie"), "limbo_session=s1");
  EXPECT_EQ(recorded.Header("x-csrf-token"), "t1");
  EXPECT_EQ(recorded.Header("authorization"), "<absent>");
  EXPECT_EQ(recorded.Header("content-type"), "application/json");
  EXPECT_EQ(nlohmann::json::parse(recorded.body), (nlohmann::json{{"confirm", "acme"}}));
}

TEST(Client, UploadStreamsTheFileAndReportsProgress) {
  ScriptedServer server({ScriptedServer::Json(201, R"({"image": {"id": "i_1"}})")});
  auto file = std::filesystem::temp_directory_path() / ("limbo-client-test-" + std::to_string(::getpid()) + ".png");
  std::string bytes(300'000, '\0');
  for (size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<char>(i * 7);
  std::ofstream(file, std::ios::binary) << bytes;

  Client client(Options(server.url()));
  std::uint64_t last_sent = 0, last_total = 0;
  auto answer = client.Upload("/acme/cats/upload", file, GuessImageContentType(file), {{"name", "a.png"}},
                              [&](std::uint64_t sent, std::uint64_t total) {
                                last_sent = sent;
                                last_total = total;
                              });
  std::filesystem::remove(file);
  ASSERT_TRUE(answer) << answer.error().message;
  EXPECT_EQ(answer->status, 201);
  EXPECT_EQ(answer->body["image"]["id"], "i_1");
  EXPECT_EQ(last_sent, bytes.size());
  EXPECT_EQ(last_total, bytes.size());
  auto recorded = server.requests().at(0);
  EXPECT_EQ(recorded.request_line, "POST /acme/cats/upload?name=a.png HTTP/1.1");
  EXPECT_EQ(recorded.Header("content-type"), "image/png");
  EXPECT_EQ(recorded.body, bytes);
}

TEST(Client, GetIsRetriedAfter503ButPostIsNot) {
  ScriptedServer server(
      {ScriptedServer::Json(503, "{}"), ScriptedServer::Json(200, R"({"ok": true})"), ScriptedServer::Json(503, "{}")});
  Client client(Options(server.url()));
  auto get = client.Get("/healthz");
  ASSERT_TRUE(get);
  EXPECT_EQ(get->body["ok"], true);
  auto post = client.Post("/acme/trash/restore-all");
  ASSERT_FALSE(post);
  EXPECT_EQ(post.error().status, 503);
  EXPECT_EQ(server.requests().size(), 3u);
}

TEST(Client, NoServerIsANetworkErrorWithStatus0) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
  socklen_t length = sizeof address;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  ::close(fd);  // the port is now (almost certainly) closed
  ClientOptions options = Options("http://127.0.0.1:" + std::to_string(ntohs(address.sin_port)));
  options.get_retries = 0;
  Client client(options);
  auto answer = client.Get("/");
  ASSERT_FALSE(answer);
  EXPECT_TRUE(answer.error().IsNetwork());
  EXPECT_EQ(answer.error().code, "network_error");
}

TEST(Paths, EscapeSegmentsAndQueries) {
  EXPECT_EQ(Path({"acme", "a/b", "ü"}), "/acme/a%2Fb/%C3%BC");
  EXPECT_EQ(Path({}), "/");
  EXPECT_EQ(QueryString({}), "");
  EXPECT_EQ(QueryString({{"type", "project"}, {"q", "x=y"}}), "?type=project&q=x%3Dy");
}

}  // namespace
}  // namespace limbo::client
