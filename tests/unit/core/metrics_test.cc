#include "core/metrics.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <stdexcept>
#include <thread>
#include <vector>

namespace limbo::core::metrics {
namespace {

TEST(MetricsFormat, EscapesHelpAndLabelValues) {
  // HELP escapes backslash and line feed only; label values also the double quote.
  EXPECT_EQ(EscapeHelp("a\\b\nc\"d"), "a\\\\b\\nc\"d");
  EXPECT_EQ(EscapeLabelValue("a\\b\nc\"d"), "a\\\\b\\nc\\\"d");
  TextWriter w;
  w.Family("limbo_x_total", "Things\nwith \\ odd \"text\".", Type::kCounter);
  w.Sample("limbo_x_total", {{"workspace", "we\"ird\\ws\n"}, {"type", "project"}}, 3);
  EXPECT_EQ(w.text(),
            "# HELP limbo_x_total Things\\nwith \\\\ odd \"text\".\n"
            "# TYPE limbo_x_total counter\n"
            "limbo_x_total{workspace=\"we\\\"ird\\\\ws\\n\",type=\"project\"} 3\n");
}

TEST(MetricsFormat, Values) {
  EXPECT_EQ(FormatValue(0), "0");
  EXPECT_EQ(FormatValue(42), "42");
  EXPECT_EQ(FormatValue(-7), "-7");
  EXPECT_EQ(FormatValue(1234567890123.0), "1234567890123");
  EXPECT_EQ(FormatValue(0.0005), "0.0005");
  EXPECT_EQ(FormatValue(2.5), "2.5");
  EXPECT_EQ(FormatValue(1796134735.835), "1796134735.835");  // a Unix time in seconds, not 1.796e+09
  EXPECT_EQ(FormatValue(2.0755e-05), "2.0755e-05");
  EXPECT_EQ(FormatValue(1e300), "1e+300");
  EXPECT_EQ(FormatValue(std::numeric_limits<double>::infinity()), "+Inf");
  EXPECT_EQ(FormatValue(-std::numeric_limits<double>::infinity()), "-Inf");
  EXPECT_EQ(FormatValue(std::nan("")), "NaN");
  EXPECT_EQ(std::stod(FormatValue(0.1 + 0.2)), 0.1 + 0.2);  // round-trips
}

TEST(MetricsFormat, SampleWithoutLabels) {
  TextWriter w;
  w.Family("limbo_up", "Up.", Type::kGauge);
  w.Sample("limbo_up", {}, 1);
  EXPECT_EQ(w.text(), "# HELP limbo_up Up.\n# TYPE limbo_up gauge\nlimbo_up 1\n");
}

TEST(MetricsFormat, Names) {
  EXPECT_TRUE(ValidMetricName("limbo_http_requests_total"));
  EXPECT_TRUE(ValidMetricName("a:b_c9"));
  EXPECT_FALSE(ValidMetricName("9abc"));
  EXPECT_FALSE(ValidMetricName("a-b"));
  EXPECT_FALSE(ValidMetricName(""));
  EXPECT_TRUE(ValidLabelName("route"));
  EXPECT_FALSE(ValidLabelName("__name__"));
  EXPECT_FALSE(ValidLabelName("a:b"));
  EXPECT_FALSE(ValidLabelName("1a"));
  Registry r;
  EXPECT_THROW(r.GetCounter("bad-name", "x"), std::logic_error);
  EXPECT_THROW(r.GetCounter("ok_total", "x", {{"bad-label", "v"}}), std::logic_error);
  EXPECT_THROW(r.GetHistogram("h_seconds", "x", {1}, 1, {{"le", "1"}}), std::logic_error);
}

TEST(MetricsHistogram, BucketsAreCumulativeWithInfSumAndCount) {
  Registry r;
  auto& h = r.GetHistogram("limbo_req_duration_seconds", "Latency.", {0.001, 0.01, 0.1}, 1e9,
                           {{"route", "/:ws/trash"}, {"method", "GET"}});
  h.Observe(500'000);        // 0.5 ms: first bucket
  h.Observe(1'000'000);      // exactly 1 ms: le="0.001" includes its bound
  h.Observe(5'000'000);      // 5 ms
  h.Observe(2'000'000'000);  // 2 s: only +Inf
  h.Observe(50'000'000);     // 50 ms
  EXPECT_EQ(r.Render(),
            "# HELP limbo_req_duration_seconds Latency.\n"
            "# TYPE limbo_req_duration_seconds histogram\n"
            "limbo_req_duration_seconds_bucket{route=\"/:ws/trash\",method=\"GET\",le=\"0.001\"} 2\n"
            "limbo_req_duration_seconds_bucket{route=\"/:ws/trash\",method=\"GET\",le=\"0.01\"} 3\n"
            "limbo_req_duration_seconds_bucket{route=\"/:ws/trash\",method=\"GET\",le=\"0.1\"} 4\n"
            "limbo_req_duration_seconds_bucket{route=\"/:ws/trash\",method=\"GET\",le=\"+Inf\"} 5\n"
            "limbo_req_duration_seconds_sum{route=\"/:ws/trash\",method=\"GET\"} 2.0565\n"
            "limbo_req_duration_seconds_count{route=\"/:ws/trash\",method=\"GET\"} 5\n");
}

TEST(MetricsHistogram, LatencyBucketsSpanHalfAMillisecondToTenSeconds) {
  auto b = LatencyBuckets();
  ASSERT_FALSE(b.empty());
  EXPECT_DOUBLE_EQ(b.front(), 0.0005);
  EXPECT_DOUBLE_EQ(b.back(), 10);
  EXPECT_TRUE(std::is_sorted(b.begin(), b.end()));
  EXPECT_THROW(Histogram({1, 1}, 1), std::logic_error);
  EXPECT_THROW(Histogram({2, 1}, 1), std::logic_error);
}

TEST(MetricsRegistry, OneFamilyPerNameSeriesSortedByLabels) {
  Registry r;
  r.GetCounter("limbo_b_total", "B.", {{"status", "500"}}).Inc();
  r.GetCounter("limbo_b_total", "B.", {{"status", "200"}}).Inc(2);
  r.GetCounter("limbo_b_total", "B.", {{"status", "500"}}).Inc();  // the same series again
  r.GetGauge("limbo_a", "A.").Set(1.5);
  EXPECT_EQ(r.Render(),
            "# HELP limbo_a A.\n# TYPE limbo_a gauge\nlimbo_a 1.5\n"
            "# HELP limbo_b_total B.\n# TYPE limbo_b_total counter\n"
            "limbo_b_total{status=\"200\"} 2\nlimbo_b_total{status=\"500\"} 2\n");
  // Same name, another type, help or label set: a programming error, caught at registration.
  EXPECT_THROW(r.GetGauge("limbo_b_total", "B."), std::logic_error);
  EXPECT_THROW(r.GetCounter("limbo_b_total", "other help", {{"status", "1"}}), std::logic_error);
  EXPECT_THROW(r.GetCounter("limbo_b_total", "B.", {{"code", "1"}}), std::logic_error);
}

TEST(MetricsRegistry, ScaledCounterIsWrittenInItsUnit) {
  Registry r;
  r.GetScaledCounter("limbo_credits_total", "Credits.", 1000).Inc(2500);  // milliseconds of credit
  EXPECT_EQ(r.Render(),
            "# HELP limbo_credits_total Credits.\n# TYPE limbo_credits_total counter\nlimbo_credits_total 2.5\n");
  EXPECT_THROW(r.GetCounter("limbo_credits_total", "Credits."), std::logic_error);  // another scale
}

TEST(MetricsRegistry, CollectorsWriteAfterTheRegisteredFamiliesUntilRemoved) {
  Registry r;
  r.GetCounter("limbo_z_total", "Z.").Inc();
  {
    CollectorHandle h(r, [](TextWriter& w) {
      w.Family("limbo_db_figure", "From the database.", Type::kGauge);
      w.Sample("limbo_db_figure", {{"workspace", "acme"}}, 7);
    });
    EXPECT_EQ(r.Render(),
              "# HELP limbo_z_total Z.\n# TYPE limbo_z_total counter\nlimbo_z_total 1\n"
              "# HELP limbo_db_figure From the database.\n# TYPE limbo_db_figure gauge\n"
              "limbo_db_figure{workspace=\"acme\"} 7\n");
  }
  EXPECT_EQ(r.Render(), "# HELP limbo_z_total Z.\n# TYPE limbo_z_total counter\nlimbo_z_total 1\n");
}

TEST(MetricsRegistry, CountersAreExactUnderConcurrency) {
  Registry r;
  auto& c = r.GetCounter("limbo_hits_total", "Hits.");
  auto& h = r.GetHistogram("limbo_t_seconds", "T.", LatencyBuckets(), 1e9);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 100000; ++i) {
        c.Inc();
        h.Observe(1000);
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(c.Value(), 400000u);
  EXPECT_EQ(h.Counts().front(), 400000u);
  EXPECT_DOUBLE_EQ(h.Sum(), 0.4);
}

}  // namespace
}  // namespace limbo::core::metrics
