#pragma once

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

}  // namespace limbo::core
