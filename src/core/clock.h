#pragma once

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>

namespace limbo::core {

// Milliseconds since the Unix epoch, UTC. Every rule about time reads it from a Clock.
using TimeMs = std::int64_t;
inline constexpr TimeMs kSecondMs = 1000;
inline constexpr TimeMs kDayMs = 24 * 60 * 60 * kSecondMs;

// A monotonic reading: time since an arbitrary origin. It only moves forward, with real time, and
// is comparable only with readings of the same clock in the same process.
using MonoTime = std::chrono::nanoseconds;

// The server's notion of time, in three readings (as Envoy's TimeSource has systemTime() beside
// monotonicTime()). Nothing outside src/core reads std::chrono's clocks: tests and --dev-clock move
// time by injecting another Clock. Implementations are thread-safe.
class Clock {
 public:
  virtual ~Clock() = default;
  // The server's now: every rule about time (retention, expiry, times stored with the data) reads it.
  // The dev clock and the high-water mark (MonotonicClock) move it.
  virtual TimeMs Now() const = 0;
  // The system's real time, ms since the epoch: neither the dev clock's jumps nor the high-water mark
  // move it. Servers on one database compare it among themselves (the leadership lease), so they keep
  // their system clocks in step (NTP).
  virtual TimeMs SystemNow() const = 0;
  // For intervals inside one process (how often to sweep, to warn, how long a request took): never
  // moved by the dev clock, the high-water mark or a system clock set back.
  virtual MonoTime Monotonic() const = 0;
};

class SystemClock final : public Clock {
 public:
  TimeMs Now() const override { return SystemNow(); }
  TimeMs SystemNow() const override {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
  }
  MonoTime Monotonic() const override {
    return std::chrono::duration_cast<MonoTime>(std::chrono::steady_clock::now().time_since_epoch());
  }
};

// Starts at a given instant and moves only when told: tests. Advance() moves all three readings
// (time passes); Set() moves Now() and SystemNow() only (the system clock is set, as by an operator or
// NTP, and the monotonic reading does not jump).
class ManualClock final : public Clock {
 public:
  explicit ManualClock(TimeMs start) : now_(start), mono_ms_(start) {}
  TimeMs Now() const override { return now_.load(); }
  TimeMs SystemNow() const override { return now_.load(); }
  MonoTime Monotonic() const override { return std::chrono::milliseconds(mono_ms_.load()); }
  void Advance(TimeMs delta) {
    now_ += delta;
    if (delta > 0) mono_ms_ += delta;
  }
  void Set(TimeMs t) { now_ = t; }

 private:
  std::atomic<TimeMs> now_;
  std::atomic<TimeMs> mono_ms_;
};

// The dev clock (--dev-clock): Now() stands still at the base's time at construction plus an offset
// that only grows. The offset is what POST /_dev/clock adds to and what is kept with the data
// (domain::ServerTime). SystemNow() and Monotonic() are the base's: a jump of the dev clock moves
// neither, so it cannot expire the leadership lease or bring the next sweep forward.
class DevClock final : public Clock {
 public:
  DevClock(const Clock& base, TimeMs offset) : base_(base), start_(base.Now()), offset_(offset) {}
  TimeMs Now() const override { return start_ + offset_.load(); }
  TimeMs SystemNow() const override { return base_.SystemNow(); }
  MonoTime Monotonic() const override { return base_.Monotonic(); }
  TimeMs Offset() const { return offset_.load(); }
  // Adopts `offset` when it is larger than the current one (never moves the clock back).
  void RaiseOffset(TimeMs offset) {
    TimeMs cur = offset_.load();
    while (offset > cur && !offset_.compare_exchange_weak(cur, offset)) {
    }
  }

 private:
  const Clock& base_;
  const TimeMs start_;
  std::atomic<TimeMs> offset_;
};

// A clock that never runs backwards. Now() is max(base, high-water mark), and every answer raises
// the mark; Observe() raises it to a time the data has seen (the mark stored in the database).
// While the base clock is behind the mark, Now() stands still at the mark: an interval measured on
// this clock is never longer than the real time that passed (as long as the base clock does not
// jump forward), so no deadline computed from it comes early. SystemNow() and Monotonic() are the
// base's, untouched by the mark. (Its Now() never runs backwards but, unlike Monotonic(), it is the
// time kept with the data and may stand still or jump with the base.)
class MonotonicClock final : public Clock {
 public:
  explicit MonotonicClock(const Clock& base) : base_(base) {}
  TimeMs Now() const override {
    TimeMs t = base_.Now();
    TimeMs m = mark_.load();
    while (t > m && !mark_.compare_exchange_weak(m, t)) {
    }
    return std::max(t, m);
  }
  TimeMs SystemNow() const override { return base_.SystemNow(); }
  MonoTime Monotonic() const override { return base_.Monotonic(); }
  void Observe(TimeMs t) {
    TimeMs m = mark_.load();
    while (t > m && !mark_.compare_exchange_weak(m, t)) {
    }
  }
  TimeMs Mark() const { return mark_.load(); }
  // How far the base clock is behind the mark; 0 when it is not.
  TimeMs Lag() const { return std::max<TimeMs>(0, mark_.load() - base_.Now()); }

 private:
  const Clock& base_;
  mutable std::atomic<TimeMs> mark_{0};
};

}  // namespace limbo::core
