#include "domain/process_metrics.h"

#include <string>
#include <utility>

namespace limbo::domain {

namespace {
core::metrics::Counter& Named(const char* name, const char* help) {
  return core::metrics::Default().GetCounter(name, help);
}
std::pair<core::metrics::Counter*, core::metrics::Counter*> CleanupCounters() {
  static auto& batches = Named("limbo_cleanup_batches_total", "Cleanup transactions that deleted something.");
  static auto& purged = Named("limbo_cleanup_items_purged_total", "Trash items the cleanup worker removed for good.");
  return {&batches, &purged};
}

core::metrics::Counter& BlobStoreErrors(std::string_view op) {
  return core::metrics::Default().GetCounter(
      "limbo_blob_store_errors_total", "Blob store operations that failed, by operation.", {{"op", std::string(op)}});
}

}  // namespace

void InitProcessMetrics() {
  for (const char* op : {"put", "get", "remove", "probe"}) BlobStoreErrors(op);
  CountSweptItems(0);
  CountBlobsCollected(0);
  CountCreditsMetered(0);
  CleanupCounters();
}

void CountBlobStoreError(std::string_view op) { BlobStoreErrors(op).Inc(); }

void CountSweptItems(std::int64_t n) {
  static auto& c = Named("limbo_trash_swept_items_total",
                         "Trash items the retention sweep moved to purging (their scheduledCleanupAt passed).");
  if (n > 0) c.Inc(static_cast<std::uint64_t>(n));
}

void CountCleanupBatch(bool item_done) {
  auto [batches, purged] = CleanupCounters();
  batches->Inc();
  if (item_done) purged->Inc();
}

void CountBlobsCollected(std::int64_t n) {
  static auto& c = Named("limbo_blobs_collected_total", "Unreferenced blob files the collector removed.");
  if (n > 0) c.Inc(static_cast<std::uint64_t>(n));
}

void CountCreditsMetered(std::int64_t ms) {
  // Kept in milliseconds of credit, written in credits (one credit is one second of training).
  static auto& c = core::metrics::Default().GetScaledCounter(
      "limbo_training_credits_metered_total", "Training credits frozen when runs ended in this process.", 1000);
  if (ms > 0) c.Inc(static_cast<std::uint64_t>(ms));
}

}  // namespace limbo::domain
