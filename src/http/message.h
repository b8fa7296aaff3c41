#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace limbo::http {

// An HTTP request as the router and handlers see it; independent of the server library.
struct Request {
  std::string method;  // "GET", "POST", ...
  std::string target;  // raw target, with the query string
  std::string path;    // percent-decoded path
  std::map<std::string, std::string> query;
  std::vector<std::pair<std::string, std::string>> headers;  // names lowercased
  std::string body;
  // When the admit hook asked for the body on disk: the file holding it (then `body` is empty), its
  // size and SHA-256. The server removes the file once the handler has answered.
  std::string body_file;
  std::uint64_t body_file_size = 0;
  std::string body_file_sha256;
  // Whatever the admit hook left for the handler (e.g. the principal it authenticated).
  std::shared_ptr<void> admitted;
  std::string remote_addr;         // the client's address: the socket peer, or what trusted proxies forwarded
  bool via_trusted_proxy = false;  // the socket peer is a --trusted-proxy: its X-Forwarded-* are believed
  std::string request_id;

  // First header with that (lowercase) name, or "".
  std::string_view Header(std::string_view name) const;
  std::string_view Cookie(std::string_view name) const;
  const std::string* Query(const std::string& name) const;
};

// A body the server writes piece by piece as the client takes it (an image streamed from the blob
// store), so that what a download holds in memory stays bounded whatever the body's size. Read runs
// on the connection's thread, one call at a time; the source is destroyed when the answer is done or
// the connection is gone (a client that hangs up stops the read).
class BodySource {
 public:
  virtual ~BodySource() = default;
  // Up to `max` next bytes into `buf`: how many, 0 at the end, or -1 when the body cannot be read
  // further. The headers are sent by then: the server closes the connection, so the client sees a
  // body shorter than its Content-Length.
  virtual std::int64_t Read(char* buf, std::size_t max) = 0;
};

struct Response {
  int status = 200;
  std::string content_type = "application/json";  // "" sends no Content-Type (a 304)
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  // Bytes shared with whoever keeps them (a cached page) instead of copied into `body`. When set,
  // they are the body that is sent and `body` is ignored.
  std::shared_ptr<const std::string> shared_body;
  // When set, the body comes from here instead of `body`, and `source_size` is its Content-Length.
  std::shared_ptr<BodySource> source;
  std::uint64_t source_size = 0;

  std::string_view Body() const { return shared_body ? std::string_view(*shared_body) : std::string_view(body); }
  void SetHeader(std::string name, std::string value);
  bool HasHeader(std::string_view name) const {
    for (const auto& [k, v] : headers) {
      if (k == name) return true;
    }
    return false;
  }
};

// Splits "/a/b?x=1&y=2" into a decoded path and query map; false when the target is malformed
// (bad percent-encoding, a NUL byte, or a path that does not start with '/').
// The status line and header block of `res` as HTTP/1.`version` sends it, ending with the blank
// line, appended to `out`; no Content-Type when it is empty. `Content-Length` is `body_size` (also for HEAD, which
// sends no body), except for 1xx, 204 and 304, which carry none; `Connection` says what `keep_alive` decided. A header
// value's CR, LF and NUL bytes become spaces, so no value can start another header.
void AppendResponseHead(std::string& out, const Response& res, unsigned version, bool keep_alive,
                        std::size_t body_size);
std::string_view ReasonPhrase(int status);

bool ParseTarget(std::string_view target, std::string* path, std::map<std::string, std::string>* query);
std::string PercentDecode(std::string_view s, bool plus_as_space, bool* ok);

}  // namespace limbo::http
