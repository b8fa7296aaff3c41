#pragma once

#include "core/metrics.h"

namespace limbo::storage::sql {

// limbo_database_errors_total{kind}: transactions that ended in an error at the store boundary
// (`busy`: still busy after every retry, answered 503; `internal`: any other database failure).
inline core::metrics::Counter& DatabaseErrors(const char* kind) {
  return core::metrics::Default().GetCounter(
      "limbo_database_errors_total", "Database transactions that failed, by kind (busy, internal).", {{"kind", kind}});
}
inline void CountDatabaseError(const char* kind) { DatabaseErrors(kind).Inc(); }

// limbo_database_retries_total: attempts run again because the database was busy or conflicted.
inline core::metrics::Counter& DatabaseRetries() {
  static auto& retries = core::metrics::Default().GetCounter(
      "limbo_database_retries_total", "Transaction attempts run again because the database was busy.");
  return retries;
}
inline void CountDatabaseRetry() { DatabaseRetries().Inc(); }

// Creates the counters above at 0 (a store calls it when it opens).
inline void InitDatabaseMetrics() {
  DatabaseErrors("busy");
  DatabaseErrors("internal");
  DatabaseRetries();
}

}  // namespace limbo::storage::sql
