#pragma once

#include <atomic>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "core/clock.h"
#include "domain/account_service.h"
#include "domain/content_service.h"
#include "domain/server_time.h"
#include "domain/store.h"
#include "domain/training_service.h"
#include "domain/trash_service.h"

namespace limbo::jobs {

struct BackgroundOptions {
  core::TimeMs sweep_interval = 60 * core::kSecondMs;
  core::TimeMs training_tick = 250;  // real time between trainer steps
  std::string holder;                // this process's name in the leadership lease
  // The lease's expiry, on the clock's SystemNow(): real time that the dev clock's jumps do not move.
  core::TimeMs lease_ttl = 15 * core::kSecondMs;
  int cleanup_batch = domain::kCleanupBatch;  // rows per cleanup transaction
  // The clock kept with the data: synced every sweep interval and at stop, and a system clock
  // behind it is logged (at most once per time_warning_interval). Null in tests that do not need it.
  domain::ServerTime* server_time = nullptr;
  core::TimeMs time_warning_interval = 60 * core::kSecondMs;
};

// Runs the retention sweeper, the cleanup worker, the blob collector, the pruning of old sign-in
// failures, the recount of stale storage figures, the writing of API keys' last uses and the demo
// trainer in one thread. All but the key uses and the trainer run only while this process holds the
// `cleanup` lease, so several servers on one database never do the same work twice. The holder
// recounts stale figures at every pass and renews the lease once half its TTL has passed, so it
// stays the leader while it runs.
//
// Every time it reads comes from the injected clock: the sweep and time-sync intervals and the
// warning rate limit from Monotonic(), the lease from SystemNow() (see BackgroundOptions::lease_ttl).
// Only the waits between passes are real time. Every failed step is logged as one line
// {"event":"background_failed","step":...,"code":...,"message":...}; the loop goes on.
class Background {
 public:
  Background(domain::Store& store, domain::TrashService& trash, domain::TrainingService& training,
             domain::ContentService& content, domain::AccountService& accounts, const core::Clock& clock,
             BackgroundOptions opts);
  ~Background();

  void Start();
  void Stop();
  // Asks the worker to look for cleanup work now (after a permanent deletion).
  void Wake();
  // Runs the sweep, the cleanup and blob collection to completion, and one trainer step, in the
  // calling thread (POST /_dev/clock and tests). Returns an error only for a storage failure.
  core::Status RunToCompletion();

  // What one pass of the loop did.
  struct Pass {
    bool led = false;   // this process held the lease and ran a bounded cleanup pass
    bool busy = false;  // cleanup work remains: the loop comes straight back
  };
  // One pass of the loop, in the calling thread: a trainer step, the time sync once per sweep
  // interval, and, when the sweep interval has passed on Monotonic() or Wake() was called, the lease
  // and one bounded cleanup pass (which ends with the storage figures' recount); otherwise, while
  // this process still holds the lease (StillLeading), the recount alone. The thread runs it between
  // waits; tests run it on a manual clock.
  Pass RunOnce();
  // Takes or renews the `cleanup` lease; false when another holder has it or the database failed.
  bool HoldLease();
  // The last HoldLease's answer.
  bool leading() const { return leading_.load(); }
  // Whether the lease this process last took is still unexpired on SystemNow(); once half its TTL
  // has passed it is renewed (HoldLease) and that answer counts. No write while it is fresh, and
  // none on a server that does not hold it.
  bool StillLeading();

 private:
  void Loop();
  void SyncTime();
  core::Status CleanupPass(bool until_done);
  // The storage figures' recount (ContentService::RefreshReclaimable), logged as
  // {"event":"reclaimable_refresh","workspaces":N} when it found stale figures.
  core::Status RefreshFigures();

  domain::Store& store_;
  domain::TrashService& trash_;
  domain::TrainingService& training_;
  domain::ContentService& content_;
  domain::AccountService& accounts_;
  const core::Clock& clock_;
  BackgroundOptions opts_;

  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;   // GUARDED_BY(mu_)
  bool woken_ = false;  // GUARDED_BY(mu_)
  std::mutex run_mu_;   // one pass at a time in this process
  std::thread thread_;
  // Monotonic readings; touched under run_mu_ or by Start/Stop (one thread at a time).
  std::optional<core::MonoTime> last_sweep_;
  std::optional<core::MonoTime> last_time_sync_;
  std::optional<core::MonoTime> last_time_warning_;
  std::atomic<bool> leading_{false};          // the last HoldLease's answer, to log changes of leadership
  std::atomic<core::TimeMs> lease_until_{0};  // SystemNow() at which the lease last taken expires
};

}  // namespace limbo::jobs
