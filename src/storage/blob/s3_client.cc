#include "storage/blob/s3_client.h"

#include <curl/curl.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <random>
#include <thread>

namespace limbo::storage::blob {

using core::Error;
using core::ErrorKind;
using core::Result;

namespace {

bool Unreserved(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
         c == '.' || c == '~';
}

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// The part of `s` after `key=` up to the next '&', or nullopt.
std::optional<std::string> QueryValue(std::string_view query, std::string_view key) {
  std::size_t pos = 0;
  while (pos <= query.size()) {
    std::size_t amp = query.find('&', pos);
    std::string_view part = query.substr(pos, amp == std::string_view::npos ? std::string_view::npos : amp - pos);
    if (part.size() > key.size() && part.substr(0, key.size()) == key && part[key.size()] == '=') {
      std::string_view raw = part.substr(key.size() + 1);
      std::string out;
      for (std::size_t i = 0; i < raw.size(); ++i) {
        int hi = i + 2 < raw.size() ? HexDigit(raw[i + 1]) : -1;
        int lo = i + 2 < raw.size() ? HexDigit(raw[i + 2]) : -1;
        if (raw[i] == '%' && hi >= 0 && lo >= 0) {
          out.push_back(static_cast<char>(hi * 16 + lo));
          i += 2;
        } else {
          out.push_back(raw[i]);
        }
      }
      return out;
    }
    if (amp == std::string_view::npos) break;
    pos = amp + 1;
  }
  return std::nullopt;
}

bool SafeKeyText(std::string_view s) {
  for (char c : s) {
    bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
              c == '.' || c == '/';
    if (!ok) return false;
  }
  return true;
}

Error BadUrl(std::string why) {
  return Error::Invalid("--blobs: " + why +
                        " (expected s3://BUCKET[/PREFIX]?endpoint=http(s)://HOST[:PORT][&region=REGION] or file:DIR)");
}

size_t WriteBody(char* data, size_t size, size_t n, void* user) {
  auto* out = static_cast<std::string*>(user);
  out->append(data, size * n);
  return size * n;
}

struct SinkState {
  const std::function<bool(std::string_view)>* sink = nullptr;
  std::string* buffer = nullptr;
  CURL* handle = nullptr;
  bool delivered = false;
  bool partial_only = false;
};

int CancelCheck(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  return static_cast<const std::atomic<bool>*>(user)->load() ? 1 : 0;
}

size_t WriteSink(char* data, size_t size, size_t n, void* user) {
  auto* st = static_cast<SinkState*>(user);
  long status = 0;  // NOLINT(runtime/int)
  curl_easy_getinfo(st->handle, CURLINFO_RESPONSE_CODE, &status);
  if (status < 200 || status >= 300) {  // an error's XML goes to the buffer, for the message
    st->buffer->append(data, size * n);
    return size * n;
  }
  if (st->partial_only && status != 206) return 0;  // the whole object, not the range asked for
  st->delivered = true;
  return (*st->sink)(std::string_view(data, size * n)) ? size * n : 0;
}

size_t ReadFile(char* buf, size_t size, size_t n, void* user) {
  return std::fread(buf, 1, size * n, static_cast<std::FILE*>(user));
}

struct View {
  std::string_view data;
  std::size_t off = 0;
};

size_t ReadView(char* buf, size_t size, size_t n, void* user) {
  auto* v = static_cast<View*>(user);
  std::size_t k = std::min(size * n, v->data.size() - v->off);
  std::memcpy(buf, v->data.data() + v->off, k);
  v->off += k;
  return k;
}

bool Retryable(CURLcode rc) {
  switch (rc) {
    case CURLE_COULDNT_CONNECT:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
      return true;
    default:
      return false;
  }
}

// The <Code> of an S3 error document, for the operator's log.
std::string ErrorCodeOf(const std::string& body) {
  auto b = body.find("<Code>");
  auto e = body.find("</Code>");
  if (b == std::string::npos || e == std::string::npos || e < b) return "";
  return body.substr(b + 6, e - b - 6);
}

}  // namespace

std::string UriEncode(std::string_view s) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size());
  for (unsigned char c : s) {
    if (Unreserved(c)) {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

Result<S3Config> ParseS3Url(std::string_view url) {
  constexpr std::string_view kScheme = "s3://";
  if (url.substr(0, kScheme.size()) != kScheme) return BadUrl("'" + std::string(url) + "' is not an s3:// URL");
  std::string_view rest = url.substr(kScheme.size());
  std::string_view query;
  if (auto q = rest.find('?'); q != std::string_view::npos) {
    query = rest.substr(q + 1);
    rest = rest.substr(0, q);
  }
  S3Config c;
  auto slash = rest.find('/');
  c.bucket = std::string(rest.substr(0, slash));
  if (slash != std::string_view::npos) c.prefix = std::string(rest.substr(slash + 1));
  while (!c.prefix.empty() && c.prefix.back() == '/') c.prefix.pop_back();
  if (c.bucket.empty() || c.bucket.size() > 63) return BadUrl("the bucket name is missing or too long");
  for (char ch : c.bucket) {
    if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '-' || ch == '.' || ch == '_')) {
      return BadUrl("the bucket name '" + c.bucket + "' may hold only a-z, 0-9, '.', '-' and '_'");
    }
  }
  if (!SafeKeyText(c.prefix) || c.prefix.find("//") != std::string::npos || (!c.prefix.empty() && c.prefix[0] == '/')) {
    return BadUrl("the prefix '" + c.prefix + "' may hold only A-Z, a-z, 0-9, '.', '-', '_' and single '/'");
  }
  for (std::size_t pos = 0; pos < query.size();) {
    std::size_t amp = query.find('&', pos);
    std::string_view part = query.substr(pos, amp == std::string_view::npos ? std::string_view::npos : amp - pos);
    std::string_view key = part.substr(0, part.find('='));
    if (key != "endpoint" && key != "region") {
      return BadUrl("unknown parameter '" + std::string(key) + "' (only endpoint and region are known)");
    }
    if (amp == std::string_view::npos) break;
    pos = amp + 1;
  }
  auto endpoint = QueryValue(query, "endpoint");
  if (!endpoint || endpoint->empty()) return BadUrl("the endpoint is missing (?endpoint=https://...)");
  c.endpoint = *endpoint;
  while (!c.endpoint.empty() && c.endpoint.back() == '/') c.endpoint.pop_back();
  if (c.endpoint.rfind("http://", 0) != 0 && c.endpoint.rfind("https://", 0) != 0) {
    return BadUrl("the endpoint '" + c.endpoint + "' must start with http:// or https://");
  }
  std::string_view host = std::string_view(c.endpoint).substr(c.endpoint.find("//") + 2);
  if (host.empty() || host.find('/') != std::string_view::npos || host.find('@') != std::string_view::npos) {
    return BadUrl("the endpoint must be scheme://host[:port], without a path or credentials");
  }
  if (auto region = QueryValue(query, "region")) {
    if (region->empty() || !SafeKeyText(*region) || region->find('/') != std::string::npos) {
      return BadUrl("the region '" + *region + "' is not a region name");
    }
    c.region = *region;
  }
  return c;
}

core::Status CredentialsFromEnv(S3Config* config) {
  const char* id = std::getenv("AWS_ACCESS_KEY_ID");
  const char* secret = std::getenv("AWS_SECRET_ACCESS_KEY");
  const char* token = std::getenv("AWS_SESSION_TOKEN");
  if (!id || !*id || !secret || !*secret) {
    return Error::Invalid(std::string("--blobs s3://...: ") +
                          (!id || !*id ? "AWS_ACCESS_KEY_ID" : "AWS_SECRET_ACCESS_KEY") +
                          " is not set; the object store's credentials come from AWS_ACCESS_KEY_ID, "
                          "AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN), never from the command line");
  }
  config->access_key = id;
  config->secret_key = secret;
  config->session_token = token ? token : "";
  return core::Ok();
}

// Idle easy handles; each keeps its live connections, so a thread that takes one reuses them.
struct S3Client::Pool {
  std::mutex mu;
  std::vector<CURL*> idle;
  ~Pool() {
    for (CURL* h : idle) curl_easy_cleanup(h);
  }
  CURL* Take() {
    {
      std::lock_guard<std::mutex> lock(mu);
      if (!idle.empty()) {
        CURL* h = idle.back();
        idle.pop_back();
        return h;
      }
    }
    return curl_easy_init();
  }
  void Give(CURL* h) {
    std::lock_guard<std::mutex> lock(mu);
    if (idle.size() < 64) {
      idle.push_back(h);
    } else {
      curl_easy_cleanup(h);
    }
  }
};

S3Client::S3Client(S3Config config) : config_(std::move(config)), pool_(std::make_unique<Pool>()) {
  curl_global_init(CURL_GLOBAL_DEFAULT);
}

S3Client::~S3Client() = default;

Error S3Client::Unavailable(std::string detail) {
  return Error{ErrorKind::kUnavailable,
               "blob_store_unavailable",
               "The object store that keeps the image files did not answer; try again shortly.",
               {}}
      .WithDetail(std::move(detail));
}

Result<S3Response> S3Client::Send(const S3Request& rq) {
  static const std::string kEmptySha = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
  std::string url = config_.endpoint + "/" + config_.bucket;
  if (!rq.key.empty()) url += "/" + rq.key;
  if (!rq.query.empty()) url += "?" + rq.query;
  std::string sigv4 = "aws:amz:" + config_.region + ":s3";
  thread_local std::mt19937 rng{std::random_device{}()};
  std::string last_error;
  int wait_ms = config_.backoff_ms;
  for (int attempt = 1; attempt <= config_.attempts; ++attempt) {
    CURL* h = pool_->Take();
    if (!h) return Unavailable("curl_easy_init failed");
    curl_easy_reset(h);
    S3Response resp;
    SinkState sink{&rq.sink, &resp.body, h, false, rq.partial_only};
    std::FILE* file = nullptr;
    View view{rq.body, 0};
    curl_slist* headers = nullptr;
    headers = curl_slist_append(
        headers, ("x-amz-content-sha256: " + (rq.payload_sha256.empty() ? kEmptySha : rq.payload_sha256)).c_str());
    if (!config_.session_token.empty()) {
      headers = curl_slist_append(headers, ("x-amz-security-token: " + config_.session_token).c_str());
    }
    for (const auto& line : rq.headers) headers = curl_slist_append(headers, line.c_str());
    curl_easy_setopt(h, CURLOPT_URL, url.c_str());
    curl_easy_setopt(h, CURLOPT_AWS_SIGV4, sigv4.c_str());
    curl_easy_setopt(h, CURLOPT_USERNAME, config_.access_key.c_str());
    curl_easy_setopt(h, CURLOPT_PASSWORD, config_.secret_key.c_str());
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, config_.connect_timeout_ms);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, rq.unbounded ? 0L : config_.timeout_ms);
    // A transfer that stalls (not one byte for 60 s) fails instead of holding a worker thread. Not a
    // higher rate: a DeleteObjects of a thousand keys may take the store many seconds, during which
    // it sends only a few bytes of whitespace (Swift's s3api does), and aborting it would only send it
    // again.
    curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, 60L);
    curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L);
    if (rq.cancel) {
      curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
      curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, CancelCheck);
      curl_easy_setopt(h, CURLOPT_XFERINFODATA, const_cast<std::atomic<bool>*>(rq.cancel));
    }
    if (rq.sink) {
      curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, WriteSink);
      curl_easy_setopt(h, CURLOPT_WRITEDATA, &sink);
    } else {
      curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, WriteBody);
      curl_easy_setopt(h, CURLOPT_WRITEDATA, &resp.body);
    }
    bool has_body = !rq.body_file.empty() || rq.method == "PUT" || rq.method == "POST";
    if (rq.method == "HEAD") {
      curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
    } else if (has_body) {
      curl_off_t size = static_cast<curl_off_t>(rq.body.size());
      if (!rq.body_file.empty()) {
        file = std::fopen(rq.body_file.c_str(), "rb");
        if (!file) {
          curl_slist_free_all(headers);
          pool_->Give(h);
          return Error::Internal("The upload's file could not be read.", "storage_failure").WithDetail(rq.body_file);
        }
        std::fseek(file, 0, SEEK_END);
        size = static_cast<curl_off_t>(std::ftell(file));
        std::fseek(file, 0, SEEK_SET);
        curl_easy_setopt(h, CURLOPT_READDATA, file);
        curl_easy_setopt(h, CURLOPT_READFUNCTION, ReadFile);
      } else {
        curl_easy_setopt(h, CURLOPT_READDATA, &view);
        curl_easy_setopt(h, CURLOPT_READFUNCTION, ReadView);
      }
      // Sent as a POST body under the request's own method: curl sends a PUT upload with
      // "Expect: 100-continue" whatever its size (a round trip, or a second against a store that
      // does not answer 100), a POST only above 1 MiB. Suppressing it with an empty "Expect:" header
      // is no way out: curl 7.88 signs that header while it leaves it out, and the signature fails.
      curl_easy_setopt(h, CURLOPT_POST, 1L);
      curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, size);
      curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, rq.method.c_str());
      bool typed = false;
      for (const auto& line : rq.headers) typed = typed || line.rfind("Content-Type:", 0) == 0;
      if (!typed) headers = curl_slist_append(headers, "Content-Type: application/octet-stream");
    } else if (rq.method != "GET") {
      curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, rq.method.c_str());
    }
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
    CURLcode rc = curl_easy_perform(h);
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &resp.status);
    curl_slist_free_all(headers);
    if (file) std::fclose(file);
    if (rq.cancel && rq.cancel->load()) {
      curl_easy_cleanup(h);  // a transfer cut in the middle leaves no connection worth keeping
      return Error::Internal("The response was cut off.", "client_gone").WithDetail("the reader was closed");
    }
    if (rc != CURLE_OK && rc != CURLE_WRITE_ERROR) {
      // A failed connection leaves nothing to reuse; the handle is dropped with it.
      curl_easy_cleanup(h);
    } else {
      pool_->Give(h);
    }
    if (rc == CURLE_WRITE_ERROR && !sink.delivered && rq.partial_only && resp.status >= 200 && resp.status < 300) {
      return Unavailable(rq.method + " " + rq.key + ": HTTP " + std::to_string(resp.status) +
                         " to a ranged GET (the store does not support Range)");
    }
    if (rc == CURLE_WRITE_ERROR && sink.delivered) {
      return Error::Internal("The response was cut off.", "client_gone").WithDetail("the sink refused the body");
    }
    bool retry = false;
    if (rc != CURLE_OK) {
      last_error = rq.method + " " + rq.key + ": " + curl_easy_strerror(rc);
      retry = Retryable(rc) && !sink.delivered;
      if (!retry) return Unavailable(last_error);
    } else if (resp.status >= 500 || resp.status == 429) {
      last_error = rq.method + " " + rq.key + ": HTTP " + std::to_string(resp.status) + " " + ErrorCodeOf(resp.body);
      retry = !sink.delivered;
      if (!retry) return Unavailable(last_error);
    } else {
      return resp;
    }
    if (attempt < config_.attempts) {
      std::uniform_int_distribution<int> jitter(wait_ms / 2, wait_ms);
      std::this_thread::sleep_for(std::chrono::milliseconds(jitter(rng)));
      wait_ms *= 3;
    }
  }
  return Unavailable(last_error + " (after " + std::to_string(config_.attempts) + " attempts)");
}

}  // namespace limbo::storage::blob
