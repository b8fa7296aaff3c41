// jobs::Background on the injected manual clock, without sleeping: the `cleanup` lease between
// servers on one database (expiry, renewal, takeover; the dev clock's jumps leave it alone), the sweep
// interval, and failed steps logged with their code. Runs on SQLite and on PostgreSQL.
#include <spdlog/sinks/ringbuffer_sink.h>
#include <spdlog/spdlog.h>

#include <fstream>
#include <memory>
#include <string>

#include "domain/server_time.h"
#include "jobs/background.h"
#include "support/fixture.h"

namespace limbo::testing {
namespace {

using core::kDayMs;
using core::kSecondMs;
using core::TimeMs;

constexpr TimeMs kTtl = 15 * kSecondMs;
constexpr TimeMs kSweep = 60 * kSecondMs;

// One limbod's background work: a store of its own on the test's database and its services.
struct Server {
  Server(std::unique_ptr<domain::Store> s, domain::BlobStore& blobs, storage::blob::ModelFiles& models,
         const core::Clock& clock, const std::string& holder)
      : store(std::move(s)),
        accounts(*store, clock),
        content(*store, blobs, clock),
        training(*store, models, clock, 30 * kSecondMs),
        trash(*store, blobs, models, clock),
        background(*store, trash, training, content, accounts, clock, Options(holder)) {}

  static jobs::BackgroundOptions Options(const std::string& holder) {
    jobs::BackgroundOptions o;
    o.holder = holder;
    o.lease_ttl = kTtl;
    o.sweep_interval = kSweep;
    return o;
  }

  std::unique_ptr<domain::Store> store;
  domain::AccountService accounts;
  domain::ContentService content;
  domain::TrainingService training;
  domain::TrashService trash;
  jobs::Background background;
};

class Lease : public DomainTest {
 protected:
  std::unique_ptr<Server> MakeServer(const std::string& holder, const core::Clock& clock) {
    return std::make_unique<Server>(OpenStore(), *blobs_, *models_, clock, holder);
  }
  std::unique_ptr<Server> MakeServer(const std::string& holder) { return MakeServer(holder, clock_); }
};

TEST_F(Lease, AHeldLeaseExpiresAfterItsTtlAndAnotherServerTakesItOver) {
  auto a = MakeServer("a");
  auto b = MakeServer("b");
  ASSERT_TRUE(a->background.HoldLease());
  EXPECT_FALSE(b->background.HoldLease());
  Advance(kTtl - 1);
  EXPECT_FALSE(b->background.HoldLease());  // not expired yet
  Advance(1);
  EXPECT_TRUE(b->background.HoldLease());   // expired: b takes it over
  EXPECT_FALSE(a->background.HoldLease());  // and a has lost it
  EXPECT_TRUE(b->background.HoldLease());   // b renews its own
}

TEST_F(Lease, RenewingKeepsTheLeaseBeyondItsFirstTtl) {
  auto a = MakeServer("a");
  auto b = MakeServer("b");
  ASSERT_TRUE(a->background.HoldLease());
  for (int i = 0; i < 5; ++i) {
    Advance(kTtl - 1);
    ASSERT_TRUE(a->background.HoldLease());  // renewed before it expires
    EXPECT_FALSE(b->background.HoldLease());
  }
  // a stops renewing (it stopped, or hangs): the lease lasts one TTL from its last renewal.
  Advance(kTtl - 1);
  EXPECT_FALSE(b->background.HoldLease());
  Advance(1);
  EXPECT_TRUE(b->background.HoldLease());
}

// The loop's passes: the first is due at once, later ones once the sweep interval has passed on the
// monotonic reading (or on Wake); only the holder of the lease runs the cleanup pass.
TEST_F(Lease, OnlyTheLeaseHolderRunsTheCleanupPassAndTheOtherTakesOverWhenItStops) {
  MakeProject("Old", 2);
  ASSERT_TRUE(trash_->TrashProject(owner(), "old", true));
  auto a = MakeServer("a");
  auto b = MakeServer("b");
  EXPECT_TRUE(a->background.RunOnce().led);
  EXPECT_FALSE(b->background.RunOnce().led);  // due, but a holds the lease
  Advance(kSweep - 1);
  EXPECT_FALSE(a->background.RunOnce().led);  // not due: the lease is not even asked for
  a->background.Wake();
  EXPECT_TRUE(a->background.RunOnce().led);  // woken: renews and runs a pass

  // The retention period ends (a's lease too, in a month without renewal: a takes it back first);
  // b does not sweep while a holds the lease, a does.
  Advance(30 * kDayMs);
  ASSERT_TRUE(a->background.HoldLease());
  EXPECT_FALSE(b->background.RunOnce().led);
  EXPECT_EQ(UsageNow().image_count, 2);
  a->background.Wake();
  EXPECT_TRUE(a->background.RunOnce().led);
  EXPECT_EQ(UsageNow().image_count, 0);

  // a stops: one TTL later b's next due pass takes over.
  Advance(kTtl);
  b->background.Wake();
  EXPECT_TRUE(b->background.RunOnce().led);
  a->background.Wake();
  EXPECT_FALSE(a->background.RunOnce().led);
}

// The storage figures' recount (RefreshReclaimable) runs only on the lease holder: at every pass
// while its lease is fresh, renewing it once half the TTL has passed, so the holder stays the leader
// while it runs. A server without the lease leaves stale figures alone; when the holder stops, the
// server that takes the lease over recounts.
TEST_F(Lease, OnlyTheLeaseHolderRecountsStaleFiguresAndTheNextLeaderTakesItOver) {
  MakeProject("One", 1);
  MakeProject("Two", 1);
  MakeProject("Three", 1);
  auto fresh = [&] {
    bool f = false;
    EXPECT_TRUE(store_->Read([&](domain::Transaction& tx) -> core::Status {
      f = tx.workspaces().GetReclaimable(owner().workspace.id).fresh();
      return core::Ok();
    }));
    return f;
  };
  auto a = MakeServer("a");
  auto b = MakeServer("b");
  EXPECT_TRUE(a->background.RunOnce().led);
  EXPECT_FALSE(b->background.RunOnce().led);

  ASSERT_TRUE(trash_->TrashProject(owner(), "one", true));
  ASSERT_FALSE(fresh());
  EXPECT_FALSE(b->background.RunOnce().led);  // not due, and not the holder: no recount
  EXPECT_FALSE(fresh());
  EXPECT_FALSE(a->background.RunOnce().led);  // not due, but the holder: recounts
  EXPECT_TRUE(fresh());

  // a's passes renew its lease past half the TTL: b, woken, cannot take it long after the first TTL.
  for (int i = 0; i < 5; ++i) {
    Advance(kTtl / 2 + kSecondMs);
    EXPECT_FALSE(a->background.RunOnce().led);
    EXPECT_TRUE(a->background.StillLeading());
  }
  ASSERT_TRUE(trash_->TrashProject(owner(), "two", true));
  b->background.Wake();
  EXPECT_FALSE(b->background.RunOnce().led);
  EXPECT_FALSE(fresh());
  a->background.RunOnce();
  EXPECT_TRUE(fresh());

  // a stops: once its lease expires b takes it over and recounts; a, back, no longer does.
  Advance(kTtl);
  b->background.Wake();
  EXPECT_TRUE(b->background.RunOnce().led);
  ASSERT_TRUE(trash_->TrashProject(owner(), "three", true));
  EXPECT_FALSE(a->background.RunOnce().led);
  EXPECT_FALSE(a->background.StillLeading());
  EXPECT_FALSE(fresh());
  b->background.RunOnce();
  EXPECT_TRUE(fresh());
}

// The lease is on the clock's system reading: POST /_dev/clock jumping 31 days ahead (on one server,
// and on the other after its sync) does not expire the lease another server holds.
TEST_F(Lease, TheDevClockJumpingAheadDoesNotExpireTheLease) {
  auto a_store = OpenStore();
  auto b_store = OpenStore();
  domain::ServerTime a_time(*a_store, clock_, true);
  domain::ServerTime b_time(*b_store, clock_, true);
  ASSERT_TRUE(a_time.Load());
  ASSERT_TRUE(b_time.Load());
  auto a = MakeServer("a", a_time.clock());
  auto b = MakeServer("b", b_time.clock());
  ASSERT_TRUE(a->background.HoldLease());
  ASSERT_TRUE(a_time.AdvanceDevClock(31 * kDayMs));
  ASSERT_TRUE(b_time.Sync());
  EXPECT_EQ(b_time.clock().Now(), clock_.Now() + 31 * kDayMs);
  EXPECT_FALSE(b->background.HoldLease());
  // Real time passing does expire it.
  Advance(kTtl);
  EXPECT_TRUE(b->background.HoldLease());
}

TEST_F(Lease, TheSweepIsDueOnceItsIntervalHasPassedOnTheMonotonicReading) {
  domain::ServerTime time(*store_, clock_, true);
  ASSERT_TRUE(time.Load());
  auto a = MakeServer("a", time.clock());
  EXPECT_TRUE(a->background.RunOnce().led);  // the first pass is due at once
  Advance(kSweep - 1);
  EXPECT_FALSE(a->background.RunOnce().led);
  ASSERT_TRUE(time.AdvanceDevClock(31 * kDayMs));  // a jump of the dev clock is no interval
  EXPECT_FALSE(a->background.RunOnce().led);
  Advance(1);
  EXPECT_TRUE(a->background.RunOnce().led);
}

// Keeps the default logger's lines in memory while it lives.
class LogCapture {
 public:
  LogCapture() : sink_(std::make_shared<spdlog::sinks::ringbuffer_sink_mt>(256)), saved_(spdlog::default_logger()) {
    auto logger = std::make_shared<spdlog::logger>("capture", sink_);
    logger->set_pattern("%v");
    spdlog::set_default_logger(logger);
  }
  ~LogCapture() { spdlog::set_default_logger(saved_); }
  bool Has(const std::string& needle) const {
    for (const auto& line : sink_->last_formatted()) {
      if (line.find(needle) != std::string::npos) return true;
    }
    return false;
  }

 private:
  std::shared_ptr<spdlog::sinks::ringbuffer_sink_mt> sink_;
  std::shared_ptr<spdlog::logger> saved_;
};

TEST_F(Lease, AFailedTrainerStepIsLoggedWithItsCodeAndTheLoopGoesOn) {
  MakeProject("A", 1);
  ASSERT_TRUE(content_->GenerateVersion(owner(), "a", std::nullopt));
  ASSERT_TRUE(training_->Start(owner(), "a", 1));
  // This server's model folder cannot be written: a file stands where it was.
  storage::blob::ModelFiles broken((dir_ / "models-a").string());
  std::filesystem::remove_all(dir_ / "models-a");
  std::ofstream(dir_ / "models-a") << "x";
  Server a(OpenStore(), *blobs_, broken, clock_, "a");
  Advance(31 * kSecondMs);  // the job is due to finish: its model file is written
  LogCapture log;
  EXPECT_TRUE(a.background.RunOnce().led);  // the rest of the pass still ran
  EXPECT_TRUE(log.Has(R"({"event":"background_failed","step":"training_tick","code":"storage_failure",)"));
  EXPECT_FALSE(a.background.RunToCompletion());
  EXPECT_TRUE(log.Has(R"("step":"training_tick")"));
}

}  // namespace
}  // namespace limbo::testing
