#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "http/message.h"
#include "http/trusted_proxies.h"

namespace limbo::http {

// What the admit hook decides once a request's header is in, before any of its body is read.
struct Admission {
  // Answer this now without reading the body (the connection closes if a body was announced).
  std::optional<Response> response;
  // How many body bytes this request may have; more is answered with `over_limit` (default: 413).
  std::size_t body_limit = 64 * 1024;
  std::optional<Response> over_limit;
  // Stream the body to a file in ServerOptions::temp_dir (Request::body_file) instead of memory.
  bool body_to_file = false;
};

// Sees method, target, path, query, headers and remote_addr (no body yet). May set Request::admitted.
using Admit = std::function<Admission(Request&)>;
using Handler = std::function<Response(Request&)>;

struct ServerOptions {
  std::string address = "127.0.0.1";
  std::uint16_t port = 8080;  // 0: any free port
  int threads = 4;
  // Without an admit hook every request may have a body of this size, kept in memory.
  std::size_t max_body_bytes = 1024 * 1024;
  std::size_t header_limit = 16 * 1024;  // request line and header fields; trailers get the same
  // Open connections at most; at the cap the longest-idle connection (one waiting for a request
  // header) is closed to make room, and when none is idle accepting pauses. 0: no cap.
  int max_connections = 0;
  int header_timeout_ms = 10000;     // a request's header must arrive within this (idle keep-alive too)
  int body_idle_timeout_ms = 30000;  // each read of the body must bring bytes within this
  std::string temp_dir;              // for bodies streamed to files (Admission::body_to_file)
  TrustedProxies trusted_proxies;    // whose X-Forwarded-For sets Request::remote_addr; none by default
};

// An HTTP/1.1 server with keep-alive. The admit hook runs once a request's header is parsed; the
// handler runs when its body is in. Both run on the server's threads and may block briefly. No
// exception from parsing, a socket, the hook or a handler ends the process: a parse failure is
// answered with a JSON 400/413/431 and the connection closes.
class Server {
 public:
  Server(ServerOptions opts, Handler handler, Admit admit = {});
  ~Server();

  // Binds and starts serving; returns the bound port. Throws on a bind failure.
  std::uint16_t Start();
  // Stops accepting, lets in-flight requests finish (up to `grace_ms`), then stops the threads.
  void Stop(int grace_ms = 10000);

  struct Impl;  // defined in server.cc, the only file that sees Beast

 private:
  std::unique_ptr<Impl> impl_;
};

// The server's request parser without a socket (the connection code feeds it what it reads; the
// fuzz target feeds it bytes). Never throws.
class RequestReader {
 public:
  enum class State {
    kNeedMore,    // give it more bytes
    kHeaderDone,  // request() has the request line and headers: call Admit(), then Put() on
    kComplete,    // the request with its body is ready
    kFailed,      // Failure() is the answer; the connection then closes
  };

  explicit RequestReader(const ServerOptions& opts);
  ~RequestReader();
  RequestReader(const RequestReader&) = delete;
  RequestReader& operator=(const RequestReader&) = delete;

  // Parses from `in` (everything not yet consumed) and returns how many bytes it consumed.
  std::size_t Put(std::string_view in, State* state);
  // The peer closed its side: kComplete when that ends a body without a length, else kFailed.
  State PutEof();
  // After kHeaderDone: applies the hook's decision (limit, body on disk); false when the body is
  // already known to be too large, or the file cannot be made (Failure() tells).
  bool Admit(const Admission& a);

  Request& request();
  bool BodyExpected() const;  // after kHeaderDone: a body follows the header
  bool KeepAlive() const;
  unsigned Version() const;
  const Response& Failure() const;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

// Security headers on answers the server writes itself (and any the API did not dress).
void AddSecurityHeaders(Response& res);
std::string JsonErrorBody(const char* code, const char* message);

}  // namespace limbo::http
