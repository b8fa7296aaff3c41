#include "jobs/background.h"

#include <spdlog/spdlog.h>

#include <chrono>

#include "core/time_format.h"

namespace limbo::jobs {

using core::Ok;
using core::Status;

Background::Background(domain::Store& store, domain::TrashService& trash, domain::TrainingService& training,
                       domain::ContentService& content, domain::AccountService& accounts, const core::Clock& clock,
                       BackgroundOptions opts)
    : store_(store),
      trash_(trash),
      training_(training),
      content_(content),
      accounts_(accounts),
      clock_(clock),
      opts_(std::move(opts)) {}

Background::~Background() { Stop(); }

void Background::Start() {
  if (thread_.joinable()) return;
  SyncTime();  // says at once when the system clock starts behind the data
  thread_ = std::thread([this] { Loop(); });
}

void Background::Stop() {
  bool was_running = thread_.joinable();
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  if (was_running) SyncTime();  // the mark as of now, for the next start
}

// Stores the newest time this process used, adopts what the others stored, and says loudly when
// the system clock is behind the data (the clock then stands still until it catches up).
void Background::SyncTime() {
  if (!opts_.server_time) return;
  auto lag = opts_.server_time->Sync();
  if (!lag) {
    spdlog::warn("{{\"event\":\"time_sync_failed\",\"code\":\"{}\"}}", lag.error().code);
    return;
  }
  if (*lag <= core::kSecondMs || opts_.server_time->dev()) return;
  auto now = std::chrono::steady_clock::now();
  if (last_time_warning_ != std::chrono::steady_clock::time_point{} &&
      now - last_time_warning_ < std::chrono::milliseconds(opts_.time_warning_interval)) {
    return;
  }
  last_time_warning_ = now;
  spdlog::error(
      "{{\"event\":\"clock_behind_data\",\"behindMs\":{},\"dataTime\":\"{}\",\"message\":\"The system clock is "
      "behind the newest time this data has seen; limbod keeps time standing still at that time until the "
      "system clock catches up. Check NTP.\"}}",
      *lag, core::FormatIso8601(opts_.server_time->Mark()));
}

void Background::Wake() {
  {
    std::lock_guard lock(mu_);
    woken_ = true;
  }
  cv_.notify_all();
}

bool Background::HoldLease() {
  bool held = false;
  Status st = store_.Write([&](domain::Transaction& tx) -> Status {
    // The lease is kept on real time: a dev clock jumping forward must not steal it.
    auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                   std::chrono::system_clock::now().time_since_epoch()).count();
    held = tx.TryTakeLease("cleanup", opts_.holder, now, opts_.lease_ttl);
    return Ok();
  });
  return st && held;
}

Status Background::CleanupPass(bool until_done) {
  LIMBO_TRY(int swept, trash_.Sweep());
  (void)swept;
  // Bounded steps; between them other writers get the database.
  for (int steps = 0; until_done || steps < 20; ++steps) {
    // A long pass renews the lease between steps (a step may outlast a short TTL on a remote
    // database) and stops once another server holds it. RunToCompletion works without the lease.
    if (!until_done && steps > 0 && !HoldLease()) return Ok();
    LIMBO_TRY(domain::CleanupProgress p, trash_.CleanupStep(opts_.cleanup_batch));
    if (!p.worked) break;
  }
  for (;;) {
    LIMBO_TRY(int removed, trash_.CollectBlobs());
    if (removed == 0 || !until_done) break;
  }
  LIMBO_RETURN_IF_ERROR(content_.RefreshReclaimable());
  LIMBO_TRY(int pruned, accounts_.PruneLoginFailures());
  (void)pruned;
  return Ok();
}

Status Background::RunToCompletion() {
  std::lock_guard run(run_mu_);
  SyncTime();
  LIMBO_RETURN_IF_ERROR(training_.Tick());
  LIMBO_RETURN_IF_ERROR(CleanupPass(true));
  // A second trainer step finishes the jobs the first one started, as they would be by now.
  LIMBO_RETURN_IF_ERROR(training_.Tick());
  return Ok();
}

void Background::Loop() {
  auto last_sweep = std::chrono::steady_clock::time_point{};
  auto last_time_sync = std::chrono::steady_clock::now();  // Load() has just synced
  for (;;) {
    bool busy = false;
    {
      std::lock_guard run(run_mu_);
      (void)training_.Tick();
      (void)content_.RefreshReclaimable();
      auto now = std::chrono::steady_clock::now();
      bool due = now - last_sweep >= std::chrono::milliseconds(opts_.sweep_interval);
      if (now - last_time_sync >= std::chrono::milliseconds(opts_.sweep_interval)) {
        last_time_sync = now;
        SyncTime();  // every server, leader or not
      }
      bool woken;
      {
        std::lock_guard lock(mu_);
        woken = woken_;
        woken_ = false;
      }
      if ((due || woken) && HoldLease()) {
        if (due) last_sweep = now;
        // One bounded pass; if work remains, come straight back instead of waiting.
        Status st = CleanupPass(false);
        if (st) {
          auto more = trash_.CleanupStep(opts_.cleanup_batch);
          busy = more && more->worked;
        }
      }
    }
    std::unique_lock lock(mu_);
    if (stop_) return;
    if (busy) {
      woken_ = true;
      continue;
    }
    cv_.wait_for(lock, std::chrono::milliseconds(opts_.training_tick), [&] { return stop_ || woken_; });
    if (stop_) return;
  }
}

}  // namespace limbo::jobs
