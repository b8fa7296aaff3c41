#include "app/backup.h"

#include <fcntl.h>
#include <spawn.h>
#include <spdlog/spdlog.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <thread>
#include <vector>

#include "core/build_info.h"
#include "core/clock.h"
#include "core/crypto.h"
#include "core/time_format.h"
#include "domain/backup_hold.h"
#include "domain/fsck.h"
#include "storage/blob/file_blob_store.h"
#include "storage/blob/model_files.h"
#include "storage/postgres/postgres_store.h"
#include "storage/sqlite/sqlite_store.h"

extern char** environ;

namespace limbo::app {

namespace fs = std::filesystem;
using core::Error;
using core::Ok;
using core::Status;

namespace {

constexpr int kManifestFormat = 1;
constexpr const char* kManifest = "backup.json";
constexpr const char* kSqliteFile = "limbo.db";
constexpr const char* kPgDumpFile = "limbo.pgdump";
constexpr const char* kLockFile = ".lock";

int Fail(const char* who, const std::string& message) {
  std::cerr << who << ": " << message << "\n";
  return 1;
}

std::unique_ptr<domain::Store> OpenStore(const std::string& data, const std::string& db) {
  std::string url = db.empty() ? data + "/limbo.db" : db;
  if (storage::postgres::IsPostgresUrl(url)) return std::make_unique<storage::postgres::PostgresStore>(url);
  return std::make_unique<storage::sqlite::SqliteStore>(storage::sqlite::SqlitePathFromUrl(url));
}

bool FsyncPath(const fs::path& path, bool dir) {
  int fd = ::open(path.c_str(), (dir ? O_RDONLY | O_DIRECTORY : O_RDONLY) | O_CLOEXEC);
  if (fd < 0) return false;
  bool ok = ::fsync(fd) == 0;
  ::close(fd);
  return ok;
}

// Copies a file and flushes it to disk.
Status CopyFileSynced(const fs::path& from, const fs::path& to) {
  std::error_code ec;
  fs::copy_file(from, to, fs::copy_options::overwrite_existing, ec);
  if (ec) return Error::Internal("copying " + from.string() + " failed: " + ec.message(), "copy_failed");
  if (!FsyncPath(to, false)) return Error::Internal("flushing " + to.string() + " failed", "copy_failed");
  return Ok();
}

bool IsEmptyDir(const fs::path& p) {
  std::error_code ec;
  return fs::is_directory(p, ec) && fs::is_empty(p, ec) && !ec;
}

// A URL without its password, and the password (handed to pg_dump through PGPASSWORD, so that it
// never shows in the process list).
std::pair<std::string, std::string> SplitPassword(const std::string& url) {
  auto scheme = url.find("://");
  if (scheme == std::string::npos) return {url, ""};
  auto start = scheme + 3;
  auto end = url.find_first_of("/?", start);
  auto at = url.rfind('@', end == std::string::npos ? std::string::npos : end);
  if (at == std::string::npos || at < start) return {url, ""};
  auto colon = url.find(':', start);
  if (colon == std::string::npos || colon > at) return {url, ""};
  std::string encoded = url.substr(colon + 1, at - colon - 1);
  std::string password;
  for (std::size_t i = 0; i < encoded.size(); ++i) {
    if (encoded[i] == '%' && i + 2 < encoded.size() && std::isxdigit(static_cast<unsigned char>(encoded[i + 1])) &&
        std::isxdigit(static_cast<unsigned char>(encoded[i + 2]))) {
      password += static_cast<char>(std::stoi(encoded.substr(i + 1, 2), nullptr, 16));
      i += 2;
    } else {
      password += encoded[i];
    }
  }
  return {url.substr(0, colon) + url.substr(at), password};
}

// Runs a program (searched on PATH) with `args`, its output into `log`; returns its exit status
// (127 when it could not be started) and, on failure, the log's last lines in `*output`.
int RunProgram(const std::vector<std::string>& args, const std::string& password, const fs::path& log,
               std::string* output) {
  std::vector<std::string> env_strings;
  for (char** e = environ; *e != nullptr; ++e) {
    if (std::strncmp(*e, "PGPASSWORD=", 11) != 0) env_strings.emplace_back(*e);
  }
  if (!password.empty()) env_strings.push_back("PGPASSWORD=" + password);
  std::vector<char*> envp;
  for (auto& s : env_strings) envp.push_back(s.data());
  envp.push_back(nullptr);
  std::vector<std::string> argv_strings(args);
  std::vector<char*> argv;
  for (auto& s : argv_strings) argv.push_back(s.data());
  argv.push_back(nullptr);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  pid_t pid = 0;
  int rc = posix_spawnp(&pid, argv[0], &actions, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) {
    *output = std::string("cannot run ") + args[0] + ": " + std::strerror(rc);
    return 127;
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
  if (code != 0) {
    std::ifstream in(log);
    std::stringstream ss;
    ss << in.rdbuf();
    std::string text = ss.str();
    if (text.size() > 2000) text = text.substr(text.size() - 2000);
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
    *output = text;
  }
  return code;
}

// The backup hold (domain/backup_hold.h): taken before the snapshot, renewed every ttl/6 by a thread
// of its own (the database copy is one long call), given up when the files are copied. A renewal
// that fails is logged; the copy is checked file by file anyway, so a lapsed hold can only make the
// backup fail, never make it wrong.
class BackupHold {
 public:
  BackupHold(domain::Store& store, const core::Clock& clock)
      : store_(store), clock_(clock), name_(std::string(domain::kBackupLeasePrefix) + core::RandomToken(12)) {}
  ~BackupHold() { Release(); }
  BackupHold(const BackupHold&) = delete;
  BackupHold& operator=(const BackupHold&) = delete;

  Status Take() {
    LIMBO_RETURN_IF_ERROR(Renew());
    thread_ = std::thread([this] { Loop(); });
    return Ok();
  }

  void Release() {
    if (!thread_.joinable()) return;
    {
      std::lock_guard lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    thread_.join();
    core::TimeMs now = clock_.SystemNow();
    Status st = store_.Write([&](domain::Transaction& tx) -> Status {
      tx.server().DropLease(name_, name_, domain::kBackupLeasePrefix, now);
      return Ok();
    });
    if (!st)
      spdlog::warn("{}",
                   nlohmann::json{{"event", "backup_hold_release_failed"}, {"message", st.error().message}}.dump());
  }

  const std::string& name() const { return name_; }

 private:
  Status Renew() {
    core::TimeMs now = clock_.SystemNow();
    return store_.Write([&](domain::Transaction& tx) -> Status {
      tx.server().TryTakeLease(name_, name_, now, domain::kBackupHoldTtlMs);
      return Ok();
    });
  }

  void Loop() {
    std::unique_lock lock(mu_);
    while (!stop_) {
      cv_.wait_for(lock, std::chrono::milliseconds(domain::kBackupHoldTtlMs / 6), [this] { return stop_; });
      if (stop_) break;
      lock.unlock();
      Status st = Renew();
      if (!st)
        spdlog::warn("{}",
                     nlohmann::json{{"event", "backup_hold_renewal_failed"}, {"message", st.error().message}}.dump());
      lock.lock();
    }
  }

  domain::Store& store_;
  const core::Clock& clock_;
  std::string name_;
  std::thread thread_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
};

// DEST.partial, locked (flock) for as long as this process writes into it: a rerun after a killed
// backup finds the lock free and starts the folder over; a backup running beside it is refused.
class PartialDir {
 public:
  ~PartialDir() {
    if (fd_ >= 0) ::close(fd_);
  }

  // Creates (or takes over and empties) `path`. `*replaced` tells that an unfinished backup was there.
  Status Open(const fs::path& path, bool* replaced) {
    path_ = path;
    std::error_code ec;
    fs::create_directories(path.parent_path(), ec);
    bool created = fs::create_directory(path, ec);
    if (ec) return Error::Internal("cannot create " + path.string() + ": " + ec.message(), "backup_failed");
    // A backup holds every account's password hash and every key's hash: for its owner's eyes only.
    fs::permissions(path, fs::perms::owner_all, fs::perm_options::replace, ec);
    fd_ = ::open((path / kLockFile).c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd_ < 0) return Error::Internal("cannot create " + (path / kLockFile).string() + ": " + std::strerror(errno));
    if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
      return Error::Conflict(
          "another limbod backup is writing " + path.string() + " right now; wait for it or choose another --to",
          "backup_running");
    }
    *replaced = !created;
    if (!created) Clear();
    return Ok();
  }

  // Removes everything in the folder but the lock.
  void Clear() {
    std::error_code ec;
    for (auto it = fs::directory_iterator(path_, ec); !ec && it != fs::directory_iterator(); it.increment(ec)) {
      if (it->path().filename() == kLockFile) continue;
      std::error_code e2;
      fs::remove_all(it->path(), e2);
    }
  }

  // Renames the finished folder to `dest` (an empty folder there is replaced), durably.
  Status Finish(const fs::path& dest) {
    std::error_code ec;
    fs::remove(path_ / kLockFile, ec);
    FsyncPath(path_, true);
    if (::rename(path_.c_str(), dest.c_str()) != 0) {
      return Error::Internal("cannot rename " + path_.string() + " to " + dest.string() + ": " + std::strerror(errno),
                             "backup_failed");
    }
    FsyncPath(dest.parent_path().empty() ? fs::path(".") : dest.parent_path(), true);
    return Ok();
  }

  void Abandon() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }

 private:
  fs::path path_;
  int fd_ = -1;
};

// What the database copy references.
struct Listing {
  std::vector<std::tuple<std::string, std::int64_t, std::int64_t>> blobs;  // sha256, image rows, size
  std::vector<std::string> job_ids;
  std::set<std::string> model_job_ids;  // jobs that wrote a model file: the file must be there
  int schema_version = 0;
};

Status ReadListing(domain::Transaction& tx, Listing* out) {
  out->blobs = tx.fsck().ImageShaCounts();
  out->job_ids = tx.jobs().AllIds();
  auto with_models = tx.jobs().IdsWithModels();
  out->model_job_ids = std::set<std::string>(with_models.begin(), with_models.end());
  out->schema_version = tx.server().SchemaVersion();
  return Ok();
}

std::int64_t FileSize(const fs::path& p) {
  std::error_code ec;
  auto n = fs::file_size(p, ec);
  return ec ? 0 : static_cast<std::int64_t>(n);
}

std::string Joined(const std::vector<std::string>& items, std::size_t at_most) {
  std::string out;
  for (std::size_t i = 0; i < items.size() && i < at_most; ++i) out += (i ? ", " : "") + items[i];
  if (items.size() > at_most) out += ", ...";
  return out;
}

fs::path CleanPath(const std::string& p) {
  fs::path path = fs::absolute(fs::path(p)).lexically_normal();
  if (!path.has_filename()) path = path.parent_path();  // "dest/" names "dest"
  return path;
}

void Log(const nlohmann::json& j) { spdlog::info("{}", j.dump()); }

int Backup(const BackupOptions& o) {
  const char* who = "limbod backup";
  std::error_code ec;
  if (!fs::is_directory(o.data, ec)) {
    return Fail(who, "the data folder " + o.data + " does not exist or is not a folder");
  }
  const bool pg = !o.db.empty() && storage::postgres::IsPostgresUrl(o.db);
  const std::string db_path = o.db.empty() ? o.data + "/limbo.db" : storage::sqlite::SqlitePathFromUrl(o.db);
  if (!pg && !fs::is_regular_file(db_path, ec)) {
    return Fail(who, "there is no database at " + db_path + ": is " + o.data + " a Limbo data folder?");
  }
  if (o.to.empty()) return Fail(who, "--to names the folder to create");
  const fs::path dest = CleanPath(o.to);
  const fs::path data = CleanPath(o.data);
  if (dest == data || std::mismatch(data.begin(), data.end(), dest.begin(), dest.end()).first == data.end()) {
    return Fail(who, "--to must be outside the data folder " + data.string());
  }
  if (fs::exists(dest, ec) && !IsEmptyDir(dest)) {
    return Fail(who, dest.string() +
                         " already exists and is not empty; a backup never writes over another, so "
                         "choose a new folder");
  }
  const fs::path partial = dest.string() + ".partial";
  PartialDir dir;
  bool replaced = false;
  if (auto st = dir.Open(partial, &replaced); !st) return Fail(who, st.error().message);
  if (replaced) Log({{"event", "backup_partial_replaced"}, {"path", partial.string()}});

  auto fail = [&](const std::string& message) {
    dir.Abandon();
    return Fail(who, message);
  };
  try {
    auto store = OpenStore(o.data, o.db);
    core::SystemClock clock;
    const core::TimeMs started = clock.SystemNow();
    BackupHold hold(*store, clock);
    if (auto st = hold.Take(); !st) return fail("cannot take the backup hold: " + st.error().message);
    Log({{"event", "backup_hold"}, {"name", hold.name()}});

    // Model files are copied before the snapshot too. A purge that begins after the hold leaves its
    // files alone; one that began before it may still commit after the snapshot and remove a file the
    // snapshot lists, but only a file that existed before the hold (its job row, which the purge
    // deletes, was last written when the file was already there), and so is copied here.
    storage::blob::ModelFiles live_models(o.data + "/models");
    fs::create_directories(partial / "models");
    std::set<std::string> precopied;
    for (const auto& id : live_models.List()) {
      fs::path from = fs::path(o.data) / "models" / (id + ".json");
      if (CopyFileSynced(from, partial / "models" / (id + ".json"))) precopied.insert(id);
    }

    Listing listing;
    std::string db_file;
    if (!pg) {
      db_file = kSqliteFile;
      storage::sqlite::CopyDatabase(db_path, (partial / db_file).string());
      if (!FsyncPath(partial / db_file, false)) return fail("flushing the database copy failed");
      {
        storage::sqlite::SqliteStore copy((partial / db_file).string(), 1);
        if (auto st = copy.Read([&](domain::Transaction& tx) { return ReadListing(tx, &listing); }); !st) {
          return fail("reading the database copy failed: " + st.error().message);
        }
      }
      fs::remove(partial / (db_file + "-shm"), ec);
      if (fs::exists(partial / (db_file + "-wal"), ec)) return fail("the database copy kept a write-ahead log");
    } else {
      db_file = kPgDumpFile;
      // pg_dump reads the snapshot this transaction exports, and the lists below come from the same
      // snapshot: what the dump holds is exactly what is copied.
      auto [url, password] = SplitPassword(o.db);
      Status st = store->Read([&](domain::Transaction& tx) -> Status {
        std::string snapshot = tx.server().ExportSnapshot();
        std::string output;
        int code = RunProgram({"pg_dump", "--format=custom", "--no-password", "--snapshot=" + snapshot,
                               "--file=" + (partial / db_file).string(), "--dbname=" + url},
                              password, partial / ".pg_dump.log", &output);
        if (code != 0) return Error::Internal("pg_dump failed (exit status " + std::to_string(code) + "): " + output);
        return ReadListing(tx, &listing);
      });
      fs::remove(partial / ".pg_dump.log", ec);
      if (!st) return fail(st.error().message);
      if (!FsyncPath(partial / db_file, false)) return fail("flushing the dump failed");
    }
    Log({{"event", "backup_snapshot"},
         {"database", db_file},
         {"blobs", listing.blobs.size()},
         {"jobs", listing.job_ids.size()}});
    if (o.pause_after_snapshot_ms > 0) {
      std::this_thread::sleep_for(std::chrono::milliseconds(o.pause_after_snapshot_ms));
    }

    // The blobs the copy references, each checked against its name.
    storage::blob::FileBlobStore live_blobs(o.data + "/blobs");
    auto copied_blobs = FileBlobSink((partial / "blobs").string());
    std::vector<std::string> missing, damaged;
    std::int64_t blob_bytes = 0, image_rows = 0;
    for (const auto& [sha, rows, size] : listing.blobs) {
      image_rows += rows;
      auto copied = CopyBlob(live_blobs, *copied_blobs, sha);
      if (copied) {
        blob_bytes += *copied;
      } else if (copied.error().code == "blob_missing") {
        missing.push_back(sha);
      } else if (copied.error().code == "blob_damaged") {
        damaged.push_back(sha);
      } else {
        return fail("copying blob " + sha + " failed: " + copied.error().message + " " + copied.error().detail);
      }
    }

    // The model files of the copy's jobs: copied before the snapshot, or now for jobs that finished
    // in between. Files of jobs the copy does not know are dropped.
    std::set<std::string> jobs(listing.job_ids.begin(), listing.job_ids.end());
    std::vector<std::string> missing_models;
    std::int64_t model_bytes = 0, model_files = 0;
    for (const auto& id : listing.job_ids) {
      fs::path to = partial / "models" / (id + ".json");
      if (!precopied.count(id)) {
        fs::path from = fs::path(o.data) / "models" / (id + ".json");
        if (!fs::exists(from, ec) || !CopyFileSynced(from, to)) {
          if (listing.model_job_ids.count(id)) missing_models.push_back(id);
          continue;
        }
      }
      ++model_files;
      model_bytes += FileSize(to);
    }
    for (const auto& id : precopied) {
      if (!jobs.count(id)) fs::remove(partial / "models" / (id + ".json"), ec);
    }
    if (!missing.empty() || !damaged.empty() || !missing_models.empty()) {
      std::string msg = "the data folder lacks files its database references, so no backup was written";
      if (!missing.empty()) msg += "; missing blobs (" + std::to_string(missing.size()) + "): " + Joined(missing, 5);
      if (!damaged.empty()) {
        msg += "; blobs whose bytes do not match their SHA-256 (" + std::to_string(damaged.size()) +
               "): " + Joined(damaged, 5);
      }
      if (!missing_models.empty()) {
        msg += "; missing model files (" + std::to_string(missing_models.size()) + "): " + Joined(missing_models, 5);
      }
      msg += ". Run `limbod fsck` on the data folder for the full list.";
      return fail(msg);
    }
    if (auto st = copied_blobs->Flush(); !st) return fail(st.error().message);
    FsyncPath(partial / "models", true);

    nlohmann::json manifest = {
        {"format", kManifestFormat},
        {"time", core::FormatIso8601(started)},
        {"version", core::kVersion},
        {"commit", core::kCommit},
        {"schemaVersion", listing.schema_version},
        {"backend", pg ? "postgresql" : "sqlite"},
        {"database", db_file},
        {"hold", hold.name()},
        {"counts", {{"images", image_rows}, {"blobs", listing.blobs.size()}, {"models", model_files}}},
        {"bytes",
         {{"database", FileSize(partial / db_file)},
          {"blobs", blob_bytes},
          {"models", model_bytes},
          {"total", FileSize(partial / db_file) + blob_bytes + model_bytes}}},
    };
    {
      std::ofstream out(partial / kManifest, std::ios::binary | std::ios::trunc);
      out << manifest.dump(2) << "\n";
      if (!out) return fail("writing " + (partial / kManifest).string() + " failed");
    }
    if (!FsyncPath(partial / kManifest, false)) return fail("flushing the manifest failed");
    hold.Release();
    if (auto st = dir.Finish(dest); !st) return fail(st.error().message);
    // Model files that purges kept for this backup (and no other holds now) go.
    if (auto removed = domain::RemoveOrphanedModels(*store, live_models, clock.SystemNow()); removed && *removed > 0) {
      Log({{"event", "orphaned_models_removed"}, {"count", *removed}});
    }
    manifest["path"] = dest.string();
    std::cout << manifest.dump() << std::endl;
    return 0;
  } catch (const std::exception& e) {
    return fail(e.what());
  }
}

int Restore(const RestoreOptions& o) {
  const char* who = "limbod restore-backup";
  std::error_code ec;
  const fs::path from = CleanPath(o.from);
  if (!fs::is_directory(from, ec)) return Fail(who, "the backup folder " + from.string() + " does not exist");
  nlohmann::json manifest;
  {
    std::ifstream in(from / kManifest);
    if (!in) {
      return Fail(who, from.string() + " is not a finished backup: it has no " + kManifest +
                           " (a backup that was interrupted stays in DEST.partial and cannot be restored)");
    }
    try {
      in >> manifest;
    } catch (const std::exception& e) {
      return Fail(who, (from / kManifest).string() + " is not valid JSON: " + e.what());
    }
  }
  if (!manifest.is_object() || manifest.value("format", 0) != kManifestFormat || !manifest.contains("backend") ||
      !manifest["backend"].is_string() || !manifest.contains("database") || !manifest["database"].is_string()) {
    return Fail(who, (from / kManifest).string() + " is not a backup manifest this limbod reads (format " +
                         std::to_string(kManifestFormat) + ")");
  }
  const fs::path target = CleanPath(o.data);
  if (fs::exists(target, ec) && !IsEmptyDir(target)) {
    return Fail(who, target.string() + " is not empty; restore-backup only fills an empty or new folder");
  }
  const std::string backend = manifest["backend"];
  const std::string db_file = manifest["database"];
  if (db_file != kSqliteFile && db_file != kPgDumpFile) return Fail(who, "the manifest names an unknown database file");
  const bool pg_target = !o.db.empty() && storage::postgres::IsPostgresUrl(o.db);
  if (backend == "postgresql" && !pg_target) {
    return Fail(who, "this backup holds a PostgreSQL dump: give --db postgresql://... naming an empty database");
  }
  if (backend == "sqlite" && pg_target) {
    return Fail(who, "this backup holds a SQLite database: restore it without --db, into the data folder");
  }
  if (backend != "sqlite" && backend != "postgresql")
    return Fail(who, "unknown backend '" + backend + "' in the manifest");
  if (!pg_target && !o.db.empty()) return Fail(who, "--db is only for PostgreSQL; a SQLite database goes into --data");

  if (pg_target) {
    try {
      long long tables = storage::postgres::CountUserTables(o.db);
      if (tables > 0) {
        return Fail(who, "the database already holds " + std::to_string(tables) +
                             " tables; restore into an empty database (createdb --owner ROLE NAME)");
      }
    } catch (const std::exception& e) {
      return Fail(who, std::string("cannot connect to the database: ") + e.what());
    }
  }
  fs::create_directories(target, ec);
  if (ec) return Fail(who, "cannot create " + target.string() + ": " + ec.message());
  auto fail = [&](const std::string& message) {
    // The folder was empty: what is in it now is this restore's.
    for (auto it = fs::directory_iterator(target, ec); !ec && it != fs::directory_iterator(); it.increment(ec)) {
      std::error_code e2;
      fs::remove_all(it->path(), e2);
    }
    return Fail(who, message);
  };

  try {
    // Blobs, each checked against its name again, then the model files, then the database last, so
    // that an interrupted restore never leaves a database without its files.
    if (!fs::is_directory(from / "blobs", ec)) return fail(from.string() + " has no blobs folder");
    storage::blob::FileBlobStore backup_blobs((from / "blobs").string());
    storage::blob::FileBlobStore blobs((target / "blobs").string());
    auto sink = FileBlobSink((target / "blobs").string());
    std::int64_t blob_count = 0;
    for (const auto& sha : backup_blobs.List()) {
      auto copied = CopyBlob(backup_blobs, *sink, sha);
      if (!copied) return fail("blob " + sha + " of the backup: " + copied.error().message);
      ++blob_count;
    }
    std::int64_t expected = manifest.contains("counts") ? manifest["counts"].value("blobs", std::int64_t{0}) : 0;
    if (blob_count != expected) {
      return fail("the backup holds " + std::to_string(blob_count) + " blobs but its manifest lists " +
                  std::to_string(expected) + ": it is incomplete");
    }
    fs::create_directories(target / "models");
    for (auto it = fs::directory_iterator(from / "models", ec); !ec && it != fs::directory_iterator();
         it.increment(ec)) {
      if (!it->is_regular_file()) continue;
      if (auto st = CopyFileSynced(it->path(), target / "models" / it->path().filename()); !st) {
        return fail(st.error().message);
      }
    }
    if (auto st = sink->Flush(); !st) return fail(st.error().message);
    if (!fs::exists(from / db_file, ec)) return fail("the backup lacks its database file " + db_file);
    if (backend == "sqlite") {
      fs::path tmp = target / (std::string(kSqliteFile) + ".partial");
      if (auto st = CopyFileSynced(from / db_file, tmp); !st) return fail(st.error().message);
      fs::rename(tmp, target / kSqliteFile, ec);
      if (ec) return fail("cannot rename " + tmp.string() + ": " + ec.message());
    } else {
      auto [url, password] = SplitPassword(o.db);
      std::string output;
      int code = RunProgram({"pg_restore", "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction",
                             "--no-password", "--dbname=" + url, (from / db_file).string()},
                            password, target / ".pg_restore.log", &output);
      fs::remove(target / ".pg_restore.log", ec);
      if (code != 0) return fail("pg_restore failed (exit status " + std::to_string(code) + "): " + output);
    }
    FsyncPath(target, true);

    // The backup's own hold came along in the snapshot: it is dropped, then the result is checked.
    auto store = OpenStore(target.string(), o.db);
    core::SystemClock clock;
    std::string hold = manifest.value("hold", "");
    if (auto st = store->Write([&](domain::Transaction& tx) -> Status {
          if (!hold.empty()) tx.server().DropLease(hold, hold, domain::kBackupLeasePrefix, clock.SystemNow());
          return Ok();
        });
        !st) {
      return fail("the restored database does not open: " + st.error().message);
    }
    storage::blob::ModelFiles models((target / "models").string());
    auto report = domain::CheckConsistency(*store, blobs, false, &models, clock.SystemNow());
    if (!report) return fail("checking the restored data failed: " + report.error().message);
    nlohmann::json out = {{"restored", target.string()},
                          {"from", from.string()},
                          {"backend", backend},
                          {"time", manifest.value("time", "")},
                          {"blobs", blob_count},
                          {"clean", report->clean()},
                          {"missingFiles", report->missing_files},
                          {"orphanedFiles", report->orphaned_files},
                          {"orphanedModels", report->orphaned_models}};
    std::cout << out.dump() << std::endl;
    if (!report->clean()) {
      std::cerr << who
                << ": the restored data is not consistent (see the report); `limbod fsck --repair` fixes "
                   "counters and orphaned files, not missing ones\n";
      return 1;
    }
    return 0;
  } catch (const std::exception& e) {
    return fail(e.what());
  }
}

}  // namespace

namespace {

class FileSink final : public BlobSink {
 public:
  explicit FileSink(const std::string& root) : layout_(root), root_(root) {}

  Status Write(const std::string& sha256, std::string_view bytes) override {
    std::string path = layout_.PathOf(sha256);
    std::string dir = path.substr(0, path.rfind('/'));
    if (dirs_.insert(dir).second) {
      std::error_code ec;
      fs::create_directories(dir, ec);
      if (ec) return Error::Internal("cannot create " + dir + ": " + ec.message(), "copy_failed");
    }
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) return Error::Internal("cannot create " + path + ": " + std::strerror(errno), "copy_failed");
    std::size_t off = 0;
    while (off < bytes.size()) {
      ssize_t n = ::write(fd, bytes.data() + off, bytes.size() - off);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) {
        std::string err = std::strerror(errno);
        ::close(fd);
        return Error::Internal("writing " + path + " failed: " + err, "copy_failed");
      }
      off += static_cast<std::size_t>(n);
    }
    if (::close(fd) != 0) return Error::Internal("writing " + path + " failed: " + std::strerror(errno), "copy_failed");
    return Ok();
  }

  // One syncfs for every file and folder written (they are all on the root's file system).
  Status Flush() override {
    int fd = ::open(root_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return Error::Internal("cannot open " + root_ + ": " + std::strerror(errno), "copy_failed");
    int rc = ::syncfs(fd);
    std::string err = rc == 0 ? "" : std::strerror(errno);
    ::close(fd);
    if (rc != 0) return Error::Internal("flushing " + root_ + " failed: " + err, "copy_failed");
    return Ok();
  }

 private:
  storage::blob::FileBlobStore layout_;  // only for its PathOf: the same layout as DATA/blobs
  std::string root_;
  std::set<std::string> dirs_;
};

}  // namespace

std::unique_ptr<BlobSink> FileBlobSink(const std::string& root) { return std::make_unique<FileSink>(root); }

core::Result<std::int64_t> CopyBlob(const domain::BlobStore& from, BlobSink& to, const std::string& sha256) {
  if (!storage::blob::IsSha256Hex(sha256)) return Error::Invalid("not a blob name: " + sha256, "blob_damaged");
  auto bytes = from.Get(sha256);
  if (!bytes) {
    if (!from.Exists(sha256)) return Error::NotFound("The blob is missing.", "blob_missing");
    return bytes.error();
  }
  if (core::Sha256Hex(*bytes) != sha256) {
    return Error::Internal("The blob's bytes do not match its SHA-256.", "blob_damaged");
  }
  LIMBO_RETURN_IF_ERROR(to.Write(sha256, *bytes));
  return static_cast<std::int64_t>(bytes->size());
}

int RunBackup(const BackupOptions& o) {
  try {
    return Backup(o);
  } catch (const std::exception& e) {
    return Fail("limbod backup", e.what());
  }
}

int RunRestore(const RestoreOptions& o) {
  try {
    return Restore(o);
  } catch (const std::exception& e) {  // a manifest with fields of the wrong type, say
    return Fail("limbod restore-backup", e.what());
  }
}

}  // namespace limbo::app
