#pragma once

#include <memory>

#include "core/clock.h"
#include "core/result.h"
#include "domain/store.h"

namespace limbo::domain {

// Keys of `server_meta` (Transaction::GetMeta).
inline constexpr const char* kDevClockOffsetKey = "dev_clock_offset_ms";
inline constexpr const char* kTimeHighWaterKey = "time_high_water_ms";

// The server's clock, kept with the data so that time never runs backwards for it: not after a
// restart, not between servers sharing one PostgreSQL database, not when the system clock is set back.
//
// - Production: now = max(system clock, high-water mark). The mark is the newest time any limbod
//   used on this data; it is stored at start, at every sweep interval (Sync) and at stop. While the
//   system clock is behind it, the clock stands still at the mark (Lag() says by how much).
// - --dev-clock: the system time at start plus an offset kept in the database; POST /_dev/clock adds
//   to the stored offset (AdvanceDevClock), so a restarted server, or another one on the database,
//   continues from the advanced time. The high-water mark applies on top, as in production.
// Thread-safe.
class ServerTime {
 public:
  ServerTime(Store& store, const core::Clock& system, bool dev_clock);

  // The clock every service reads.
  const core::Clock& clock() const { return monotonic_; }
  bool dev() const { return dev_ != nullptr; }
  // Reads the stored offset and mark, then stores the mark (call once, before serving).
  core::Status Load();
  // Dev clock only: adds delta to the stored offset, then to this process's clock. Returns the new now.
  core::Result<TimeMs> AdvanceDevClock(TimeMs delta);
  // Stores this process's mark (the database keeps the larger) and adopts the larger mark and dev
  // offset other servers stored. Returns how far the system clock is behind the mark (0 if not).
  core::Result<TimeMs> Sync();
  // How far the underlying clock is behind the mark, in ms (0 when it is not).
  TimeMs Lag() const { return monotonic_.Lag(); }
  TimeMs Mark() const { return monotonic_.Mark(); }

 private:
  Store& store_;
  std::unique_ptr<core::DevClock> dev_;
  core::MonotonicClock monotonic_;
};

}  // namespace limbo::domain
