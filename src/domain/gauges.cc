#include "domain/gauges.h"

#include <map>

namespace limbo::domain {

core::Result<GaugeReadings> Gauges::Read() const {
  GaugeReadings out;
  LIMBO_RETURN_IF_ERROR(store_.Read([&](Transaction& tx) -> core::Status {
    out.now = clock_.Now();
    out.workspaces = tx.workspaces().TrashFigures(kFigureCountCap);
    out.blob_queue = tx.blobs().QueueFigures(kFigureCountCap);
    out.jobs = tx.jobs().CountByState();
    out.cleanup_lease = tx.server().Lease("cleanup");
    if (figures_ == nullptr) return core::Ok();
    // Each workspace's usage report as ContentService::Figures makes it, on this one snapshot: the
    // stored split while fresh; else, up to its image limit, a recount (one set-based recount for
    // all such workspaces), and above it the stored split, said to be stale.
    const std::int64_t exact_images = figures_->exact_figures_images();
    std::map<std::int64_t, TrashHeld> recounts;
    for (const auto& [id, held] : tx.workspaces().RecountStaleTrashHeld(exact_images)) recounts[id] = held;
    for (auto& ws : out.workspaces) {
      TrashHeld held{ws.trash_only_bytes, ws.reclaimable_bytes};
      bool stale = false;
      if (!ws.reclaimable_fresh) {
        if (ws.image_count <= exact_images) {
          auto it = recounts.find(ws.id);
          held = it != recounts.end() ? it->second : TrashHeld{};
        } else {
          stale = true;
        }
      }
      Usage usage;
      usage.storage_bytes = ws.storage_bytes;
      UsageReport r = MakeUsageReport(usage, 0, held, stale);
      ws.storage_bytes = r.usage.storage_bytes;
      ws.bytes = r.trash_only_bytes;
      ws.reclaimable_bytes = r.reclaimable_bytes;
      ws.reclaimable_fresh = !r.figures_stale;
    }
    return core::Ok();
  }));
  return out;
}

}  // namespace limbo::domain
