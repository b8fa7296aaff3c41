#pragma once

#include <CLI/CLI.hpp>
#include <memory>
#include <optional>
#include <string>

#include "http/api.h"
#include "http/server.h"

namespace limbo::app {

// The flags of `limbod serve` about GET /metrics (docs/OPERATIONS.md, "Metrics").
struct MetricsFlags {
  std::string token;       // --metrics-token (visible in `ps`; prefer the file or LIMBO_METRICS_TOKEN)
  std::string token_file;  // --metrics-token-file
  std::string listen;      // --metrics-listen HOST:PORT: /metrics there only
};

void AddMetricsFlags(CLI::App* serve, MetricsFlags* flags);

// The endpoint the main listener's API gets: the token from the flag or the file, `served_here`
// false with --metrics-listen. An error message when the flags do not hold together.
std::optional<std::string> ConfigureMetrics(const MetricsFlags& flags, const domain::Gauges* gauges,
                                            http::MetricsEndpoint* endpoint);

// --metrics-listen: a second listener whose API has GET /metrics only.
class MetricsListener {
 public:
  // `svc` are the main API's services; `base` the main listener's options (threads aside).
  MetricsListener(const MetricsFlags& flags, const http::MetricsEndpoint& main_endpoint, http::Services svc,
                  const http::ServerOptions& base);
  ~MetricsListener();
  // Binds; returns the bound port. Throws on a bind failure or a malformed --metrics-listen.
  std::uint16_t Start();
  void Stop();

 private:
  http::MetricsEndpoint endpoint_;
  std::unique_ptr<http::Api> api_;
  std::unique_ptr<http::Server> server_;
};

}  // namespace limbo::app
