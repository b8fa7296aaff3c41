// The clocks that keep time from running backwards, driven by a fake system clock.
#include "core/clock.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace limbo::core {
namespace {

constexpr TimeMs kT0 = 1'800'000'000'000;

TEST(MonotonicClock, FollowsItsBaseWhileTheBaseMovesForward) {
  ManualClock system(kT0);
  MonotonicClock clock(system);
  EXPECT_EQ(clock.Now(), kT0);
  system.Advance(5 * kSecondMs);
  EXPECT_EQ(clock.Now(), kT0 + 5 * kSecondMs);
  EXPECT_EQ(clock.Lag(), 0);
}

TEST(MonotonicClock, StandsStillWhileTheSystemClockIsBehindAndThenMovesOn) {
  ManualClock system(kT0);
  MonotonicClock clock(system);
  EXPECT_EQ(clock.Now(), kT0);
  system.Set(kT0 - kDayMs);  // set back a day (a bad NTP server, a restored VM)
  EXPECT_EQ(clock.Now(), kT0);
  EXPECT_EQ(clock.Lag(), kDayMs);
  system.Advance(kDayMs - kSecondMs);
  EXPECT_EQ(clock.Now(), kT0);  // still behind: still standing
  system.Advance(2 * kSecondMs);
  EXPECT_EQ(clock.Now(), kT0 + kSecondMs);  // caught up: moving with the system clock again
  EXPECT_EQ(clock.Lag(), 0);
}

TEST(MonotonicClock, ObserveRaisesTheMarkToTheDatasTime) {
  ManualClock system(kT0);
  MonotonicClock clock(system);
  clock.Observe(kT0 + 3 * kDayMs);  // the newest time the database has seen
  EXPECT_EQ(clock.Now(), kT0 + 3 * kDayMs);
  EXPECT_EQ(clock.Lag(), 3 * kDayMs);
  clock.Observe(kT0);  // an older time never lowers it
  EXPECT_EQ(clock.Mark(), kT0 + 3 * kDayMs);
  EXPECT_EQ(clock.Now(), kT0 + 3 * kDayMs);
}

TEST(MonotonicClock, ADeadlineComputedFromItNeverComesEarlyInRealTime) {
  // Something scheduled 30 days after "now" while the system clock is a day behind must not be due
  // after 29 real days: the clock stood still for the day the system clock needed to catch up.
  ManualClock real(kT0);
  ManualClock system(kT0);
  MonotonicClock clock(system);
  clock.Now();
  system.Set(kT0 - kDayMs);
  TimeMs due = clock.Now() + 30 * kDayMs;
  for (TimeMs elapsed = 0; elapsed <= 32 * kDayMs; elapsed += kDayMs / 4) {
    real.Set(kT0 + elapsed);
    system.Set(kT0 - kDayMs + elapsed);
    if (clock.Now() >= due) {
      EXPECT_GE(real.Now() - kT0, 30 * kDayMs);
      return;
    }
  }
  FAIL() << "never due";
}

TEST(MonotonicClock, ConcurrentReadersNeverSeeTimeGoBack) {
  ManualClock system(kT0);
  MonotonicClock clock(system);
  std::atomic<bool> stop{false};
  std::thread mover([&] {
    for (int i = 0; i < 20000; ++i) system.Set(kT0 + (i % 2 == 0 ? i : -i));
    stop = true;
  });
  std::vector<std::thread> readers;
  std::atomic<int> backwards{0};
  for (int r = 0; r < 4; ++r) {
    readers.emplace_back([&] {
      TimeMs last = 0;
      while (!stop) {
        TimeMs t = clock.Now();
        if (t < last) ++backwards;
        last = t;
      }
    });
  }
  mover.join();
  for (auto& t : readers) t.join();
  EXPECT_EQ(backwards.load(), 0);
}

TEST(DevClock, StandsStillAndTakesOnlyLargerOffsets) {
  ManualClock system(kT0);
  DevClock dev(system, 0);
  EXPECT_EQ(dev.Now(), kT0);
  dev.RaiseOffset(31 * kDayMs);
  EXPECT_EQ(dev.Now(), kT0 + 31 * kDayMs);
  dev.RaiseOffset(kDayMs);  // an older stored offset: ignored
  EXPECT_EQ(dev.Offset(), 31 * kDayMs);
}

// The lease and the intervals of the background jobs read these two: a jump of the dev clock, or the
// high-water mark, must not move them (it would expire the lease of another server, or sweep early).
TEST(DevClock, ItsJumpsMoveNeitherTheSystemNorTheMonotonicReading) {
  ManualClock system(kT0);
  DevClock dev(system, 0);
  MonotonicClock clock(dev);
  MonoTime mono = clock.Monotonic();
  clock.Observe(kT0 + 90 * kDayMs);
  dev.RaiseOffset(31 * kDayMs);
  EXPECT_EQ(clock.Now(), kT0 + 90 * kDayMs);
  EXPECT_EQ(clock.SystemNow(), kT0);
  EXPECT_EQ(clock.Monotonic(), mono);
  system.Advance(5 * kSecondMs);  // real time passes: both follow it, the dev clock stands still
  EXPECT_EQ(clock.SystemNow(), kT0 + 5 * kSecondMs);
  EXPECT_EQ(clock.Monotonic() - mono, std::chrono::milliseconds(5 * kSecondMs));
  EXPECT_EQ(dev.Now(), kT0 + 31 * kDayMs);
}

TEST(ManualClock, SettingTheSystemClockDoesNotMoveTheMonotonicReading) {
  ManualClock system(kT0);
  MonoTime mono = system.Monotonic();
  system.Set(kT0 - kDayMs);
  EXPECT_EQ(system.Now(), kT0 - kDayMs);
  EXPECT_EQ(system.SystemNow(), kT0 - kDayMs);
  EXPECT_EQ(system.Monotonic(), mono);
  system.Advance(kSecondMs);
  EXPECT_EQ(system.Monotonic() - mono, std::chrono::milliseconds(kSecondMs));
}

TEST(SystemClock, ItsMonotonicReadingNeverGoesBack) {
  SystemClock system;
  MonoTime last = system.Monotonic();
  for (int i = 0; i < 1000; ++i) {
    MonoTime now = system.Monotonic();
    EXPECT_GE(now, last);
    last = now;
  }
  EXPECT_NEAR(static_cast<double>(system.Now()), static_cast<double>(system.SystemNow()), 1000.0);
}

}  // namespace
}  // namespace limbo::core
