#include "core/metrics.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <map>
#include <stdexcept>

#include "core/clock.h"

namespace limbo::core::metrics {

std::string EscapeHelp(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

std::string EscapeLabelValue(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

std::string FormatValue(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buf[64];
  // Integral values below 2^53 print without a fraction or an exponent (counters, byte figures).
  if (v == std::floor(v) && std::fabs(v) < 9007199254740992.0) {
    auto r = std::to_chars(buf, buf + sizeof buf, static_cast<std::int64_t>(v));
    return std::string(buf, r.ptr);
  }
  // The shortest text that reads back as v: plain decimals in the usual range (a Unix time with
  // milliseconds, 0.0005), an exponent beyond it.
  double a = std::fabs(v);
  auto fmt = a >= 1e-4 && a < 1e15 ? std::chars_format::fixed : std::chars_format::general;
  auto r = std::to_chars(buf, buf + sizeof buf, v, fmt);
  return std::string(buf, r.ptr);
}

namespace {
bool NameChar(char c, bool first, bool colon) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_') return true;
  if (colon && c == ':') return true;
  return !first && c >= '0' && c <= '9';
}
}  // namespace

bool ValidMetricName(std::string_view s) {
  if (s.empty()) return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (!NameChar(s[i], i == 0, true)) return false;
  }
  return true;
}

bool ValidLabelName(std::string_view s) {
  if (s.empty() || s.substr(0, 2) == "__") return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (!NameChar(s[i], i == 0, false)) return false;
  }
  return true;
}

// ---------------------------------------------------------------------------------------------------

void TextWriter::Family(std::string_view name, std::string_view help, Type type) {
  out_ += "# HELP ";
  out_ += name;
  out_ += ' ';
  out_ += EscapeHelp(help);
  out_ += "\n# TYPE ";
  out_ += name;
  out_ += type == Type::kCounter ? " counter\n" : type == Type::kGauge ? " gauge\n" : " histogram\n";
}

void TextWriter::Series(std::string_view name, const Labels& labels, const std::pair<std::string, std::string>* extra) {
  out_ += name;
  if (labels.empty() && !extra) return;
  out_ += '{';
  bool first = true;
  auto one = [&](const std::pair<std::string, std::string>& l) {
    if (!first) out_ += ',';
    first = false;
    out_ += l.first;
    out_ += "=\"";
    out_ += EscapeLabelValue(l.second);
    out_ += '"';
  };
  for (const auto& l : labels) one(l);
  if (extra) one(*extra);
  out_ += '}';
}

void TextWriter::Sample(std::string_view name, const Labels& labels, double value) {
  Series(name, labels, nullptr);
  out_ += ' ';
  out_ += FormatValue(value);
  out_ += '\n';
}

void TextWriter::HistogramSeries(std::string_view name, const Labels& labels, std::span<const double> bounds,
                                 std::span<const std::uint64_t> counts, double sum) {
  std::string bucket = std::string(name) + "_bucket";
  std::uint64_t cumulative = 0;
  for (std::size_t i = 0; i <= bounds.size(); ++i) {
    cumulative += i < counts.size() ? counts[i] : 0;
    std::pair<std::string, std::string> le{"le", i < bounds.size() ? FormatValue(bounds[i]) : "+Inf"};
    Series(bucket, labels, &le);
    out_ += ' ';
    out_ += FormatValue(static_cast<double>(cumulative));
    out_ += '\n';
  }
  Sample(std::string(name) + "_sum", labels, sum);
  Sample(std::string(name) + "_count", labels, static_cast<double>(cumulative));
}

// ---------------------------------------------------------------------------------------------------

Histogram::Histogram(std::vector<double> bounds, double scale) : bounds_(std::move(bounds)), scale_(scale) {
  if (!std::is_sorted(bounds_.begin(), bounds_.end()) ||
      std::adjacent_find(bounds_.begin(), bounds_.end()) != bounds_.end()) {
    throw std::logic_error("histogram bounds must be increasing");
  }
  for (double b : bounds_) scaled_bounds_.push_back(static_cast<std::int64_t>(std::llround(b * scale_)));
  counts_ = std::make_unique<std::atomic<std::uint64_t>[]>(bounds_.size() + 1);
}

void Histogram::Observe(std::int64_t scaled) {
  if (scaled < 0) scaled = 0;
  std::size_t i = 0;
  while (i < scaled_bounds_.size() && scaled > scaled_bounds_[i]) ++i;  // le: a value on a bound is in it
  counts_[i].fetch_add(1, std::memory_order_relaxed);
  sum_.fetch_add(static_cast<std::uint64_t>(scaled), std::memory_order_relaxed);
}

std::vector<std::uint64_t> Histogram::Counts() const {
  std::vector<std::uint64_t> out(bounds_.size() + 1);
  for (std::size_t i = 0; i < out.size(); ++i) out[i] = counts_[i].load(std::memory_order_relaxed);
  return out;
}

double Histogram::Sum() const { return static_cast<double>(sum_.load(std::memory_order_relaxed)) / scale_; }

namespace {
// Read while the program's statics are initialised, before main.
const double kProcessStart = static_cast<double>(SystemClock().SystemNow()) / 1000.0;
}  // namespace

double ProcessStartTimeSeconds() { return kProcessStart; }

std::vector<double> LatencyBuckets() {
  return {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
}

// ---------------------------------------------------------------------------------------------------

struct Registry::Family {
  std::string name;
  std::string help;
  Type type;
  std::vector<std::string> label_names;
  std::vector<double> bounds;
  double scale = 1;
  struct Series {
    std::unique_ptr<Counter> counter;
    std::unique_ptr<Gauge> gauge;
    std::unique_ptr<Histogram> histogram;
  };
  std::map<Labels, Series> series;  // written in label order
};

Registry::Registry() = default;
Registry::~Registry() = default;

Registry::Family& Registry::FamilyFor(std::string_view name, std::string_view help, Type type, const Labels& labels,
                                      const std::vector<double>* bounds, double scale) {
  std::vector<std::string> names;
  for (const auto& l : labels) {
    if (!ValidLabelName(l.first) || (type == Type::kHistogram && l.first == "le")) {
      throw std::logic_error("invalid label name '" + l.first + "' for metric " + std::string(name));
    }
    names.push_back(l.first);
  }
  for (auto& f : families_) {
    if (f->name != name) continue;
    if (f->type != type || f->help != help || f->label_names != names || (bounds && f->bounds != *bounds) ||
        f->scale != scale) {
      throw std::logic_error("metric " + std::string(name) + " registered twice differently");
    }
    return *f;
  }
  if (!ValidMetricName(name)) throw std::logic_error("invalid metric name '" + std::string(name) + "'");
  auto f = std::make_unique<Family>();
  f->name = std::string(name);
  f->help = std::string(help);
  f->type = type;
  f->label_names = std::move(names);
  if (bounds) f->bounds = *bounds;
  f->scale = scale;
  families_.push_back(std::move(f));
  std::sort(families_.begin(), families_.end(), [](const auto& a, const auto& b) { return a->name < b->name; });
  for (auto& g : families_) {
    if (g->name == name) return *g;
  }
  throw std::logic_error("unreachable");
}

Counter& Registry::GetCounter(std::string_view name, std::string_view help, const Labels& labels) {
  return GetScaledCounter(name, help, 1, labels);
}

Counter& Registry::GetScaledCounter(std::string_view name, std::string_view help, double scale, const Labels& labels) {
  std::lock_guard lock(mu_);
  auto& s = FamilyFor(name, help, Type::kCounter, labels, nullptr, scale).series[labels];
  if (!s.counter) s.counter = std::make_unique<Counter>();
  return *s.counter;
}

Gauge& Registry::GetGauge(std::string_view name, std::string_view help, const Labels& labels) {
  std::lock_guard lock(mu_);
  auto& s = FamilyFor(name, help, Type::kGauge, labels, nullptr, 1).series[labels];
  if (!s.gauge) s.gauge = std::make_unique<Gauge>();
  return *s.gauge;
}

Histogram& Registry::GetHistogram(std::string_view name, std::string_view help, const std::vector<double>& bounds,
                                  double scale, const Labels& labels) {
  std::lock_guard lock(mu_);
  auto& f = FamilyFor(name, help, Type::kHistogram, labels, &bounds, scale);
  auto& s = f.series[labels];
  if (!s.histogram) s.histogram = std::make_unique<Histogram>(bounds, scale);
  return *s.histogram;
}

std::uint64_t Registry::AddCollector(Collector c) {
  std::lock_guard lock(mu_);
  std::uint64_t id = next_collector_++;
  collectors_.emplace_back(id, std::make_shared<Collector>(std::move(c)));
  return id;
}

void Registry::RemoveCollector(std::uint64_t id) {
  std::lock_guard lock(mu_);
  std::erase_if(collectors_, [id](const auto& c) { return c.first == id; });
}

void Registry::Write(TextWriter& w) const {
  std::vector<std::shared_ptr<Collector>> collectors;
  {
    std::lock_guard lock(mu_);
    for (const auto& f : families_) {
      if (f->series.empty()) continue;
      w.Family(f->name, f->help, f->type);
      for (const auto& [labels, s] : f->series) {
        if (s.counter) w.Sample(f->name, labels, static_cast<double>(s.counter->Value()) / f->scale);
        if (s.gauge) w.Sample(f->name, labels, s.gauge->Value());
        if (s.histogram) {
          auto counts = s.histogram->Counts();
          w.HistogramSeries(f->name, labels, s.histogram->bounds(), counts, s.histogram->Sum());
        }
      }
    }
    for (const auto& c : collectors_) collectors.push_back(c.second);
  }
  // Outside the lock: a collector may read the database, and new series must not wait for it.
  for (const auto& c : collectors) (*c)(w);
}

std::string Registry::Render() const {
  TextWriter w;
  Write(w);
  return w.Take();
}

Registry& Default() {
  static Registry* r = new Registry();  // never destroyed: counters are touched until the process exits
  return *r;
}

}  // namespace limbo::core::metrics
