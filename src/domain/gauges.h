#pragma once

#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

#include "core/clock.h"
#include "core/result.h"
#include "domain/content_service.h"
#include "domain/rows/blob_refs.h"
#include "domain/rows/server_rows.h"
#include "domain/rows/workspace_rows.h"
#include "domain/store.h"

namespace limbo::domain {

// What /metrics reads from the database at a scrape, in one read transaction of set-based
// statements (one per kind of figure, however many workspaces): the workspaces' maintained Trash
// counters (with one index probe each for the earliest cleanup time) and their purging items and the
// blob queue's length counted up to kFigureCountCap (bounded index ranges), the queue's first entry,
// the jobs counted by state, and the cleanup lease's row. Never a scan of the Trash.
struct GaugeReadings {
  TimeMs now = 0;  // the server's clock at the read
  std::vector<WorkspaceTrashFigures> workspaces;
  BlobQueueFigures blob_queue;
  std::vector<std::pair<JobState, std::int64_t>> jobs;
  std::optional<LeaseRow> cleanup_lease;
};

// With `figures`, each workspace's bytes are its usage report's (the same total, trash-only and
// reclaimable bytes and staleness as ContentService::Figures and GET /:ws/usage: the row or, for the
// small workspaces whose split awaits its recount, one recount of their few images for all of them),
// in the same transaction.
class Gauges {
 public:
  Gauges(Store& store, const core::Clock& clock, ContentService* figures = nullptr)
      : store_(store), clock_(clock), figures_(figures) {}
  core::Result<GaugeReadings> Read() const;

 private:
  Store& store_;
  const core::Clock& clock_;
  ContentService* figures_;
};

}  // namespace limbo::domain
