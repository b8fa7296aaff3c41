#pragma once

#include <cstdint>
#include <string_view>

#include "core/metrics.h"
#include "core/result.h"

namespace limbo::domain {

// The domain's counters in the process's metrics registry (core::metrics::Default()), each
// counting events of this process since it started (Prometheus' rate() copes with restarts).
// Looked up under the registry's lock: call them per batch or per error, not per row.

// Creates every counter below at 0, so that each is scraped before its first event.
void InitProcessMetrics();

// limbo_blob_store_errors_total{op}: a BlobStore call that failed (op: put, get, remove, probe).
void CountBlobStoreError(std::string_view op);
// Counts a failed status under `op` and hands it back.
inline core::Status CountedBlobStatus(std::string_view op, core::Status st) {
  if (!st) CountBlobStoreError(op);
  return st;
}
template <class T>
core::Result<T> CountedBlobResult(std::string_view op, core::Result<T> r) {
  if (!r) CountBlobStoreError(op);
  return r;
}

// The Trash's background work (TrashService): items the retention sweep moved to `purging`,
// cleanup transactions that did work, items removed for good, blob files collected.
void CountSweptItems(std::int64_t n);
void CountCleanupBatch(bool item_done);
void CountBlobsCollected(std::int64_t n);

// limbo_training_credits_metered_total: credits (seconds of training) frozen when runs ended here.
void CountCreditsMetered(std::int64_t ms);

}  // namespace limbo::domain
