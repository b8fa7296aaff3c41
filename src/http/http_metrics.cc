#include "http/http_metrics.h"

namespace limbo::http {

namespace {

constexpr const char* kRequestsName = "limbo_http_requests_total";
constexpr const char* kRequestsHelp = "HTTP requests answered, by route template, method and status.";
constexpr const char* kDurationName = "limbo_http_request_duration_seconds";
constexpr const char* kDurationHelp =
    "Time from a request's complete arrival to its answer, by route template and method.";
constexpr int kMinStatus = 100;
constexpr int kMaxStatus = 599;
constexpr std::array<std::string_view, 7> kMethods = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"};

}  // namespace

struct HttpMetrics::Slot {
  std::string route;
  std::string method;
  std::atomic<core::metrics::Histogram*> duration{nullptr};
  std::array<std::atomic<core::metrics::Counter*>, kMaxStatus - kMinStatus + 1> by_status{};
};

HttpMetrics::HttpMetrics(core::metrics::Registry& registry) : registry_(registry) {
  for (std::size_t i = 0; i <= kMethods.size(); ++i) {
    auto s = std::make_unique<Slot>();
    s->route = "unmatched";
    s->method = i < kMethods.size() ? std::string(kMethods[i]) : "other";
    unmatched_.push_back(std::move(s));
  }
}

HttpMetrics::~HttpMetrics() = default;

void HttpMetrics::AddRoute(const std::string& method, const std::string& pattern) {
  auto s = std::make_unique<Slot>();
  s->route = pattern;
  s->method = method;
  routes_.push_back(std::move(s));
}

HttpMetrics::Slot& HttpMetrics::SlotFor(int route, std::string_view method) const {
  if (route >= 0 && static_cast<std::size_t>(route) < routes_.size()) return *routes_[route];
  for (std::size_t i = 0; i < kMethods.size(); ++i) {
    if (method == kMethods[i]) return *unmatched_[i];
  }
  return *unmatched_.back();
}

void HttpMetrics::Observe(int route, std::string_view method, int status, core::MonoTime elapsed) const {
  Slot& s = SlotFor(route, method);
  if (status < kMinStatus || status > kMaxStatus) status = 500;
  auto& counter_slot = s.by_status[status - kMinStatus];
  auto* counter = counter_slot.load(std::memory_order_acquire);
  if (!counter) {
    // The first request of this series: get-or-create is idempotent, so a race only repeats it.
    counter = &registry_.GetCounter(kRequestsName, kRequestsHelp,
                                    {{"route", s.route}, {"method", s.method}, {"status", std::to_string(status)}});
    counter_slot.store(counter, std::memory_order_release);
  }
  counter->Inc();
  auto* duration = s.duration.load(std::memory_order_acquire);
  if (!duration) {
    duration = &registry_.GetHistogram(kDurationName, kDurationHelp, core::metrics::LatencyBuckets(), 1e9,
                                       {{"route", s.route}, {"method", s.method}});
    s.duration.store(duration, std::memory_order_release);
  }
  duration->Observe(elapsed.count());
}

}  // namespace limbo::http
