#include "client/client.h"

#include <curl/curl.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdio>
#include <mutex>
#include <thread>

namespace limbo::client {
namespace {

std::once_flag curl_init_once;

std::string Lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

std::string Trim(std::string_view text) {
  auto begin = text.find_first_not_of(" \t\r\n");
  if (begin == std::string_view::npos) return {};
  auto end = text.find_last_not_of(" \t\r\n");
  return std::string(text.substr(begin, end - begin + 1));
}

size_t WriteBody(char* data, size_t size, size_t count, void* user) {
  static_cast<std::string*>(user)->append(data, size * count);
  return size * count;
}

size_t WriteHeader(char* data, size_t size, size_t count, void* user) {
  auto* response = static_cast<Response*>(user);
  std::string_view line(data, size * count);
  if (line.starts_with("HTTP/")) {
    response->headers.clear();  // a new response (e.g. after 100 Continue) starts over
    return size * count;
  }
  auto colon = line.find(':');
  if (colon != std::string_view::npos) {
    response->headers.emplace_back(Lower(std::string(line.substr(0, colon))), Trim(line.substr(colon + 1)));
  }
  return size * count;
}

size_t ReadFile(char* buffer, size_t size, size_t count, void* user) {
  return std::fread(buffer, size, count, static_cast<std::FILE*>(user)) * size;
}

int OnProgress(void* user, curl_off_t /*dltotal*/, curl_off_t /*dlnow*/, curl_off_t ultotal, curl_off_t ulnow) {
  const auto& callback = *static_cast<const ProgressCallback*>(user);
  callback(static_cast<std::uint64_t>(ulnow), static_cast<std::uint64_t>(ultotal));
  return 0;
}

struct EasyDeleter {
  void operator()(CURL* curl) const { curl_easy_cleanup(curl); }
};
struct SlistDeleter {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};
struct FileCloser {
  void operator()(std::FILE* file) const { std::fclose(file); }
};

bool Retryable(const Result<Response>& result) {
  if (!result) return true;
  return result->status == 502 || result->status == 503 || result->status == 504;
}

}  // namespace

// The state all transfers share: libcurl's connection and DNS caches, behind locks.
class Client::Shared {
 public:
  Shared() {
    share_ = curl_share_init();
    curl_share_setopt(share_, CURLSHOPT_LOCKFUNC, &Shared::Lock);
    curl_share_setopt(share_, CURLSHOPT_UNLOCKFUNC, &Shared::Unlock);
    curl_share_setopt(share_, CURLSHOPT_USERDATA, this);
    curl_share_setopt(share_, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
    curl_share_setopt(share_, CURLSHOPT_SHARE, CURL_LOCK_DATA_CONNECT);
  }
  ~Shared() { curl_share_cleanup(share_); }
  Shared(const Shared&) = delete;
  Shared& operator=(const Shared&) = delete;

  CURLSH* handle() const { return share_; }

 private:
  static void Lock(CURL*, curl_lock_data data, curl_lock_access, void* user) {
    static_cast<Shared*>(user)->MutexFor(data).lock();
  }
  static void Unlock(CURL*, curl_lock_data data, void* user) { static_cast<Shared*>(user)->MutexFor(data).unlock(); }
  std::mutex& MutexFor(curl_lock_data data) {
    auto index = static_cast<size_t>(data);
    return mutexes_[index < mutexes_.size() ? index : 0];
  }

  CURLSH* share_;
  std::array<std::mutex, CURL_LOCK_DATA_LAST> mutexes_;
};

Client::Client(ClientOptions options) : options_(std::move(options)) {
  std::call_once(curl_init_once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  while (!options_.base_url.empty() && options_.base_url.back() == '/') options_.base_url.pop_back();
  shared_ = std::make_unique<Shared>();
}

Client::~Client() = default;

Result<Response> Client::Send(const Request& request) const {
  int attempts = request.method == "GET" ? 1 + std::max(0, options_.get_retries) : 1;
  auto delay = std::chrono::milliseconds(200);
  for (int attempt = 1;; ++attempt) {
    auto result = SendOnce(request);
    if (attempt >= attempts || !Retryable(result)) return result;
    std::this_thread::sleep_for(delay);
    delay *= 2;
  }
}

Result<Response> Client::SendOnce(const Request& request) const {
  std::unique_ptr<CURL, EasyDeleter> curl(curl_easy_init());
  if (!curl) return Unexpected(ApiError::Network("could not start an HTTP transfer"));
  CURL* h = curl.get();

  std::string url = options_.base_url + request.path + QueryString(request.query);
  curl_easy_setopt(h, CURLOPT_URL, url.c_str());
  curl_easy_setopt(h, CURLOPT_SHARE, shared_->handle());
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(h, CURLOPT_USERAGENT, options_.user_agent.c_str());
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(options_.connect_timeout.count()));
  auto timeout = request.timeout.value_or(options_.timeout);
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout.count()));
  if (timeout.count() == 0) {
    // No total limit, but give up on a transfer that stalls for a minute.
    curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, 60L);
  }

  std::unique_ptr<curl_slist, SlistDeleter> headers;
  auto add_header = [&headers](const std::string& line) {
    curl_slist* next = curl_slist_append(headers.get(), line.c_str());
    if (next) {
      headers.release();
      headers.reset(next);
    }
  };
  add_header("Accept: application/json");
  add_header("Expect:");  // no 100-continue round trip before bodies
  if (request.send_api_key && !options_.api_key.empty()) add_header("Authorization: Bearer " + options_.api_key);
  for (const auto& [name, value] : request.headers) add_header(name + ": " + value);

  std::string json_text;
  std::unique_ptr<std::FILE, FileCloser> file;
  bool has_body = request.json || request.body || request.body_file;
  if (request.method == "GET") {
    curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
  } else if (has_body || request.method == "POST") {
    curl_easy_setopt(h, CURLOPT_POST, 1L);
    if (request.method != "POST") curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, request.method.c_str());
  } else {
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, request.method.c_str());
  }
  if (request.json) {
    json_text = request.json->dump();
    add_header("Content-Type: application/json");
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, json_text.data());
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(json_text.size()));
  } else if (request.body) {
    add_header("Content-Type: " + request.content_type);
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, request.body->data());
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body->size()));
  } else if (request.body_file) {
    std::error_code ec;
    auto size = std::filesystem::file_size(*request.body_file, ec);
    if (ec) return Unexpected(ApiError::Network("cannot read " + request.body_file->string() + ": " + ec.message()));
    file.reset(std::fopen(request.body_file->c_str(), "rb"));
    if (!file) return Unexpected(ApiError::Network("cannot open " + request.body_file->string()));
    add_header("Content-Type: " + request.content_type);
    curl_easy_setopt(h, CURLOPT_READFUNCTION, &ReadFile);
    curl_easy_setopt(h, CURLOPT_READDATA, file.get());
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(size));
  } else if (request.method == "POST") {
    add_header("Content-Type:");  // an empty POST is not a form
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, "");
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t{0});
  }
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers.get());

  if (request.upload_progress) {
    curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, &OnProgress);
    curl_easy_setopt(h, CURLOPT_XFERINFODATA, &request.upload_progress);
  }

  Response response;
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, &WriteBody);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &response.raw);
  curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, &WriteHeader);
  curl_easy_setopt(h, CURLOPT_HEADERDATA, &response);
  std::array<char, CURL_ERROR_SIZE> error_buffer{};
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, error_buffer.data());

  CURLcode code = curl_easy_perform(h);
  if (code != CURLE_OK) {
    std::string detail = error_buffer[0] != '\0' ? error_buffer.data() : curl_easy_strerror(code);
    return Unexpected(ApiError::Network(request.method + " " + url + ": " + detail));
  }
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &response.status);
  if (!response.raw.empty()) {
    response.body = nlohmann::json::parse(response.raw, nullptr, /*allow_exceptions=*/false);
    if (response.body.is_discarded()) response.body = nullptr;
  }
  return response;
}

Result<Response> Client::Call(const Request& request) const {
  auto response = Send(request);
  if (!response) return Unexpected(response.error());
  if (!response->ok()) return Unexpected(ApiError::FromResponse(*response));
  return response;
}

namespace {

Request MakeRequest(std::string method, const std::string& path, const Query& query) {
  Request request;
  request.method = std::move(method);
  request.path = path;
  request.query = query;
  return request;
}

}  // namespace

Result<Response> Client::Get(const std::string& path, const Query& query) const {
  return Call(MakeRequest("GET", path, query));
}

Result<Response> Client::Post(const std::string& path, const nlohmann::json& body, const Query& query) const {
  Request request = MakeRequest("POST", path, query);
  request.json = body;
  return Call(request);
}

Result<Response> Client::Patch(const std::string& path, const nlohmann::json& body) const {
  Request request = MakeRequest("PATCH", path, {});
  request.json = body;
  return Call(request);
}

Result<Response> Client::Delete(const std::string& path, const Query& query) const {
  return Call(MakeRequest("DELETE", path, query));
}

Result<Response> Client::Upload(const std::string& path, const std::filesystem::path& file,
                                const std::string& content_type, const Query& query, ProgressCallback progress) const {
  Request request = MakeRequest("POST", path, query);
  request.body_file = file;
  request.content_type = content_type;
  request.timeout = std::chrono::milliseconds(0);
  request.upload_progress = std::move(progress);
  return Call(request);
}

std::string Response::Header(std::string_view name) const {
  std::string wanted = Lower(std::string(name));
  for (const auto& [key, value] : headers) {
    if (key == wanted) return value;
  }
  return {};
}

std::string GuessImageContentType(const std::filesystem::path& file) {
  std::string ext = Lower(file.extension().string());
  if (ext == ".png") return "image/png";
  if (ext == ".jpg" || ext == ".jpeg") return "image/jpeg";
  if (ext == ".gif") return "image/gif";
  if (ext == ".bmp") return "image/bmp";
  return "application/octet-stream";
}

}  // namespace limbo::client
