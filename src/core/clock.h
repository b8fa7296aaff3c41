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

// The server's notion of now. Implementations are thread-safe.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual TimeMs Now() const = 0;
};

class SystemClock final : public Clock {
 public:
  TimeMs Now() const override {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  }
};

// Starts at a given instant (or the system time) and moves only when told: tests and --dev-clock.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(TimeMs start) : now_(start) {}
  TimeMs Now() const override { return now_.load(); }
  void Advance(TimeMs delta) { now_ += delta; }
  void Set(TimeMs t) { now_ = t; }

 private:
  std::atomic<TimeMs> now_;
};

// The dev clock (--dev-clock): stands still at its start plus an offset that only grows. The offset
// is what POST /_dev/clock adds to and what is kept with the data (domain::ServerTime).
class DevClock final : public Clock {
 public:
  DevClock(TimeMs start, TimeMs offset) : start_(start), offset_(offset) {}
  TimeMs Now() const override { return start_ + offset_.load(); }
  TimeMs Offset() const { return offset_.load(); }
  // Adopts `offset` when it is larger than the current one (never moves the clock back).
  void RaiseOffset(TimeMs offset) {
    TimeMs cur = offset_.load();
    while (offset > cur && !offset_.compare_exchange_weak(cur, offset)) {
    }
  }

 private:
  const TimeMs start_;
  std::atomic<TimeMs> offset_;
};

// A clock that never runs backwards. Now() is max(base, high-water mark), and every answer raises
// the mark; Observe() raises it to a time the data has seen (the mark stored in the database).
// While the base clock is behind the mark, Now() stands still at the mark: an interval measured on
// this clock is never longer than the real time that passed (as long as the base clock does not
// jump forward), so no deadline computed from it comes early.
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
