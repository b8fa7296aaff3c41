// GET /metrics: the Prometheus text exposition format (docs/OPERATIONS.md, "Metrics").
#include "core/metrics.h"

#include <spdlog/spdlog.h>

#include "core/build_info.h"
#include "core/crypto.h"
#include "domain/process_metrics.h"
#include "http/handlers/handlers.h"
#include "http/text.h"

namespace limbo::http::handlers {

namespace {

using core::metrics::TextWriter;
using core::metrics::Type;

constexpr const char* kContentType = "text/plain; version=0.0.4; charset=utf-8";

double Seconds(core::TimeMs ms) { return static_cast<double>(ms) / 1000.0; }

bool TokenMatches(const Request& req, const std::string& token) {
  std::string_view auth = TrimOws(req.Header("authorization"));
  constexpr std::string_view kScheme = "bearer";
  if (auth.size() <= kScheme.size() || !IsOws(auth[kScheme.size()]) ||
      !AsciiIEquals(auth.substr(0, kScheme.size()), kScheme)) {
    return false;
  }
  return core::ConstantTimeEquals(TrimOws(auth.substr(kScheme.size())), token);
}

void Gauge(TextWriter& w, const char* name, const char* help, double v) {
  w.Family(name, help, Type::kGauge);
  w.Sample(name, {}, v);
}

// The figures read from the database: one read transaction (domain::Gauges).
void WriteDatabaseFigures(TextWriter& w, const domain::Gauges& gauges) {
  auto r = gauges.Read();
  Gauge(w, "limbo_metrics_database_up", "1 when this scrape read the database figures below, 0 when it failed.",
        r ? 1 : 0);
  if (!r) {
    spdlog::warn("{{\"event\":\"metrics_database_failed\",\"code\":\"{}\"}}", r.error().code);
    return;
  }
  const auto& g = *r;
  w.Family("limbo_trash_items", "Items in the workspace's Trash by type (those being purged included).", Type::kGauge);
  for (const auto& ws : g.workspaces) {
    for (int t = 0; t < domain::kItemTypeCount; ++t) {
      w.Sample("limbo_trash_items", {{"workspace", ws.url}, {"type", ItemTypeName(static_cast<domain::ItemType>(t))}},
               static_cast<double>(ws.items[t]));
    }
  }
  auto per_ws = [&](const char* name, const char* help, auto value) {
    w.Family(name, help, Type::kGauge);
    for (const auto& ws : g.workspaces) w.Sample(name, {{"workspace", ws.url}}, value(ws));
  };
  per_ws("limbo_storage_bytes", "Bytes the workspace stores, counted toward its quota (storageBytes of /usage).",
         [](const auto& ws) { return static_cast<double>(ws.storage_bytes); });
  per_ws("limbo_trash_bytes", "Bytes held only by the workspace's Trash items (trashOnlyBytes of /usage).",
         [](const auto& ws) { return static_cast<double>(ws.bytes); });
  per_ws("limbo_trash_reclaimable_bytes",
         "Bytes that emptying the workspace's Trash would free, as last computed (see limbo_trash_reclaimable_stale).",
         [](const auto& ws) { return static_cast<double>(ws.reclaimable_bytes); });
  per_ws("limbo_trash_reclaimable_stale", "1 while limbo_trash_reclaimable_bytes awaits its recomputation.",
         [](const auto& ws) { return ws.reclaimable_fresh ? 0.0 : 1.0; });
  per_ws("limbo_trash_purging_items", "Items of the workspace the cleanup worker has still to delete.",
         [](const auto& ws) { return static_cast<double>(ws.purging); });
  w.Family("limbo_trash_oldest_cleanup_timestamp_seconds",
           "The earliest scheduledCleanupAt of the items still in the workspace's Trash (absent when none).",
           Type::kGauge);
  for (const auto& ws : g.workspaces) {
    if (ws.oldest_cleanup_at) {
      w.Sample("limbo_trash_oldest_cleanup_timestamp_seconds", {{"workspace", ws.url}}, Seconds(*ws.oldest_cleanup_at));
    }
  }
  Gauge(w, "limbo_blob_queue_length", "Blobs queued for collection (uploads in their grace period included).",
        static_cast<double>(g.blob_queue.queued));
  double age = 0;
  if (g.blob_queue.oldest_not_before && *g.blob_queue.oldest_not_before < g.now) {
    age = Seconds(g.now - *g.blob_queue.oldest_not_before);
  }
  Gauge(w, "limbo_blob_queue_oldest_age_seconds",
        "How long the longest-waiting queued blob has been due for collection (0 when none is due).", age);
  w.Family("limbo_training_jobs", "Training jobs by state.", Type::kGauge);
  for (auto st : {domain::JobState::kQueued, domain::JobState::kRunning, domain::JobState::kFinished,
                  domain::JobState::kFailed, domain::JobState::kCancelled}) {
    std::int64_t n = 0;
    for (const auto& [state, count] : g.jobs) {
      if (state == st) n += count;
    }
    w.Sample("limbo_training_jobs", {{"state", domain::JobStateName(st)}}, static_cast<double>(n));
  }
  if (g.cleanup_lease) {
    w.Family("limbo_cleanup_lease_info", "The holder named in the cleanup lease's row (always 1).", Type::kGauge);
    w.Sample("limbo_cleanup_lease_info", {{"holder", g.cleanup_lease->holder}}, 1);
    Gauge(w, "limbo_cleanup_lease_expiry_timestamp_seconds",
          "When the cleanup lease expires unless renewed (its holder's system clock).",
          Seconds(g.cleanup_lease->expires_at));
  }
}

}  // namespace

void RegisterMetrics(Api& api) {
  domain::InitProcessMetrics();
  api.Add("GET", "/metrics", Access::kPublic, [](Ctx& c) {
    const MetricsEndpoint* m = c.svc.metrics;
    if (m && !m->served_here) {
      return ErrorResponse(core::Error::NotFound("No route matches GET /metrics.", "route_not_found"));
    }
    if (m && !m->token.empty() && !TokenMatches(c.req, m->token)) {
      Response r = ErrorResponse(core::Error::Unauthorized(
          "This server's metrics need its metrics token: 'Authorization: Bearer <token>'.", "metrics_token_required"));
      r.SetHeader("WWW-Authenticate", "Bearer realm=\"limbo-metrics\"");
      return r;
    }
    TextWriter w;
    core::metrics::Default().Write(w);
    w.Family("limbo_build_info", "The version and commit of this limbod (always 1).", Type::kGauge);
    w.Sample("limbo_build_info", {{"version", core::kVersion}, {"commit", core::kCommit}}, 1);
    Gauge(w, "process_start_time_seconds", "When this process started, in seconds since the Unix epoch.",
          core::metrics::ProcessStartTimeSeconds());
    Gauge(w, "limbo_server_time_seconds",
          "The server's clock (the dev clock when --dev-clock is on), in seconds since the Unix epoch.",
          Seconds(c.svc.clock.Now()));
    if (c.svc.background) {
      Gauge(w, "limbo_cleanup_leader", "1 when this process holds the cleanup lease (its last attempt won it).",
            c.svc.background->Leading() ? 1 : 0);
    }
    if (m && m->gauges) WriteDatabaseFigures(w, *m->gauges);
    Response r;
    r.content_type = kContentType;
    r.body = w.Take();
    return r;
  });
}

}  // namespace limbo::http::handlers
