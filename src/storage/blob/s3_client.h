#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace limbo::storage::blob {

// Where the objects are: `s3://BUCKET[/PREFIX]?endpoint=URL[&region=R]`, with the credentials from
// the environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN), never from a URL.
struct S3Config {
  std::string endpoint;  // scheme://host[:port], no trailing slash
  std::string bucket;
  std::string prefix;  // "" or "a/b" (no leading or trailing slash)
  std::string region = "us-east-1";
  std::string access_key;
  std::string secret_key;  // never logged
  std::string session_token;
  int attempts = 4;                // tries per request on 5xx and connection errors
  long connect_timeout_ms = 3000;  // NOLINT(runtime/int): curl's type
  long timeout_ms = 300000;        // NOLINT(runtime/int)
  int backoff_ms = 50;             // first retry's wait; tripled each time, with jitter
};

// Parses an s3:// URL (the credentials are read separately, by CredentialsFromEnv).
core::Result<S3Config> ParseS3Url(std::string_view url);
// Fills the credentials from the environment; an error names the missing variable.
core::Status CredentialsFromEnv(S3Config* config);

// `s` percent-encoded as SigV4's canonical form wants it: unreserved characters as they are, every
// other byte as %XX in upper case (so '/' is %2F).
std::string UriEncode(std::string_view s);

struct S3Response {
  long status = 0;  // NOLINT(runtime/int)
  std::string body;
};

struct S3Request {
  std::string method = "GET";
  std::string key;    // object key (safe characters only: [A-Za-z0-9._/-]); empty for the bucket
  std::string query;  // canonical: parameters sorted, values UriEncoded ("" or "delete=" or "a=1&b=2")
  std::string_view body;
  std::string body_file;             // upload the bytes of this file instead of `body`
  std::string payload_sha256;        // lowercase hex SHA-256 of the body ("" for an empty body)
  std::vector<std::string> headers;  // extra "Name: value" lines
  // Receives a GET's body as it arrives instead of S3Response::body (for 2xx answers only). A request
  // that has delivered bytes to it is not retried.
  std::function<bool(std::string_view)> sink;
  // A ranged GET whose answer must be 206: a store that ignores Range and answers 200 with the whole
  // object fails the request (blob_store_unavailable) instead of handing the wrong bytes to `sink`.
  bool partial_only = false;
  // When set and true, the transfer stops at curl's next progress check (about once a second even
  // while nothing arrives): the reader of a download the client left.
  const std::atomic<bool>* cancel = nullptr;
  // No total timeout (S3Config::timeout_ms): a download's GET lasts as long as its client takes to
  // read it. A stall is still cut (not one byte for 60 s), and so is a client that stops reading.
  bool unbounded = false;
};

// A small S3 client over libcurl: path-style URLs, SigV4 by CURLOPT_AWS_SIGV4, a pool of easy handles
// (each keeps its connections alive, so every thread reuses one), timeouts, and retries with backoff
// on 5xx, 429 and connection errors. Thread-safe.
class S3Client {
 public:
  explicit S3Client(S3Config config);
  ~S3Client();
  S3Client(const S3Client&) = delete;
  S3Client& operator=(const S3Client&) = delete;

  // The answer of the store, whatever its status (after the retries), or `blob_store_unavailable`
  // when none came (the connection failed every time, or the store kept answering 5xx).
  core::Result<S3Response> Send(const S3Request& request);

  const S3Config& config() const { return config_; }
  // The error every failure to reach the store becomes: 503 `blob_store_unavailable` to clients.
  static core::Error Unavailable(std::string detail);

 private:
  struct Pool;
  S3Config config_;
  std::unique_ptr<Pool> pool_;
};

}  // namespace limbo::storage::blob
