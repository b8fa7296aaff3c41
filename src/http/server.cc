// The only translation unit that includes Boost.Beast (it is slow to compile).
#include "http/server.h"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <limits>
#include <map>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "core/clock.h"
#include "core/crypto.h"
#include "http/text.h"

namespace limbo::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
// Socket deadlines are real time (a manual clock cannot time out a peer); they read it through
// core's clock like everything else.
const core::SystemClock kRealTime;
core::MonoTime MonoNow() { return kRealTime.Monotonic(); }

std::string JsonErrorBody(const char* code, const char* message) {
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

namespace {

Response ErrorAnswer(int status, const char* code, const char* message) {
  Response res;
  res.status = status;
  res.body = JsonErrorBody(code, message);
  return res;
}

Response TooLarge() {
  return ErrorAnswer(413, "payload_too_large", "The request body is larger than this route accepts.");
}

}  // namespace

// ---------------------------------------------------------------------------------------------------
// RequestReader: Beast's basic_parser with our own field storage. Beast's basic_fields throws
// std::length_error on a field over 64 KiB; nothing here stores fields in it, and every call into the
// parser is inside try/catch. Body bytes go to memory or to a file as they arrive.

struct RequestReader::Impl final : bhttp::basic_parser<true> {
  explicit Impl(const ServerOptions& o) : temp_dir(o.temp_dir), pending_limit(o.header_limit) {
    header_limit(static_cast<std::uint32_t>(o.header_limit));
    // Enforced in Append, per the admit hook's decision. (Not boost::none: Beast 1.74 compares the
    // declared length with the optional, and any length is "greater" than none.)
    body_limit(std::numeric_limits<std::uint64_t>::max());
    eager(false);  // stop after the header so that the hook runs before the body
    body_max = o.max_body_bytes;
  }
  ~Impl() override {
    if (fd >= 0) ::close(fd);
    if (!file_path.empty()) ::unlink(file_path.c_str());
  }

  std::string temp_dir;
  std::size_t pending_limit;
  Request req;
  unsigned version = 11;
  bool header_reported = false;
  bool admitted = false;
  std::size_t body_max = 0;
  std::size_t body_bytes = 0;
  std::size_t trailer_bytes = 0;
  std::optional<Response> over_limit;
  bool to_file = false;
  int fd = -1;
  std::string file_path;
  core::Sha256Stream sha;
  bool io_failed = false;
  bool failed = false;
  Response failure;

  State Fail(Response r) {
    failed = true;
    failure = std::move(r);
    return State::kFailed;
  }

  State FailFor(beast::error_code ec) {
    if (io_failed) {
      return Fail(ErrorAnswer(500, "storage_failure", "The server could not store the request body."));
    }
    if (ec == bhttp::error::body_limit) return Fail(over_limit ? *over_limit : TooLarge());
    if (ec == bhttp::error::header_limit) {
      return Fail(ErrorAnswer(431, "headers_too_large", "The request headers or trailers are too large."));
    }
    if (ec == bhttp::error::bad_content_length) {
      return Fail(
          ErrorAnswer(400, "invalid_request", "The Content-Length header must be one non-negative number below 2^64."));
    }
    if (ec == bhttp::error::bad_transfer_encoding) {
      return Fail(ErrorAnswer(400, "invalid_request", "The Transfer-Encoding header is not supported."));
    }
    if (ec == bhttp::error::bad_chunk || ec == bhttp::error::bad_chunk_extension) {
      return Fail(ErrorAnswer(400, "invalid_request", "The chunked body is malformed."));
    }
    return Fail(ErrorAnswer(400, "invalid_request", "The request is not valid HTTP/1.1."));
  }

  std::size_t Append(beast::string_view body, beast::error_code& ec) {
    if (body.size() > body_max - std::min(body_max, body_bytes)) {
      ec = bhttp::error::body_limit;
      return 0;
    }
    body_bytes += body.size();
    if (!to_file) {
      req.body.append(body.data(), body.size());
      return body.size();
    }
    std::size_t off = 0;
    while (off < body.size()) {
      ssize_t n = ::write(fd, body.data() + off, body.size() - off);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        io_failed = true;
        ec = beast::error_code(errno ? errno : EIO, beast::system_category());
        return 0;
      }
      off += static_cast<std::size_t>(n);
    }
    sha.Update(std::string_view(body.data(), body.size()));
    return body.size();
  }

  void on_request_impl(bhttp::verb, beast::string_view method, beast::string_view target, int v,
                       beast::error_code&) override {
    req.method = std::string(method);
    req.target = std::string(target);
    version = static_cast<unsigned>(v);
  }
  void on_response_impl(int, beast::string_view, int, beast::error_code& ec) override {
    ec = bhttp::error::bad_version;
  }
  void on_field_impl(bhttp::field, beast::string_view name, beast::string_view value, beast::error_code& ec) override {
    // Trailer fields are dropped (nothing may arrive after the body that changes what the header
    // said), and together they get the header's size limit.
    if (is_header_done()) {
      trailer_bytes += name.size() + value.size() + 4;
      if (trailer_bytes > pending_limit) ec = bhttp::error::header_limit;
      return;
    }
    req.headers.emplace_back(AsciiLower(std::string_view(name.data(), name.size())), std::string(value));
  }
  void on_header_impl(beast::error_code&) override {}
  void on_body_init_impl(const boost::optional<std::uint64_t>& length, beast::error_code& ec) override {
    if (length && *length > body_max) ec = bhttp::error::body_limit;
  }
  std::size_t on_body_impl(beast::string_view body, beast::error_code& ec) override { return Append(body, ec); }
  void on_chunk_header_impl(std::uint64_t, beast::string_view, beast::error_code&) override {}
  std::size_t on_chunk_body_impl(std::uint64_t, beast::string_view body, beast::error_code& ec) override {
    return Append(body, ec);
  }
  void on_finish_impl(beast::error_code& ec) override {
    if (!to_file) return;
    if (::close(fd) != 0) {
      io_failed = true;
      ec = beast::error_code(errno, beast::system_category());
    }
    fd = -1;
    req.body_file = file_path;
    req.body_file_size = body_bytes;
    req.body_file_sha256 = sha.HexDigest();
  }

  State Step(std::string_view in, std::size_t* used) {
    *used = 0;
    if (failed) return State::kFailed;
    while (true) {
      if (is_done()) {
        if (!header_reported) {
          header_reported = true;
          return State::kHeaderDone;
        }
        return State::kComplete;
      }
      if (is_header_done() && !header_reported) {
        header_reported = true;
        return State::kHeaderDone;
      }
      if (header_reported && !admitted) return State::kHeaderDone;
      if (*used == in.size()) return State::kNeedMore;
      beast::error_code ec;
      std::size_t n = put(asio::const_buffer(in.data() + *used, in.size() - *used), ec);
      *used += n;
      if (ec == bhttp::error::need_more) {
        // A header over the limit is caught by Beast; a trailer or a chunk line is not (Beast looks
        // for its end in everything buffered), so what stays unconsumed is bounded here.
        if (in.size() - *used > pending_limit) {
          return Fail(ErrorAnswer(431, "headers_too_large", "The request headers or trailers are too large."));
        }
        return State::kNeedMore;
      }
      if (ec) return FailFor(ec);
      if (n == 0 && !is_done() && !(is_header_done() && !header_reported)) return State::kNeedMore;
    }
  }
};

RequestReader::RequestReader(const ServerOptions& opts) : impl_(std::make_unique<Impl>(opts)) {}
RequestReader::~RequestReader() = default;

std::size_t RequestReader::Put(std::string_view in, State* state) {
  std::size_t used = 0;
  try {
    *state = impl_->Step(in, &used);
  } catch (const std::exception&) {
    *state = impl_->Fail(ErrorAnswer(400, "invalid_request", "The request could not be parsed."));
  } catch (...) {
    *state = impl_->Fail(ErrorAnswer(400, "invalid_request", "The request could not be parsed."));
  }
  return used;
}

RequestReader::State RequestReader::PutEof() {
  if (impl_->failed) return State::kFailed;
  try {
    if (!impl_->got_some()) return impl_->Fail(ErrorAnswer(400, "invalid_request", "The request is empty."));
    beast::error_code ec;
    impl_->put_eof(ec);
    if (ec) return impl_->FailFor(ec);
    return impl_->is_done() ? State::kComplete : impl_->FailFor(bhttp::error::partial_message);
  } catch (...) {
    return impl_->Fail(ErrorAnswer(400, "invalid_request", "The request could not be parsed."));
  }
}

bool RequestReader::Admit(const Admission& a) {
  impl_->admitted = true;
  impl_->body_max = a.body_limit;
  impl_->over_limit = a.over_limit;
  if (impl_->is_done()) return true;
  try {
    auto declared = impl_->content_length();
    if (declared && *declared > a.body_limit) {
      impl_->Fail(a.over_limit ? *a.over_limit : TooLarge());
      return false;
    }
  } catch (...) {
  }
  if (a.body_to_file) {
    impl_->file_path = impl_->temp_dir + "/upload-" + core::RandomToken(16);
    impl_->fd = ::open(impl_->file_path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (impl_->fd < 0) {
      spdlog::error("{{\"event\":\"temp_file_failed\",\"path\":\"{}\",\"error\":\"{}\"}}", impl_->file_path,
                    std::strerror(errno));
      impl_->file_path.clear();
      impl_->Fail(ErrorAnswer(500, "storage_failure", "The server could not store the request body."));
      return false;
    }
    impl_->to_file = true;
  }
  return true;
}

Request& RequestReader::request() { return impl_->req; }
bool RequestReader::BodyExpected() const { return impl_->is_header_done() && !impl_->is_done(); }
bool RequestReader::KeepAlive() const {
  try {
    return impl_->is_header_done() && impl_->keep_alive();
  } catch (...) {
    return false;
  }
}
unsigned RequestReader::Version() const { return impl_->version == 10 ? 10 : 11; }
const Response& RequestReader::Failure() const { return impl_->failure; }

// ---------------------------------------------------------------------------------------------------
// Connections.

namespace {
class Session;
}

// Connections accepted at once after an accept completes (the rest wait for the next round).
constexpr int kAcceptBurst = 256;

struct Server::Impl {
  ServerOptions opts;
  Handler handler;
  Admit admit;
  asio::io_context ioc;
  tcp::acceptor acceptor{ioc};
  asio::steady_timer accept_pause{ioc};
  std::vector<std::thread> threads;
  std::atomic<int> in_flight{0};
  std::atomic<int> connections{0};
  std::atomic<bool> draining{false};
  std::atomic<bool> started{false};

  // Connections waiting for a request header, oldest first: the ones closed to make room at the cap.
  std::mutex idle_mu;
  std::map<std::uint64_t, std::weak_ptr<Session>> idle;
  std::uint64_t idle_seq = 0;

  // Accept-loop state (only the accept chain touches it).
  core::MonoTime last_accept_log{};
  int accept_errors_since_log = 0;
  core::MonoTime last_cap_log{};
  int cap_hits_since_log = 0;

  void Accept();
  void StartSession(tcp::socket socket);
  void PauseAccept(std::chrono::milliseconds d);
  bool EvictIdle();
  void RunThread();
};

namespace {

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, Server::Impl& server) : stream_(std::move(socket)), server_(server) {
    server_.connections++;
  }
  ~Session() {
    LeaveIdle();
    server_.connections--;
  }

  void Run() { StartRequest(); }

  // From any thread: closes the connection on its own strand if it is still waiting for a header.
  void CloseIfIdle() {
    asio::post(stream_.get_executor(), [self = shared_from_this()] {
      if (self->header_phase_) self->Close();
    });
  }

 private:
  void StartRequest() {
    reader_ = std::make_unique<RequestReader>(server_.opts);
    header_phase_ = true;
    deadline_ = MonoNow() + std::chrono::milliseconds(server_.opts.header_timeout_ms);
    EnterIdle();
    Process();
  }

  void EnterIdle() {
    std::lock_guard lock(server_.idle_mu);
    idle_key_ = ++server_.idle_seq;
    server_.idle[idle_key_] = weak_from_this();
  }
  void LeaveIdle() {
    if (!idle_key_) return;
    std::lock_guard lock(server_.idle_mu);
    server_.idle.erase(idle_key_);
    idle_key_ = 0;
  }

  void Read() {
    if (closed_) return;
    auto deadline = deadline_;
    if (!header_phase_) {
      deadline = std::min(deadline_, MonoNow() + std::chrono::milliseconds(server_.opts.body_idle_timeout_ms));
    }
    stream_.expires_after(deadline - MonoNow());
    stream_.async_read_some(buffer_.prepare(64 * 1024),
                            [self = shared_from_this()](beast::error_code ec, std::size_t n) { self->OnRead(ec, n); });
  }

  void OnRead(beast::error_code ec, std::size_t n) {
    if (closed_) return;
    if (ec == asio::error::eof && reader_) {
      auto st = reader_->PutEof();
      if (st == RequestReader::State::kComplete) return Dispatch();
      return Close();  // the peer is gone; nothing to answer
    }
    if (ec) return Close();
    buffer_.commit(n);
    Process();
  }

  void Process() {
    while (!closed_) {
      auto data = buffer_.data();
      std::string_view in(static_cast<const char*>(data.data()), data.size());
      RequestReader::State st;
      std::size_t used = reader_->Put(in, &st);
      buffer_.consume(used);
      switch (st) {
        case RequestReader::State::kNeedMore:
          return Read();
        case RequestReader::State::kFailed:
          return Send(reader_->Failure(), false, reader_->Version(), false);
        case RequestReader::State::kComplete:
          return Dispatch();
        case RequestReader::State::kHeaderDone:
          if (!OnHeader()) return;
          break;
      }
    }
  }

  // The header is in: decide what to do with the body. False when an answer is already on its way.
  bool OnHeader() {
    LeaveIdle();
    header_phase_ = false;
    Request& req = reader_->request();
    if (!peer_known_) {  // once per connection: its peer does not change
      beast::error_code ep_ec;
      auto ep = stream_.socket().remote_endpoint(ep_ec);
      if (!ep_ec) {
        peer_ = ep.address().to_string();
        peer_trusted_ = server_.opts.trusted_proxies.Contains(peer_);
        peer_client_ = server_.opts.trusted_proxies.ClientAddress(peer_, "");
        peer_known_ = true;
      }
    }
    if (peer_known_) {
      // Only a trusted proxy's X-Forwarded-For is read; anyone else is its own address.
      req.remote_addr =
          peer_trusted_ ? server_.opts.trusted_proxies.ClientAddress(peer_, ForwardedFor(req)) : peer_client_;
      req.via_trusted_proxy = peer_trusted_;
    }
    bool body = reader_->BodyExpected();
    bool keep_alive = reader_->KeepAlive() && !body && !server_.draining;
    if (!ParseTarget(req.target, &req.path, &req.query)) {
      Send(ErrorAnswer(400, "invalid_request", "The request target is malformed."), keep_alive, reader_->Version(),
           false);
      return false;
    }
    Admission adm;
    adm.body_limit = server_.opts.max_body_bytes;
    if (server_.admit) {
      try {
        adm = server_.admit(req);
      } catch (const std::exception& e) {
        spdlog::error("{{\"event\":\"admit_failed\",\"detail\":{}}}", JsonQuote(e.what()));
        adm.response = ErrorAnswer(500, "internal", "The server failed to handle the request.");
      } catch (...) {
        adm.response = ErrorAnswer(500, "internal", "The server failed to handle the request.");
      }
    }
    if (adm.response) {
      Send(std::move(*adm.response), keep_alive, reader_->Version(), req.method == "HEAD");
      return false;
    }
    if (!reader_->Admit(adm)) {
      Send(reader_->Failure(), false, reader_->Version(), false);
      return false;
    }
    // A client that waits for "100 Continue" before sending the body gets it only now, once the
    // body is wanted (so an unauthenticated client learns 401 without sending 32 MiB first).
    if (reader_->BodyExpected() && reader_->Version() == 11 && AsciiIEquals(req.Header("expect"), "100-continue")) {
      static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
      beast::error_code wec;
      asio::write(stream_.socket(), asio::buffer(kContinue.data(), kContinue.size()), wec);
      if (wec) {
        Close();
        return false;
      }
    }
    // The whole body within a minute plus the time it takes at 32 KiB/s.
    deadline_ = MonoNow() + std::chrono::seconds(60) + std::chrono::seconds(adm.body_limit / (32 * 1024));
    return true;
  }

  static std::string JsonQuote(const char* s) {
    std::string out = "\"";
    for (const char* p = s; *p; ++p) {
      unsigned char c = static_cast<unsigned char>(*p);
      if (c == '"' || c == '\\') {
        out += '\\';
        out += static_cast<char>(c);
      } else if (c < 0x20 || c >= 0x7f) {
        out += '?';
      } else {
        out += static_cast<char>(c);
      }
    }
    return out + "\"";
  }

  void Dispatch() {
    Request& req = reader_->request();
    bool keep_alive = reader_->KeepAlive() && !server_.draining;
    unsigned version = reader_->Version();
    bool head = req.method == "HEAD";
    Response res;
    server_.in_flight++;
    try {
      res = server_.handler(req);
    } catch (const std::exception& e) {
      spdlog::error("{{\"event\":\"handler_failed\",\"detail\":{}}}", JsonQuote(e.what()));
      res = ErrorAnswer(500, "internal", "The server failed to handle the request.");
    } catch (...) {
      res = ErrorAnswer(500, "internal", "The server failed to handle the request.");
    }
    reader_.reset();  // removes a body file the handler did not take
    server_.in_flight--;
    Send(std::move(res), keep_alive, version, head);
  }

  // Writes the head (formatted here into a buffer the connection reuses) and the body (the
  // response's own bytes, or a cached page's, never copied) in one gathered write.
  void Send(Response res, bool keep_alive, unsigned version, bool head) {
    if (closed_) return;
    if (res.source) return SendStreamed(std::move(res), keep_alive, version, head);
    server_.in_flight++;
    AddSecurityHeaders(res);
    out_ = std::move(res);
    head_.clear();
    std::string_view body = out_.Body();
    try {
      AppendResponseHead(head_, out_, version, keep_alive, body.size());
    } catch (const std::exception&) {
      out_ = ErrorAnswer(500, "internal", "The server failed to handle the request.");
      body = out_.Body();
      keep_alive = false;
      head_.clear();
      AppendResponseHead(head_, out_, version, keep_alive, body.size());
    }
    if (head || out_.status == 204 || out_.status == 304) body = {};
    std::array<asio::const_buffer, 2> buffers{asio::buffer(head_.data(), head_.size()),
                                              asio::buffer(body.data(), body.size())};
    stream_.expires_after(std::chrono::seconds(30) + std::chrono::seconds(body.size() / (32 * 1024)));
    asio::async_write(stream_, buffers, [self = shared_from_this(), keep_alive](beast::error_code ec, std::size_t) {
      self->server_.in_flight--;
      self->out_ = Response{};
      if (ec) return self->Close();
      if (!keep_alive) return self->LingeringClose();
      self->StartRequest();
    });
  }

  // An answer whose body comes from a BodySource: the header, then the body in pieces of at most
  // kStreamPiece bytes, each read only once the one before is written (what a download holds is one
  // piece, whatever the body's size; 256 KiB gave 1.6x the throughput of 64 KiB from the file store).
  // A source that fails or ends early closes the connection, so the client sees a body shorter than
  // the Content-Length; a client that goes away ends the source.
  static constexpr std::size_t kStreamPiece = 256 * 1024;
  struct Streamed {
    std::string head;
    std::shared_ptr<BodySource> source;
    std::uint64_t size = 0;
    std::uint64_t left = 0;
    bool keep_alive = false;
    std::vector<char> piece;
  };

  void SendStreamed(Response res, bool keep_alive, unsigned version, bool head) {
    server_.in_flight++;
    AddSecurityHeaders(res);
    auto st = std::make_shared<Streamed>();
    try {
      AppendResponseHead(st->head, res, version, keep_alive, res.source_size);
    } catch (const std::exception&) {
      server_.in_flight--;
      return Send(ErrorAnswer(500, "internal", "The server failed to handle the request."), false, version, false);
    }
    st->source = head ? nullptr : std::move(res.source);
    st->size = res.source_size;
    st->left = head ? 0 : res.source_size;
    st->keep_alive = keep_alive;
    stream_.expires_after(std::chrono::seconds(30));
    asio::async_write(stream_, asio::buffer(st->head.data(), st->head.size()),
                      [self = shared_from_this(), st](beast::error_code ec, std::size_t) {
                        if (ec) return self->EndStreamed(*st, "client_gone");
                        self->StreamPiece(st);
                      });
  }

  void StreamPiece(const std::shared_ptr<Streamed>& st) {
    if (closed_) return EndStreamed(*st, "closed");
    if (st->left == 0) return EndStreamed(*st, nullptr);
    if (st->piece.empty()) st->piece.resize(kStreamPiece);
    std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(st->piece.size(), st->left));
    std::int64_t n = -1;
    try {
      n = st->source->Read(st->piece.data(), want);
    } catch (const std::exception& e) {
      spdlog::error("{{\"event\":\"body_source_failed\",\"detail\":{}}}", JsonQuote(e.what()));
    } catch (...) {
    }
    if (n <= 0 || static_cast<std::uint64_t>(n) > want)
      return EndStreamed(*st, n == 0 ? "source_ended" : "source_failed");
    // A client that takes nothing for 30 s is dropped (as one that sends nothing).
    stream_.expires_after(std::chrono::seconds(30));
    asio::async_write(stream_, asio::buffer(st->piece.data(), static_cast<std::size_t>(n)),
                      [self = shared_from_this(), st, n](beast::error_code ec, std::size_t) {
                        if (ec) return self->EndStreamed(*st, "client_gone");
                        st->left -= static_cast<std::uint64_t>(n);
                        self->StreamPiece(st);
                      });
  }

  // The end of a streamed answer: the next request, or (`cut`: why the body was not sent whole)
  // the connection closed.
  void EndStreamed(Streamed& st, const char* cut) {
    server_.in_flight--;
    st.source.reset();  // stops the read now (a download's transfer from the store)
    if (cut) {
      spdlog::warn("{{\"event\":\"download_cut\",\"reason\":\"{}\",\"sent\":{},\"size\":{}}}", cut, st.size - st.left,
                   st.size);
      return Close();
    }
    if (!st.keep_alive) return LingeringClose();
    StartRequest();
  }

  // Half-closes and discards what the client is still sending (e.g. the rest of a refused body),
  // so it can read our answer instead of failing with a broken pipe. Bounded in time and bytes.
  void LingeringClose() {
    reader_.reset();
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    stream_.expires_after(std::chrono::seconds(5));
    Discard(64 * 1024 * 1024);
  }

  void Discard(std::size_t budget) {
    if (closed_) return;
    buffer_.clear();
    stream_.async_read_some(buffer_.prepare(64 * 1024),
                            [self = shared_from_this(), budget](beast::error_code ec, std::size_t n) {
                              if (ec || n >= budget) return self->Close();
                              self->Discard(budget - n);
                            });
  }

  void Close() {
    if (closed_) return;
    closed_ = true;
    LeaveIdle();
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
    stream_.socket().close(ec);
    reader_.reset();
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::string head_;         // the answer's head being written; reused by the next
  Response out_;             // the answer being written (it owns the body's bytes)
  std::string peer_;         // the socket peer's address
  std::string peer_client_;  // the client's address when the peer is not a trusted proxy
  bool peer_known_ = false;
  bool peer_trusted_ = false;
  std::unique_ptr<RequestReader> reader_;
  Server::Impl& server_;
  bool header_phase_ = true;
  bool closed_ = false;
  core::MonoTime deadline_{};
  std::uint64_t idle_key_ = 0;
};

bool OutOfDescriptors(const beast::error_code& ec) {
  return ec == asio::error::no_descriptors || ec == asio::error::no_buffer_space || ec == asio::error::no_memory ||
         (ec.category() == asio::error::get_system_category() && ec.value() == ENFILE);
}

}  // namespace

bool Server::Impl::EvictIdle() {
  std::shared_ptr<Session> victim;
  {
    std::lock_guard lock(idle_mu);
    while (!idle.empty() && !victim) {
      victim = idle.begin()->second.lock();
      idle.erase(idle.begin());
    }
  }
  if (!victim) return false;
  victim->CloseIfIdle();
  return true;
}

void Server::Impl::PauseAccept(std::chrono::milliseconds d) {
  accept_pause.expires_after(d);
  accept_pause.async_wait([this](beast::error_code ec) {
    if (ec || !acceptor.is_open()) return;
    Accept();
  });
}

void Server::Impl::Accept() {
  if (opts.max_connections > 0 && connections.load() >= opts.max_connections) {
    auto now = MonoNow();
    ++cap_hits_since_log;
    if (now - last_cap_log >= std::chrono::seconds(10)) {
      spdlog::warn("{{\"event\":\"connection_cap\",\"connections\":{},\"max\":{},\"times\":{}}}", connections.load(),
                   opts.max_connections, cap_hits_since_log);
      last_cap_log = now;
      cap_hits_since_log = 0;
    }
    // Make room by closing the longest-idle connection; when every connection is busy, wait.
    if (!EvictIdle()) return PauseAccept(std::chrono::milliseconds(50));
  }
  acceptor.async_accept(asio::make_strand(ioc), [this](beast::error_code ec, tcp::socket socket) {
    if (ec) {
      if (ec == asio::error::operation_aborted || !acceptor.is_open()) return;
      auto now = MonoNow();
      ++accept_errors_since_log;
      if (now - last_accept_log >= std::chrono::seconds(10)) {
        spdlog::error("{{\"event\":\"accept_failed\",\"error\":\"{}\",\"errno\":{},\"connections\":{},\"times\":{}}}",
                      ec.message(), ec.value(), connections.load(), accept_errors_since_log);
        last_accept_log = now;
        accept_errors_since_log = 0;
      }
      if (OutOfDescriptors(ec)) {
        // The pending connection stays in the backlog; free a descriptor and retry a little later
        // instead of spinning on EMFILE.
        // (A short pause when an idle connection was closed: its descriptor is free by then.)
        return PauseAccept(std::chrono::milliseconds(EvictIdle() ? 5 : 100));
      }
      return PauseAccept(std::chrono::milliseconds(5));
    }
    StartSession(std::move(socket));
    // Every connection already waiting is taken now, not one per trip through the queue of ready
    // work: with hundreds of busy connections, one accept per trip left the last of them waiting
    // seconds for their first request (p99 2.8 s at 200 connections).
    for (int i = 0; i < kAcceptBurst && acceptor.is_open(); ++i) {
      if (opts.max_connections > 0 && connections.load() >= opts.max_connections) break;
      beast::error_code aec;
      tcp::socket next(asio::make_strand(ioc));
      acceptor.accept(next, aec);  // the acceptor is non-blocking: would_block when none waits
      if (aec) break;
      StartSession(std::move(next));
    }
    if (acceptor.is_open()) Accept();
  });
}

void Server::Impl::StartSession(tcp::socket socket) {
  try {
    std::make_shared<Session>(std::move(socket), *this)->Run();
  } catch (const std::exception& e) {
    spdlog::error("{{\"event\":\"session_failed\",\"detail\":\"{}\"}}", e.what());
  }
}

void Server::Impl::RunThread() {
  // A handler that throws propagates out of run(); log it and go on serving.
  while (true) {
    try {
      ioc.run();
      return;
    } catch (const std::exception& e) {
      spdlog::error("{{\"event\":\"io_exception\",\"detail\":\"{}\"}}", e.what());
    } catch (...) {
      spdlog::error("{}", R"({"event":"io_exception","detail":"unknown"})");
    }
    if (ioc.stopped()) return;
  }
}

Server::Server(ServerOptions opts, Handler handler, Admit admit) : impl_(std::make_unique<Impl>()) {
  impl_->opts = std::move(opts);
  impl_->handler = std::move(handler);
  impl_->admit = std::move(admit);
}

Server::~Server() { Stop(0); }

std::uint16_t Server::Start() {
  auto addr = asio::ip::make_address(impl_->opts.address);
  tcp::endpoint ep{addr, impl_->opts.port};
  impl_->acceptor.open(ep.protocol());
  impl_->acceptor.set_option(asio::socket_base::reuse_address(true));
  impl_->acceptor.bind(ep);
  impl_->acceptor.listen(asio::socket_base::max_listen_connections);
  impl_->acceptor.non_blocking(true);  // Accept drains the backlog without waiting
  auto port = impl_->acceptor.local_endpoint().port();
  impl_->Accept();
  impl_->started = true;
  for (int i = 0; i < std::max(1, impl_->opts.threads); ++i) {
    impl_->threads.emplace_back([this] { impl_->RunThread(); });
  }
  return port;
}

void Server::Stop(int grace_ms) {
  if (!impl_ || !impl_->started.exchange(false)) return;
  impl_->draining = true;
  asio::post(impl_->acceptor.get_executor(), [this] {
    beast::error_code ec;
    impl_->acceptor.close(ec);
    impl_->accept_pause.cancel();
  });
  auto deadline = MonoNow() + std::chrono::milliseconds(grace_ms);
  while (impl_->in_flight > 0 && MonoNow() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  impl_->ioc.stop();
  for (auto& t : impl_->threads) t.join();
  impl_->threads.clear();
}

}  // namespace limbo::http
