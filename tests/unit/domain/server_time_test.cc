// domain::ServerTime: the dev clock's offset and the newest time the data has seen are kept in the
// database, so a restart, or another server on it, never moves the clock back.
// clock_ plays the system clock. Runs on SQLite and on PostgreSQL.
#include "domain/server_time.h"

#include "support/fixture.h"

namespace limbo::testing {
namespace {

using core::kDayMs;
using core::kSecondMs;
using core::TimeMs;

class ServerTimeTest : public DomainTest {};

TEST_F(ServerTimeTest, TheDevClockGoesOnFromItsStoredOffsetAfterARestart) {
  TimeMs advanced = 0;
  {
    domain::ServerTime st(*store_, clock_, true);
    ASSERT_TRUE(st.Load());
    EXPECT_EQ(st.clock().Now(), clock_.Now());
    auto now = st.AdvanceDevClock(31 * kDayMs);
    ASSERT_TRUE(now);
    EXPECT_EQ(*now, clock_.Now() + 31 * kDayMs);
    advanced = *now;
  }
  clock_.Advance(5 * kSecondMs);  // the restart takes a few seconds
  auto restarted_store = OpenStore();
  domain::ServerTime st(*restarted_store, clock_, true);
  ASSERT_TRUE(st.Load());
  EXPECT_EQ(st.clock().Now(), clock_.Now() + 31 * kDayMs);
  EXPECT_GE(st.clock().Now(), advanced);
  // The dev clock stands still between advances, as before.
  clock_.Advance(kDayMs);
  EXPECT_EQ(st.clock().Now(), clock_.Now() - kDayMs + 31 * kDayMs);
}

TEST_F(ServerTimeTest, ServersOnOneDatabaseShareTheDevOffset) {
  auto other_store = OpenStore();
  domain::ServerTime a(*store_, clock_, true);
  domain::ServerTime b(*other_store, clock_, true);
  ASSERT_TRUE(a.Load());
  ASSERT_TRUE(b.Load());
  ASSERT_TRUE(a.AdvanceDevClock(10 * kDayMs));
  ASSERT_TRUE(b.AdvanceDevClock(kDayMs));  // adds to what a stored: 11 days for both
  EXPECT_EQ(b.clock().Now(), clock_.Now() + 11 * kDayMs);
  ASSERT_TRUE(a.Sync());
  EXPECT_EQ(a.clock().Now(), clock_.Now() + 11 * kDayMs);
}

TEST_F(ServerTimeTest, ASystemClockSetBackNeverMovesTheDataBack) {
  TimeMs mark = 0;
  {
    domain::ServerTime st(*store_, clock_, false);
    ASSERT_TRUE(st.Load());
    clock_.Advance(3 * kDayMs);
    auto lag = st.Sync();  // a sweep: the mark is stored
    ASSERT_TRUE(lag);
    EXPECT_EQ(*lag, 0);
    mark = st.clock().Now();
  }
  clock_.Set(mark - 2 * kDayMs);  // restarted on a machine whose clock is two days behind
  auto restarted_store = OpenStore();
  domain::ServerTime st(*restarted_store, clock_, false);
  ASSERT_TRUE(st.Load());
  EXPECT_EQ(st.clock().Now(), mark);
  EXPECT_EQ(st.Lag(), 2 * kDayMs);
  auto lag = st.Sync();
  ASSERT_TRUE(lag);
  EXPECT_EQ(*lag, 2 * kDayMs);

  // Nothing is scheduled behind the mark: an item trashed now is due 30 days after the mark, and
  // the sweep, on the same clock, does not take it before then.
  domain::ContentService content(*restarted_store, *blobs_, st.clock());
  domain::TrashService trash(*restarted_store, *blobs_, *models_, st.clock());
  ASSERT_TRUE(content.CreateProject(owner(), domain::NewProject{"Cats", "object-detection", "x", {}, {}}));
  auto trashed = trash.TrashProject(owner(), "cats", false);
  ASSERT_TRUE(trashed);
  EXPECT_EQ(trashed->item.deleted_at, mark);
  EXPECT_EQ(trashed->item.cleanup_at, mark + 30 * kDayMs);
  clock_.Advance(30 * kDayMs);  // 30 real days later the system clock reads mark + 28 days
  auto swept = trash.Sweep();
  ASSERT_TRUE(swept);
  EXPECT_EQ(*swept, 0);
  clock_.Advance(2 * kDayMs);
  swept = trash.Sweep();
  ASSERT_TRUE(swept);
  EXPECT_EQ(*swept, 1);
}

TEST_F(ServerTimeTest, TheNewestMarkOfAnyServerWins) {
  auto other_store = OpenStore();
  domain::ServerTime a(*store_, clock_, false);
  ASSERT_TRUE(a.Load());
  core::ManualClock ahead(clock_.Now() + kDayMs);  // another machine, a day ahead
  domain::ServerTime b(*other_store, ahead, false);
  ASSERT_TRUE(b.Load());
  ASSERT_TRUE(a.Sync());
  EXPECT_EQ(a.clock().Now(), ahead.Now());
  EXPECT_EQ(a.Lag(), kDayMs);
}

}  // namespace
}  // namespace limbo::testing
