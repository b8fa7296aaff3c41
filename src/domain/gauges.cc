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
  return out;
}

}  // namespace limbo::domain
