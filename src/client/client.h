#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "client/api_error.h"
#include "client/paths.h"
#include "client/response.h"

namespace limbo::client {

// Called while a request body is sent: bytes sent so far and the total (0 when unknown).
// Runs on the thread that called Send; must be cheap.
using ProgressCallback = std::function<void(std::uint64_t sent, std::uint64_t total)>;

struct ClientOptions {
  std::string base_url;  // "http://127.0.0.1:8080"; a trailing "/" is ignored
  std::string api_key;   // sent as "Authorization: Bearer <key>" when not empty
  std::chrono::milliseconds connect_timeout{10'000};
  std::chrono::milliseconds timeout{60'000};  // whole request, for requests that set none
  int get_retries = 2;                        // extra attempts of a GET after a network error or a 502/503/504
  std::string user_agent = "limbo-client";
};

// One request. `path` starts with "/" and is appended to the base URL as is (build it with
// Path() so segments are escaped); `query` is escaped here.
struct Request {
  std::string method = "GET";
  std::string path = "/";
  Query query;
  // Extra headers, e.g. {"Cookie", "limbo_session=..."} or {"X-CSRF-Token", "..."}.
  std::vector<std::pair<std::string, std::string>> headers;
  std::optional<nlohmann::json> json;              // sent as application/json
  std::optional<std::string> body;                 // raw bytes, with `content_type`
  std::optional<std::filesystem::path> body_file;  // streamed from disk, with `content_type`
  std::string content_type = "application/octet-stream";
  bool send_api_key = true;
  std::optional<std::chrono::milliseconds> timeout;  // 0 means none (large uploads)
  ProgressCallback upload_progress;
};

// A client of one Limbo server with one API key. Thread-safe: concurrent calls share a
// connection cache and each runs its own transfer. Never follows redirects.
class Client {
 public:
  explicit Client(ClientOptions options);
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // Performs the request. Any HTTP status is a value; only a transport failure (no response)
  // is an error.
  Result<Response> Send(const Request& request) const;

  // JSON helpers: a 2xx answer yields the response (status and parsed body), anything else an
  // ApiError built from the server's {"error": {...}}.
  Result<Response> Get(const std::string& path, const Query& query = {}) const;
  Result<Response> Post(const std::string& path, const nlohmann::json& body = nlohmann::json::object(),
                        const Query& query = {}) const;
  Result<Response> Patch(const std::string& path, const nlohmann::json& body) const;
  Result<Response> Delete(const std::string& path, const Query& query = {}) const;

  // POSTs a file as the raw request body, without a total timeout, reporting progress.
  Result<Response> Upload(const std::string& path, const std::filesystem::path& file, const std::string& content_type,
                          const Query& query = {}, ProgressCallback progress = {}) const;

  // Send, then the helpers' rule: non-2xx becomes an ApiError.
  Result<Response> Call(const Request& request) const;

  const ClientOptions& options() const { return options_; }

 private:
  class Shared;
  Result<Response> SendOnce(const Request& request) const;

  // Constant after construction.
  ClientOptions options_;
  std::unique_ptr<Shared> shared_;
};

// A guess of an image's media type from its file name (png, jpg/jpeg, gif, bmp), else
// "application/octet-stream"; the server decides from the bytes anyway.
std::string GuessImageContentType(const std::filesystem::path& file);

}  // namespace limbo::client
