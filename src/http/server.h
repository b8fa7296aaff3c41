#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "http/message.h"
#include "http/trusted_proxies.h"

namespace limbo::http {

struct ServerOptions {
  std::string address = "127.0.0.1";
  std::uint16_t port = 8080;  // 0: any free port
  int threads = 4;
  std::size_t max_body_bytes = 1024 * 1024;                // JSON bodies
  std::size_t max_upload_bytes = 32 * 1024 * 1024 + 65536;  // uploads (paths ending in /upload)
  TrustedProxies trusted_proxies;  // whose X-Forwarded-For sets Request::remote_addr; none by default
};

using Handler = std::function<Response(Request&)>;

// An HTTP/1.1 server with keep-alive. Handlers run on the server's threads and may block briefly.
// Bodies over the limits are answered with 413 before the handler runs.
class Server {
 public:
  Server(ServerOptions opts, Handler handler);
  ~Server();

  // Binds and starts serving; returns the bound port. Throws on a bind failure.
  std::uint16_t Start();
  // Stops accepting, lets in-flight requests finish (up to `grace_ms`), then stops the threads.
  void Stop(int grace_ms = 10000);

  struct Impl;  // defined in server.cc, the only file that sees Beast

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace limbo::http
