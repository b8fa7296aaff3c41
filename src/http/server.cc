// The only translation unit that includes Boost.Beast (it is slow to compile).
#include "http/server.h"

#include <array>
#include <atomic>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <optional>
#include <thread>
#include <vector>


namespace limbo::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;

struct Server::Impl {
  ServerOptions opts;
  Handler handler;
  asio::io_context ioc;
  tcp::acceptor acceptor{ioc};
  std::vector<std::thread> threads;
  std::atomic<int> in_flight{0};
  std::atomic<bool> draining{false};
  std::atomic<bool> started{false};

  void Accept();
};

namespace {

std::string JsonError(const char* code, const char* message) {
  return std::string("{\"error\":{\"code\":\"") + code + "\",\"message\":\"" + message + "\"}}";
}

// Answers written here, before the API runs (413, a malformed target, an escaped exception), carry the
// same security headers as the API's.
void AddSecurityHeaders(Response& res) {
  for (const auto& [k, v] : res.headers) {
    if (k == "X-Content-Type-Options") return;
  }
  res.SetHeader("X-Content-Type-Options", "nosniff");
  res.SetHeader("X-Frame-Options", "DENY");
  res.SetHeader("Referrer-Policy", "no-referrer");
  res.SetHeader("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'");
  res.SetHeader("Cache-Control", "no-store");
}

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, Server::Impl& server) : stream_(std::move(socket)), server_(server) {}

  void Run() { ReadHeader(); }

 private:
  void ReadHeader() {
    parser_.emplace();
    parser_->header_limit(16 * 1024);
    parser_->body_limit(server_.opts.max_upload_bytes);  // narrowed per route once the header is in
    stream_.expires_after(std::chrono::seconds(60));
    bhttp::async_read_header(stream_, buffer_, *parser_,
                             [self = shared_from_this()](beast::error_code ec, std::size_t) { self->OnHeader(ec); });
  }

  void OnHeader(beast::error_code ec) {
    // A declared length over the largest limit is refused while reading the header.
    if (ec == bhttp::error::body_limit) {
      return SendError(413, "payload_too_large", "The request body is larger than this route accepts.");
    }
    if (ec == bhttp::error::header_limit) {
      return SendError(431, "headers_too_large", "The request headers are too large.");
    }
    if (ec) return Close();
    auto target = parser_->get().target();
    std::string_view t(target.data(), target.size());
    auto q = t.find('?');
    std::string_view path = t.substr(0, q);
    bool upload = path.size() >= 7 && path.substr(path.size() - 7) == "/upload";
    std::size_t limit = upload ? server_.opts.max_upload_bytes : server_.opts.max_body_bytes;
    auto declared = parser_->content_length();
    if (declared && *declared > limit) {
      return SendError(413, "payload_too_large", "The request body is larger than this route accepts.");
    }
    parser_->body_limit(limit);
    stream_.expires_after(std::chrono::seconds(300));
    bhttp::async_read(stream_, buffer_, *parser_,
                      [self = shared_from_this()](beast::error_code e, std::size_t) { self->OnBody(e); });
  }

  void OnBody(beast::error_code ec) {
    if (ec == bhttp::error::body_limit) {
      return SendError(413, "payload_too_large", "The request body is larger than this route accepts.");
    }
    if (ec == bhttp::error::header_limit) {
      return SendError(431, "headers_too_large", "The request headers are too large.");
    }
    if (ec) return Close();
    server_.in_flight++;
    auto& msg = parser_->get();
    Request req;
    req.method = std::string(msg.method_string());
    req.target = std::string(msg.target());
    for (const auto& f : msg) {
      std::string name(f.name_string());
      for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      req.headers.emplace_back(std::move(name), std::string(f.value()));
    }
    req.body = std::move(msg.body());
    beast::error_code ep_ec;
    auto ep = stream_.socket().remote_endpoint(ep_ec);
    if (!ep_ec) {
      req.remote_addr = server_.opts.trusted_proxies.ClientAddress(ep.address().to_string(), ForwardedFor(req));
      req.via_trusted_proxy = server_.opts.trusted_proxies.Contains(ep.address().to_string());
    }
    bool keep_alive = msg.keep_alive() && !server_.draining;
    bool ok_target = ParseTarget(req.target, &req.path, &req.query);
    Response res;
    if (!ok_target) {
      res.status = 400;
      res.body = JsonError("invalid_request", "The request target is malformed.");
    } else {
      try {
        res = server_.handler(req);
      } catch (const std::exception&) {
        res = Response{};
        res.status = 500;
        res.body = JsonError("internal", "The server failed to handle the request.");
      }
    }
    Send(std::move(res), keep_alive, msg.version(), req.method == "HEAD");
  }

  void SendError(int status, const char* code, const char* message) {
    server_.in_flight++;
    Response res;
    res.status = status;
    res.body = JsonError(code, message);
    Send(std::move(res), false, 11, false);
  }

  void Send(Response res, bool keep_alive, unsigned version, bool head) {
    AddSecurityHeaders(res);
    auto out = std::make_shared<bhttp::response<bhttp::string_body>>();
    out->version(version);
    out->result(static_cast<unsigned>(res.status));
    out->set(bhttp::field::server, "limbod");
    out->set(bhttp::field::content_type, res.content_type);
    for (auto& [k, v] : res.headers) out->insert(k, v);
    out->keep_alive(keep_alive);
    std::size_t size = res.body.size();
    if (!head) out->body() = std::move(res.body);
    out->prepare_payload();
    if (head) out->content_length(size);
    bhttp::async_write(stream_, *out, [self = shared_from_this(), out, keep_alive](beast::error_code ec, std::size_t) {
      self->server_.in_flight--;
      if (ec) return self->Close();
      if (!keep_alive) return self->LingeringClose();
      self->ReadHeader();
    });
  }

  // Half-closes and discards what the client is still sending (e.g. the rest of a refused body),
  // so it can read our answer instead of failing with a broken pipe. Bounded in time and bytes.
  void LingeringClose() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    stream_.expires_after(std::chrono::seconds(5));
    Discard(64 * 1024 * 1024);
  }

  void Discard(std::size_t budget) {
    auto buf = std::make_shared<std::array<char, 65536>>();
    stream_.async_read_some(asio::buffer(*buf), [self = shared_from_this(), buf, budget](beast::error_code ec, std::size_t n) {
      if (ec || n >= budget) return self->Close();
      self->Discard(budget - n);
    });
  }

  void Close() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    stream_.socket().close(ec);
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  Server::Impl& server_;
};

}  // namespace

void Server::Impl::Accept() {
  acceptor.async_accept(asio::make_strand(ioc), [this](beast::error_code ec, tcp::socket socket) {
    if (ec) {
      if (ec == asio::error::operation_aborted || !acceptor.is_open()) return;
    } else {
      std::make_shared<Session>(std::move(socket), *this)->Run();
    }
    if (acceptor.is_open()) Accept();
  });
}

Server::Server(ServerOptions opts, Handler handler) : impl_(std::make_unique<Impl>()) {
  impl_->opts = std::move(opts);
  impl_->handler = std::move(handler);
}

Server::~Server() { Stop(0); }

std::uint16_t Server::Start() {
  auto addr = asio::ip::make_address(impl_->opts.address);
  tcp::endpoint ep{addr, impl_->opts.port};
  impl_->acceptor.open(ep.protocol());
  impl_->acceptor.set_option(asio::socket_base::reuse_address(true));
  impl_->acceptor.bind(ep);
  impl_->acceptor.listen(asio::socket_base::max_listen_connections);
  auto port = impl_->acceptor.local_endpoint().port();
  impl_->Accept();
  impl_->started = true;
  for (int i = 0; i < std::max(1, impl_->opts.threads); ++i) {
    impl_->threads.emplace_back([this] { impl_->ioc.run(); });
  }
  return port;
}

void Server::Stop(int grace_ms) {
  if (!impl_ || !impl_->started.exchange(false)) return;
  impl_->draining = true;
  asio::post(impl_->acceptor.get_executor(), [this] {
    beast::error_code ec;
    impl_->acceptor.close(ec);
  });
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(grace_ms);
  while (impl_->in_flight > 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  impl_->ioc.stop();
  for (auto& t : impl_->threads) t.join();
  impl_->threads.clear();
}

}  // namespace limbo::http
