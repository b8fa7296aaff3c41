#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/metrics.h"

namespace limbo::http {

// limbo_http_requests_total{route,method,status} and limbo_http_request_duration_seconds{route,method}.
// `route` is the route's template ("/:ws/trash"), never the path: a request no route matches counts as
// route="unmatched" under its method (or method="other"), so the series are bounded by the route
// table. A series is created on its first request (under the registry's lock, once); every request
// after that is an atomic load and two or three relaxed atomic adds.
class HttpMetrics {
 public:
  explicit HttpMetrics(core::metrics::Registry& registry);
  ~HttpMetrics();
  // Called once per route, in the order of the router's routes.
  void AddRoute(const std::string& method, const std::string& pattern);
  // `route` is the index of the matched route, or -1.
  void Observe(int route, std::string_view method, int status, core::MonoTime elapsed) const;

 private:
  struct Slot;
  Slot& SlotFor(int route, std::string_view method) const;
  core::metrics::Registry& registry_;
  std::vector<std::unique_ptr<Slot>> routes_;
  std::vector<std::unique_ptr<Slot>> unmatched_;  // by method: the common ones, then "other"
};

}  // namespace limbo::http
