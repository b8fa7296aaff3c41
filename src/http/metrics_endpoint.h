#pragma once

#include <string>

#include "domain/gauges.h"

namespace limbo::http {

// How GET /metrics is served (handlers/metrics.cc; docs/OPERATIONS.md, "Metrics").
struct MetricsEndpoint {
  // False on the main listener when --metrics-listen serves /metrics elsewhere: then it answers 404.
  bool served_here = true;
  // Not empty: every scrape must send `Authorization: Bearer <token>` (compared in constant time).
  std::string token;
  // The figures read from the database at each scrape; null: none.
  const domain::Gauges* gauges = nullptr;
};

}  // namespace limbo::http
