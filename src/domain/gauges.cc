#include "domain/gauges.h"

namespace limbo::domain {

core::Result<GaugeReadings> Gauges::Read() const {
  GaugeReadings out;
  LIMBO_RETURN_IF_ERROR(store_.Read([&](Transaction& tx) -> core::Status {
    out.now = clock_.Now();
    out.workspaces = tx.workspaces().TrashFigures();
    for (auto& ws : out.workspaces) ws.purging = tx.workspaces().PurgingCount(ws.id, kFigureCountCap);
    out.blob_queue = tx.blobs().QueueFigures(kFigureCountCap);
    out.jobs = tx.jobs().CountByState();
    out.cleanup_lease = tx.server().Lease("cleanup");
    return core::Ok();
  }));
  if (figures_ == nullptr) return out;
  for (auto& ws : out.workspaces) {
    LIMBO_TRY(auto r, figures_->Figures(ws.id));
    ws.storage_bytes = r.usage.storage_bytes;
    ws.bytes = r.trash_only_bytes;
    ws.reclaimable_bytes = r.reclaimable_bytes;
    ws.reclaimable_fresh = !r.figures_stale;
  }
  return out;
}

}  // namespace limbo::domain
