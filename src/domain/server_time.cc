#include "domain/server_time.h"

namespace limbo::domain {

using core::Ok;
using core::Status;

namespace {
const core::Clock& BaseOf(const std::unique_ptr<core::DevClock>& dev, const core::Clock& system) {
  return dev ? static_cast<const core::Clock&>(*dev) : system;
}
}  // namespace

ServerTime::ServerTime(Store& store, const core::Clock& system, bool dev_clock)
    : store_(store),
      dev_(dev_clock ? std::make_unique<core::DevClock>(system, 0) : nullptr),
      monotonic_(BaseOf(dev_, system)) {}

Status ServerTime::Load() {
  std::optional<TimeMs> offset, mark;
  LIMBO_RETURN_IF_ERROR(store_.Read([&](Transaction& tx) -> Status {
    offset = tx.server().GetMeta(kDevClockOffsetKey);
    mark = tx.server().GetMeta(kTimeHighWaterKey);
    return Ok();
  }));
  if (dev_ && offset) dev_->RaiseOffset(*offset);
  if (mark) monotonic_.Observe(*mark);
  LIMBO_TRY(TimeMs lag, Sync());
  (void)lag;
  return Ok();
}

core::Result<TimeMs> ServerTime::AdvanceDevClock(TimeMs delta) {
  if (!dev_) return core::Error::Invalid("The server does not run with --dev-clock.", "no_dev_clock");
  TimeMs stored = 0;
  LIMBO_RETURN_IF_ERROR(store_.Write([&](Transaction& tx) -> Status {
    stored = tx.server().AddMeta(kDevClockOffsetKey, delta);
    return Ok();
  }));
  // Another server may have advanced too: the stored sum is the offset they all share.
  dev_->RaiseOffset(stored);
  TimeMs now = monotonic_.Now();
  LIMBO_TRY(TimeMs lag, Sync());
  (void)lag;
  return now;
}

core::Result<TimeMs> ServerTime::Sync() {
  TimeMs now = monotonic_.Now();
  TimeMs mark = now;
  std::optional<TimeMs> offset;
  LIMBO_RETURN_IF_ERROR(store_.Write([&](Transaction& tx) -> Status {
    mark = tx.server().RaiseMeta(kTimeHighWaterKey, now);
    if (dev_) offset = tx.server().GetMeta(kDevClockOffsetKey);
    return Ok();
  }));
  if (dev_ && offset) dev_->RaiseOffset(*offset);
  monotonic_.Observe(mark);
  return monotonic_.Lag();
}

}  // namespace limbo::domain
