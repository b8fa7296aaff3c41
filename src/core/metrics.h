#pragma once

// Prometheus metrics: counters, gauges and histograms that the hot path updates with relaxed atomics
// (no lock), a registry that names them, and the writer of the text exposition format 0.0.4
// (https://prometheus.io/docs/instrumenting/exposition_formats/). No dependencies.

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace limbo::core::metrics {

// Label names and values of one series, in the order they are written.
using Labels = std::vector<std::pair<std::string, std::string>>;

enum class Type { kCounter, kGauge, kHistogram };

// `# HELP` text: backslash and line feed escaped.
std::string EscapeHelp(std::string_view s);
// A label value: backslash, double quote and line feed escaped.
std::string EscapeLabelValue(std::string_view s);
// A sample value as Prometheus parses it: integers without a fraction, "+Inf", "-Inf", "NaN".
std::string FormatValue(double v);
// [a-zA-Z_:][a-zA-Z0-9_:]* for metric names; label names have no ':' and do not start with "__".
bool ValidMetricName(std::string_view s);
bool ValidLabelName(std::string_view s);

// Writes families one after the other: Family() (its HELP and TYPE lines), then its samples.
class TextWriter {
 public:
  void Family(std::string_view name, std::string_view help, Type type);
  void Sample(std::string_view name, const Labels& labels, double value);
  // One histogram series: `counts` has one entry per bound plus one for +Inf, NOT cumulative (as
  // Histogram keeps them); written cumulative as name_bucket{...,le=...}, then name_sum, name_count.
  void HistogramSeries(std::string_view name, const Labels& labels, std::span<const double> bounds,
                       std::span<const std::uint64_t> counts, double sum);
  const std::string& text() const { return out_; }
  std::string Take() { return std::move(out_); }

 private:
  void Series(std::string_view name, const Labels& labels, const std::pair<std::string, std::string>* extra);
  std::string out_;
};

class Counter {
 public:
  void Inc(std::uint64_t n = 1) { v_.fetch_add(n, std::memory_order_relaxed); }
  std::uint64_t Value() const { return v_.load(std::memory_order_relaxed); }

 private:
  std::atomic<std::uint64_t> v_{0};
};

class Gauge {
 public:
  void Set(double v) { v_.store(v, std::memory_order_relaxed); }
  double Value() const { return v_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> v_{0};
};

// Observations are integers in a unit `scale` times smaller than the base unit (nanoseconds for a
// histogram in seconds: scale 1e9), so that observing is a few integer compares and two atomic adds.
class Histogram {
 public:
  Histogram(std::vector<double> bounds, double scale);
  void Observe(std::int64_t scaled);
  const std::vector<double>& bounds() const { return bounds_; }
  // Per bucket (the last is +Inf), not cumulative; and the sum in the base unit.
  std::vector<std::uint64_t> Counts() const;
  double Sum() const;

 private:
  std::vector<double> bounds_;
  std::vector<std::int64_t> scaled_bounds_;
  double scale_;
  std::unique_ptr<std::atomic<std::uint64_t>[]> counts_;
  std::atomic<std::uint64_t> sum_{0};
};

// When this process started, in seconds since the Unix epoch (process_start_time_seconds).
double ProcessStartTimeSeconds();

// Request latency buckets: 0.5 ms to 10 s.
std::vector<double> LatencyBuckets();

// Families by name, each with its series. Get* returns the series for (name, labels), creating it the
// first time (under a mutex: call it at start-up or once per new series, never per event); the
// reference stays valid as long as the registry. Registering a name twice with another type, help or
// label names throws std::logic_error, as does an invalid name.
class Registry {
 public:
  Registry();
  ~Registry();
  Counter& GetCounter(std::string_view name, std::string_view help, const Labels& labels = {});
  // A counter kept in integer units `scale` times smaller than the one it is written in (credit
  // milliseconds written as credits: scale 1000).
  Counter& GetScaledCounter(std::string_view name, std::string_view help, double scale, const Labels& labels = {});
  Gauge& GetGauge(std::string_view name, std::string_view help, const Labels& labels = {});
  Histogram& GetHistogram(std::string_view name, std::string_view help, const std::vector<double>& bounds, double scale,
                          const Labels& labels = {});

  // Families computed at scrape time (figures read from the database, another object's state). A
  // collector writes whole families with its own names. Returns an id for RemoveCollector.
  using Collector = std::function<void(TextWriter&)>;
  std::uint64_t AddCollector(Collector c);
  void RemoveCollector(std::uint64_t id);

  // Every family: the registered ones sorted by name, then the collectors' in the order added.
  void Write(TextWriter& w) const;
  std::string Render() const;

 private:
  struct Family;
  Family& FamilyFor(std::string_view name, std::string_view help, Type type, const Labels& labels,
                    const std::vector<double>* bounds, double scale);
  mutable std::mutex mu_;
  std::vector<std::unique_ptr<Family>> families_;                                 // GUARDED_BY(mu_)
  std::vector<std::pair<std::uint64_t, std::shared_ptr<Collector>>> collectors_;  // GUARDED_BY(mu_)
  std::uint64_t next_collector_ = 1;                                              // GUARDED_BY(mu_)
};

// The process's registry: what limbod serves at /metrics.
Registry& Default();

// Removes a collector when it goes out of scope.
class CollectorHandle {
 public:
  CollectorHandle() = default;
  CollectorHandle(Registry& r, Registry::Collector c) : r_(&r), id_(r.AddCollector(std::move(c))) {}
  CollectorHandle(const CollectorHandle&) = delete;
  CollectorHandle& operator=(const CollectorHandle&) = delete;
  ~CollectorHandle() {
    if (r_) r_->RemoveCollector(id_);
  }

 private:
  Registry* r_ = nullptr;
  std::uint64_t id_ = 0;
};

}  // namespace limbo::core::metrics
