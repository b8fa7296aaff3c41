#include "jobs/background.h"

#include <spdlog/spdlog.h>

#include <chrono>

#include "core/time_format.h"

namespace limbo::jobs {

using core::Ok;
using core::Status;

namespace {

std::string JsonString(const std::string& s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20) {
      static const char* kHex = "0123456789abcdef";
      out += "\\u00";
      out += kHex[c >> 4];
      out += kHex[c & 15];
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + "\"";
}

// One line per failed step; the loop goes on and the next pass tries again.
// The internal detail (a driver's or the OS's words) goes to the log, as for requests.
void LogFailure(const char* step, const core::Error& e) {
  spdlog::error("{{\"event\":\"background_failed\",\"step\":\"{}\",\"code\":{},\"message\":{},\"detail\":{}}}", step,
                JsonString(e.code), JsonString(e.message), JsonString(e.detail));
}

template <typename T>
core::Result<T> Logged(const char* step, core::Result<T> r) {
  if (!r) LogFailure(step, r.error());
  return r;
}

}  // namespace

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
  last_time_sync_ = clock_.Monotonic();
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
  if (was_running) {
    SyncTime();  // the mark as of now, for the next start
    (void)Logged("key_uses", accounts_.RecordKeyUses());
  }
}

// Stores the newest time this process used, adopts what the others stored, and says loudly when
// the system clock is behind the data (the clock then stands still until it catches up).
void Background::SyncTime() {
  if (!opts_.server_time) return;
  auto lag = opts_.server_time->Sync();
  if (!lag) {
    LogFailure("time_sync", lag.error());
    return;
  }
  if (*lag <= core::kSecondMs || opts_.server_time->dev()) return;
  auto now = clock_.Monotonic();
  if (last_time_warning_ && now - *last_time_warning_ < std::chrono::milliseconds(opts_.time_warning_interval)) {
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
  // The lease is kept on the system's real time, which servers on one database share: a dev clock
  // jumping forward, or the high-water mark, must not expire it.
  core::TimeMs now = clock_.SystemNow();
  Status st = store_.Write([&](domain::Transaction& tx) -> Status {
    held = tx.server().TryTakeLease("cleanup", opts_.holder, now, opts_.lease_ttl);
    return Ok();
  });
  if (!st) {
    LogFailure("lease", st.error());
    held = false;
  }
  lease_until_.store(held ? now + opts_.lease_ttl : 0);
  if (held != leading_.exchange(held)) {
    spdlog::info("{{\"event\":\"lease\",\"name\":\"cleanup\",\"holder\":{},\"held\":{}}}", JsonString(opts_.holder),
                 held);
  }
  return held;
}

bool Background::StillLeading() {
  core::TimeMs now = clock_.SystemNow();
  core::TimeMs until = lease_until_.load();
  if (now >= until) return false;
  if (until - now > opts_.lease_ttl / 2) return true;
  return HoldLease();
}

Status Background::RefreshFigures() {
  LIMBO_TRY(int stale, Logged("reclaimable_refresh", content_.RefreshReclaimable()));
  if (stale > 0) spdlog::info("{{\"event\":\"reclaimable_refresh\",\"workspaces\":{}}}", stale);
  return Ok();
}

Status Background::CleanupPass(bool until_done) {
  LIMBO_TRY(int swept, Logged("sweep", trash_.Sweep()));
  (void)swept;
  // Bounded steps; between them other writers get the database.
  for (int steps = 0; until_done || steps < 20; ++steps) {
    // A long pass renews the lease between steps (a step may outlast a short TTL on a remote
    // database) and stops once another server holds it. RunToCompletion works without the lease.
    if (!until_done && steps > 0 && !HoldLease()) return Ok();
    LIMBO_TRY(domain::CleanupProgress p, Logged("cleanup", trash_.CleanupStep(opts_.cleanup_batch)));
    if (!p.worked) break;
  }
  for (;;) {
    LIMBO_TRY(int removed, Logged("blob_collection", trash_.CollectBlobs()));
    if (removed == 0 || !until_done) break;
  }
  LIMBO_RETURN_IF_ERROR(RefreshFigures());
  LIMBO_TRY(int pruned, Logged("login_failure_pruning", accounts_.PruneLoginFailures()));
  (void)pruned;
  return Ok();
}

Status Background::RunToCompletion() {
  std::lock_guard run(run_mu_);
  SyncTime();
  (void)Logged("key_uses", accounts_.RecordKeyUses());
  LIMBO_RETURN_IF_ERROR(Logged("training_tick", training_.Tick()));
  LIMBO_RETURN_IF_ERROR(CleanupPass(true));
  // A second trainer step finishes the jobs the first one started, as they would be by now.
  LIMBO_RETURN_IF_ERROR(Logged("training_tick", training_.Tick()));
  return Ok();
}

Background::Pass Background::RunOnce() {
  Pass pass;
  std::lock_guard run(run_mu_);
  (void)Logged("training_tick", training_.Tick());
  (void)Logged("key_uses", accounts_.RecordKeyUses());  // every server, leader or not
  auto now = clock_.Monotonic();
  auto interval = std::chrono::milliseconds(opts_.sweep_interval);
  bool due = !last_sweep_ || now - *last_sweep_ >= interval;
  if (!last_time_sync_) last_time_sync_ = now;
  if (now - *last_time_sync_ >= interval) {
    last_time_sync_ = now;
    SyncTime();  // every server, leader or not
  }
  bool woken;
  {
    std::lock_guard lock(mu_);
    woken = woken_;
    woken_ = false;
  }
  if ((due || woken) && HoldLease()) {
    pass.led = true;
    if (due) last_sweep_ = now;
    // One bounded pass; if work remains, come straight back instead of waiting.
    if (CleanupPass(false)) {
      auto more = Logged("cleanup", trash_.CleanupStep(opts_.cleanup_batch));
      pass.busy = more && more->worked;
    }
  } else if (StillLeading()) {
    (void)RefreshFigures();  // the cleanup pass refreshes them too
  }
  return pass;
}

void Background::Loop() {
  for (;;) {
    bool busy = RunOnce().busy;
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
