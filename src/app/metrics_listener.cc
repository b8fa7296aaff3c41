#include "app/metrics_listener.h"

#include <fstream>
#include <sstream>
#include <stdexcept>

#include "http/handlers/handlers.h"

namespace limbo::app {

namespace {

bool SplitHostPort(const std::string& listen, std::string* host, std::uint16_t* port) {
  auto colon = listen.rfind(':');
  if (colon == std::string::npos) return false;
  *host = listen.substr(0, colon);
  if (host->size() > 2 && host->front() == '[' && host->back() == ']') *host = host->substr(1, host->size() - 2);
  try {
    std::size_t used = 0;
    int p = std::stoi(listen.substr(colon + 1), &used);
    if (used != listen.size() - colon - 1 || p < 0 || p > 65535) return false;
    *port = static_cast<std::uint16_t>(p);
  } catch (...) {
    return false;
  }
  return !host->empty();
}

}  // namespace

void AddMetricsFlags(CLI::App* serve, MetricsFlags* flags) {
  serve->add_option("--metrics-token", flags->token,
                    "Require 'Authorization: Bearer TOKEN' on GET /metrics (shows in ps: prefer --metrics-token-file)");
  serve->add_option("--metrics-token-file", flags->token_file,
                    "File holding the token GET /metrics requires (surrounding whitespace is ignored)");
  serve->add_option("--metrics-listen", flags->listen,
                    "Serve GET /metrics on this HOST:PORT only; the main listener then answers 404 for it");
}

std::optional<std::string> ConfigureMetrics(const MetricsFlags& flags, const domain::Gauges* gauges,
                                            http::MetricsEndpoint* endpoint) {
  endpoint->gauges = gauges;
  endpoint->served_here = flags.listen.empty();
  if (!flags.token.empty() && !flags.token_file.empty()) {
    return "--metrics-token and --metrics-token-file are exclusive: give one";
  }
  endpoint->token = flags.token;
  if (!flags.token_file.empty()) {
    std::ifstream in(flags.token_file, std::ios::binary);
    if (!in) return "--metrics-token-file: cannot read " + flags.token_file;
    std::stringstream ss;
    ss << in.rdbuf();
    std::string t = ss.str();
    auto ws = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
    while (!t.empty() && ws(t.back())) t.pop_back();
    std::size_t start = 0;
    while (start < t.size() && ws(t[start])) ++start;
    endpoint->token = t.substr(start);
    if (endpoint->token.empty()) return "--metrics-token-file: " + flags.token_file + " is empty";
  }
  for (char c : endpoint->token) {
    if (static_cast<unsigned char>(c) < 0x21 || static_cast<unsigned char>(c) > 0x7e) {
      return "the metrics token must be printable ASCII without spaces";
    }
  }
  if (!flags.listen.empty()) {
    std::string host;
    std::uint16_t port = 0;
    if (!SplitHostPort(flags.listen, &host, &port)) return "--metrics-listen must be HOST:PORT, e.g. 127.0.0.1:9464";
  }
  return std::nullopt;
}

MetricsListener::MetricsListener(const MetricsFlags& flags, const http::MetricsEndpoint& main_endpoint,
                                 http::Services svc, const http::ServerOptions& base)
    : endpoint_(main_endpoint) {
  endpoint_.served_here = true;
  svc.metrics = &endpoint_;
  api_ = std::make_unique<http::Api>(svc);
  http::handlers::RegisterMetrics(*api_);
  http::ServerOptions opts = base;
  opts.threads = 1;
  if (!SplitHostPort(flags.listen, &opts.address, &opts.port)) {
    throw std::invalid_argument("--metrics-listen must be HOST:PORT");
  }
  http::Api* api = api_.get();
  server_ = std::make_unique<http::Server>(
      opts, [api](http::Request& r) { return api->Handle(r); }, [api](http::Request& r) { return api->Admit(r); });
}

MetricsListener::~MetricsListener() { Stop(); }

std::uint16_t MetricsListener::Start() { return server_->Start(); }

void MetricsListener::Stop() {
  if (server_) server_->Stop();
}

}  // namespace limbo::app
