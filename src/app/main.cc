// limbod: the Limbo server. Composition root: builds the storage, services, jobs and HTTP API.
#include <pthread.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>
#include <sys/resource.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <vector>

#include "app/backup.h"
#include "app/blobs_command.h"
#include "app/completion.h"
#include "app/config.h"
#include "app/demo.h"
#include "app/metrics_listener.h"
#include "core/build_info.h"
#include "core/crypto.h"
#include "core/image_info.h"
#include "core/time_format.h"
#include "domain/fsck.h"
#include "domain/gauges.h"
#include "http/api.h"
#include "http/server.h"
#include "jobs/background.h"
#include "storage/blob/blob_stores.h"
#include "storage/blob/file_blob_store.h"
#include "storage/blob/model_files.h"
#include "storage/postgres/postgres_store.h"
#include "storage/sqlite/sqlite_store.h"
#include "web/web_routes.h"

namespace {

using namespace limbo;  // NOLINT: composition root
namespace fs = std::filesystem;

struct StorageOptions {
  std::string data = "./var";
  std::string db;
  std::string blobs;  // --blobs: "" (file:DATA/blobs), file:DIR or s3://...
};

// The flags of `limbod serve` beyond the storage ones, each field named after its flag.
struct ServeOptions {
  std::string listen = "127.0.0.1:8080";
  std::string sweep_interval = "60s";
  int demo_train_seconds = 30;
  int threads = 4;
  int max_connections = 0;  // 0: from the descriptor limit
  int cleanup_batch = domain::kCleanupBatch;
  std::string lease_ttl = "15s";
  std::vector<std::string> trusted_proxy;
  std::int64_t max_image_pixels = core::kDefaultMaxImagePixels;
  bool dev_clock = false;
  bool demo = false;
  app::MetricsFlags metrics;
};

// The metadata store named by --db (default: SQLite at DATA/limbo.db; postgresql://... for a database
// several servers share).
std::unique_ptr<domain::Store> OpenStore(const StorageOptions& o) {
  std::string url = o.db.empty() ? o.data + "/limbo.db" : o.db;
  if (storage::postgres::IsPostgresUrl(url)) return std::make_unique<storage::postgres::PostgresStore>(url);
  return std::make_unique<storage::sqlite::SqliteStore>(storage::sqlite::SqlitePathFromUrl(url));
}

void SetUpLogging() {
  auto logger = spdlog::stderr_logger_mt("limbod");
  logger->set_pattern("{\"time\":\"%Y-%m-%dT%H:%M:%S.%eZ\",\"level\":\"%l\",\"msg\":%v}",
                      spdlog::pattern_time_type::utc);
  spdlog::set_default_logger(logger);
}

bool SplitListen(const std::string& listen, std::string* host, std::uint16_t* port) {
  auto colon = listen.rfind(':');
  if (colon == std::string::npos) return false;
  *host = listen.substr(0, colon);
  if (host->size() > 2 && host->front() == '[' && host->back() == ']') *host = host->substr(1, host->size() - 2);
  try {
    int p = std::stoi(listen.substr(colon + 1));
    if (p < 0 || p > 65535) return false;
    *port = static_cast<std::uint16_t>(p);
  } catch (...) {
    return false;
  }
  return !host->empty();
}

// Raises the soft descriptor limit to the hard one, and returns the default connection cap: half of
// what is left after a reserve for the database, blob and model files and the logs, since an upload
// holds two descriptors (its socket and its body file).
int RaiseDescriptorLimit() {
  struct rlimit rl {};
  if (::getrlimit(RLIMIT_NOFILE, &rl) != 0) return 480;
  if (rl.rlim_cur < rl.rlim_max) {
    struct rlimit want = rl;
    want.rlim_cur = rl.rlim_max == RLIM_INFINITY ? std::max<rlim_t>(rl.rlim_cur, 1 << 20) : rl.rlim_max;
    if (::setrlimit(RLIMIT_NOFILE, &want) == 0) rl = want;
  }
  auto soft = static_cast<long long>(std::min<rlim_t>(rl.rlim_cur, 1 << 20));
  return static_cast<int>(std::clamp<long long>((soft - 64) / 2, 16, 16384));
}

// Upload bodies are streamed to DATA/tmp. Files a crash left there are removed at start; only those
// older than the longest a body may take to arrive, since another server may share the folder.
void PrepareTempDir(const std::string& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  auto cutoff = fs::file_time_type::clock::now() - std::chrono::minutes(30);
  int removed = 0;
  for (auto it = fs::directory_iterator(dir, ec); !ec && it != fs::directory_iterator(); it.increment(ec)) {
    std::error_code e2;
    if (it->path().filename().string().rfind("upload-", 0) == 0 && it->last_write_time(e2) < cutoff && !e2) {
      removed += fs::remove(it->path(), e2) ? 1 : 0;
    }
  }
  if (removed > 0) spdlog::info("{{\"event\":\"temp_files_removed\",\"count\":{}}}", removed);
}

int Serve(const StorageOptions& so, const ServeOptions& flags) {
  const bool dev_clock_on = flags.dev_clock;
  std::string host;
  std::uint16_t port = 0;
  if (!SplitListen(flags.listen, &host, &port)) {
    std::cerr << "limbod: --listen must be HOST:PORT, e.g. 127.0.0.1:8080\n";
    return 2;
  }
  auto sweep_ms = core::ParseDuration(flags.sweep_interval);
  if (!sweep_ms || *sweep_ms <= 0) {
    std::cerr << "limbod: --sweep-interval must be a duration such as 60s, 5m or 1h\n";
    return 2;
  }
  auto lease_ms = core::ParseDuration(flags.lease_ttl);
  if (!lease_ms || *lease_ms <= 0) {
    std::cerr << "limbod: --lease-ttl must be a duration such as 15s\n";
    return 2;
  }
  std::string joined, bad;
  for (const auto& p : flags.trusted_proxy) joined += (joined.empty() ? "" : ",") + p;
  auto trusted = http::TrustedProxies::Parse(joined, &bad);
  if (!trusted) {
    std::cerr << "limbod: --trusted-proxy: '" << bad
              << "' is not an address range (CIDR such as 10.0.0.0/8 or fd00::/8)\n";
    return 2;
  }
  // Signals are taken by sigwait in the main thread only; every other thread inherits the mask.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  http::MetricsEndpoint metrics_endpoint;
  if (auto bad_metrics = app::ConfigureMetrics(flags.metrics, nullptr, &metrics_endpoint)) {
    std::cerr << "limbod: " << *bad_metrics << "\n";
    return 2;
  }
  int default_cap = RaiseDescriptorLimit();
  int max_connections = flags.max_connections > 0 ? flags.max_connections : default_cap;

  fs::create_directories(so.data);
  auto store = OpenStore(so);
  auto opened = storage::blob::OpenBlobStores(so.blobs, so.data);
  if (!opened) {
    std::cerr << "limbod: " << opened.error().message << "\n";
    return 2;
  }
  domain::BlobStore& blobs = *opened->blobs;
  domain::ModelArtifacts& models = *opened->models;
  if (opened->files) opened->files->RemoveStaleTemporaries();
  spdlog::info("{}", nlohmann::json{{"event", "blob_store"}, {"store", opened->description}}.dump());
  PrepareTempDir(so.data + "/tmp");
  // Model files a crash left behind after their training was purged (docs/TRASH.md, "Crash safety").
  if (auto orphans = domain::RemoveOrphanedModels(*store, models, core::SystemClock().SystemNow()); !orphans) {
    std::cerr << "limbod: checking the model files failed: " << orphans.error().message << "\n";
    return 1;
  } else if (*orphans > 0) {
    spdlog::info("{{\"event\":\"orphaned_models_removed\",\"count\":{}}}", *orphans);
  }

  // The clock is kept with the data: it goes on from the dev clock's stored offset and never runs
  // behind the newest time the data has seen (domain::ServerTime).
  core::SystemClock system_clock;
  domain::ServerTime server_time(*store, system_clock, dev_clock_on);
  if (auto loaded = server_time.Load(); !loaded) {
    std::cerr << "limbod: reading the server time from the database failed: " << loaded.error().message << "\n";
    return 1;
  }
  const core::Clock& clock = server_time.clock();

  domain::AccountService accounts(*store, clock);
  domain::ContentService content(*store, blobs, clock);
  content.set_max_image_pixels(flags.max_image_pixels);
  domain::TrainingService training(*store, models, clock,
                                   static_cast<core::TimeMs>(flags.demo_train_seconds) * core::kSecondMs);
  domain::TrashService trash(*store, blobs, models, clock);

  jobs::BackgroundOptions bo;
  bo.sweep_interval = *sweep_ms;
  bo.cleanup_batch = flags.cleanup_batch;
  bo.lease_ttl = *lease_ms;
  bo.holder = "limbod-" + std::to_string(::getpid()) + "-" + core::RandomToken(6);
  bo.server_time = &server_time;
  jobs::Background background(*store, trash, training, content, accounts, clock, bo);

  std::optional<app::DemoLogin> demo_login;
  if (flags.demo) {
    auto seeded = app::SeedDemo(*store, blobs, models, clock.Now());
    if (!seeded) {
      std::cerr << "limbod: seeding the demo failed: " << seeded.error().message << " " << seeded.error().detail
                << "\n";
      return 1;
    }
    demo_login = *seeded;
  }

  struct Control final : http::BackgroundControl {  // the worker as the handlers see it
    explicit Control(jobs::Background& worker) : b(worker) {}
    void Wake() override { b.Wake(); }
    core::Status RunToCompletion() override { return b.RunToCompletion(); }
    bool Leading() const override { return b.leading(); }
    jobs::Background& b;
  } background_control(background);
  domain::Readiness readiness(*store, blobs);
  domain::Gauges gauges(*store, clock, &content);
  metrics_endpoint.gauges = &gauges;
  http::Services svc{
      accounts,   content,          training, trash, &background_control, clock, dev_clock_on ? &server_time : nullptr,
      &readiness, &metrics_endpoint};
  http::Api api(svc);
  http::RegisterRoutes(api);
  web::RegisterWebRoutes(api);
  http::ServerOptions opts;
  opts.address = host;
  opts.port = port;
  opts.threads = flags.threads;
  opts.trusted_proxies = *trusted;
  opts.max_connections = max_connections;
  opts.temp_dir = so.data + "/tmp";
  http::Server server(
      opts, [&api](http::Request& r) { return api.Handle(r); }, [&api](http::Request& r) { return api.Admit(r); });
  std::uint16_t bound = 0;
  try {
    bound = server.Start();
  } catch (const std::exception& e) {
    std::cerr << "limbod: cannot listen on " << flags.listen << ": " << e.what() << "\n";
    return 1;
  }
  std::unique_ptr<app::MetricsListener> metrics_listener;
  if (!flags.metrics.listen.empty()) {
    try {
      metrics_listener = std::make_unique<app::MetricsListener>(flags.metrics, metrics_endpoint, svc, opts);
      std::uint16_t metrics_port = metrics_listener->Start();
      spdlog::info("{{\"event\":\"metrics_listening\",\"port\":{}}}", metrics_port);
      std::cout << "limbod metrics on port " << metrics_port << std::endl;
    } catch (const std::exception& e) {
      std::cerr << "limbod: cannot listen on " << flags.metrics.listen << ": " << e.what() << "\n";
      return 1;
    }
  }
  background.Start();
  std::string url_host = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  std::string base = "http://" + url_host + ":" + std::to_string(bound);
  spdlog::info("{{\"event\":\"listening\",\"url\":\"{}\",\"devClock\":{},\"maxConnections\":{}}}", base, dev_clock_on,
               max_connections);
  std::cout << "limbod listening on " << base << std::endl;
  if (demo_login) {
    std::cout << "Demo workspace ready" << (demo_login->created ? "" : " (seeded earlier)") << ":\n"
              << "  open     " << base << "/app/login\n"
              << "  email    " << demo_login->email << "\n"
              << "  password " << demo_login->password << "\n"
              << "  second member: member@demo.limbo / " << demo_login->password << "\n";
    if (!demo_login->api_key.empty()) std::cout << "  API key  " << demo_login->api_key << "\n";
    std::cout << std::flush;
  }

  int sig = 0;
  sigwait(&signals, &sig);
  spdlog::info("{{\"event\":\"stopping\",\"signal\":{}}}", sig);
  server.Stop();
  if (metrics_listener) metrics_listener->Stop();
  background.Stop();
  spdlog::info("{}", R"({"event":"stopped"})");
  return 0;
}

int Bootstrap(const StorageOptions& so, const std::string& ws, const std::string& email, const std::string& password,
              const std::string& name) {
  fs::create_directories(so.data);
  auto store = OpenStore(so);
  core::SystemClock clock;
  domain::AccountService accounts(*store, clock);
  auto r = accounts.Bootstrap(ws, email, password, name);
  if (!r) {
    std::cerr << "limbod bootstrap: " << r.error().message << "\n";
    return 1;
  }
  std::cout << nlohmann::json{{"workspace", r->workspace}, {"email", r->email}, {"apiKey", r->api_key}}.dump()
            << std::endl;
  return 0;
}

// `limbod member add`: operators (and tests) with local access to the data add a member directly.
int MemberAdd(const StorageOptions& so, const std::string& ws, const std::string& email, const std::string& name,
              const std::string& password, const std::string& role) {
  auto store = OpenStore(so);
  core::SystemClock clock;
  domain::AccountService accounts(*store, clock);
  auto r = accounts.AddMemberLocal(ws, email, name, password, role);
  if (!r) {
    std::cerr << "limbod member add: " << r.error().message << "\n";
    return 1;
  }
  nlohmann::json out{
      {"workspace", ws}, {"email", r->first.email}, {"userId", r->first.user_id}, {"role", r->second.id}};
  std::cout << out.dump() << std::endl;
  return 0;
}

int Fsck(const StorageOptions& so, bool repair) {
  auto opened = storage::blob::OpenBlobStores(so.blobs, so.data);
  if (!opened) {
    std::cerr << "limbod fsck: " << opened.error().message << "\n";
    return 2;
  }
  auto store = OpenStore(so);
  domain::BlobStore& blobs = *opened->blobs;
  domain::ModelArtifacts& models = *opened->models;
  auto r = domain::CheckConsistency(*store, blobs, repair, &models, core::SystemClock().SystemNow());
  if (!r) {
    std::cerr << "limbod fsck: " << r.error().message << " " << r.error().detail << "\n";
    return 1;
  }
  if (repair) {
    // Collection is due by the data's time (a server's advanced dev clock included), not only the
    // system clock's.
    core::SystemClock system_clock;
    domain::ServerTime server_time(*store, system_clock, false);
    if (auto loaded = server_time.Load(); !loaded) {
      std::cerr << "limbod fsck: " << loaded.error().message << "\n";
      return 1;
    }
    domain::TrashService trash(*store, blobs, models, server_time.clock());
    while (true) {
      auto n = trash.CollectBlobs();
      if (!n || *n == 0) break;
    }
  }
  nlohmann::json out{{"clean", r->clean()},
                     {"missingFiles", r->missing_files},
                     {"orphanedFiles", r->orphaned_files},
                     {"orphanedModels", r->orphaned_models},
                     {"wrongRefcounts", r->wrong_refcounts},
                     {"wrongUsage", r->wrong_usage},
                     {"wrongFigures", r->wrong_figures},
                     {"staleFigures", r->stale_figures},
                     {"queuedFiles", r->queued_files},
                     {"repaired", r->repaired}};
  std::cout << out.dump() << std::endl;
  if (!r->missing_files.empty()) return 1;
  return r->clean() || repair ? 0 : 1;
}

// The route table as JSON, for tests that must cover every route (hidden subcommand `routes`).
int PrintRoutes() {
  auto dir = fs::temp_directory_path() / ("limbod-routes-" + core::RandomToken(8));
  fs::create_directories(dir);
  {
    StorageOptions so{dir.string(), "", ""};
    auto store = OpenStore(so);
    storage::blob::FileBlobStore blobs(so.data + "/blobs");
    storage::blob::ModelFiles models(so.data + "/models");
    core::SystemClock clock;
    domain::AccountService accounts(*store, clock);
    domain::ContentService content(*store, blobs, clock);
    domain::TrainingService training(*store, models, clock, core::kSecondMs);
    domain::TrashService trash(*store, blobs, models, clock);
    http::Api api(http::Services{accounts, content, training, trash, nullptr, clock, nullptr});
    http::RegisterRoutes(api);
    web::RegisterWebRoutes(api);
    static const char* kAccess[] = {"public", "api", "session", "web_only"};
    nlohmann::json out = nlohmann::json::array();
    for (const auto& r : api.router().routes()) {
      out.push_back({{"method", r.method}, {"pattern", r.pattern}, {"access", kAccess[static_cast<int>(r.access)]}});
    }
    std::cout << out.dump() << std::endl;
  }
  fs::remove_all(dir);
  return 0;
}

// Checks on the values of `limbod serve`, so that a bad value from a flag, LIMBO_* or the config file is
// reported with where it came from (and by `limbod config check`).
const CLI::Validator kListenCheck(
    [](std::string& v) {
      std::string host;
      std::uint16_t port = 0;
      return SplitListen(v, &host, &port) ? std::string() : "must be HOST:PORT, e.g. 127.0.0.1:8080";
    },
    "HOST:PORT");
const CLI::Validator kDurationCheck(
    [](std::string& v) {
      auto ms = core::ParseDuration(v);
      return ms && *ms > 0 ? std::string() : "must be a duration such as 15s, 5m or 1h";
    },
    "DURATION");
const CLI::Validator kCidrCheck(
    [](std::string& v) {
      std::string bad;
      return http::TrustedProxies::Parse(v, &bad) ? std::string()
                                                  : "'" + bad + "' is not an address range (CIDR such as 10.0.0.0/8)";
    },
    "CIDR");

}  // namespace

int main(int argc, char** argv) {
  core::InitCrypto();
  CLI::App cli{"limbod: the Limbo server (workspaces, datasets and a Trash that never loses data by accident)"};
  cli.set_version_flag("--version", core::VersionText("limbod"));
  cli.set_help_all_flag("--help-all", "Print the help of every subcommand");
  cli.require_subcommand(1);
  StorageOptions so;
  auto add_storage = [&](CLI::App* c) {
    c->add_option("--data", so.data, "Data directory (database and blobs)")->required();
    c->add_option("--db", so.db, "Database URL (default: sqlite at DATA/limbo.db)");
    c->add_option("--blobs", so.blobs,
                  "Where image blobs and model files live: file:DIR (default file:DATA/blobs) or "
                  "s3://BUCKET[/PREFIX]?endpoint=URL[&region=R] (credentials from AWS_ACCESS_KEY_ID, "
                  "AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN)");
  };

  auto* serve = cli.add_subcommand("serve", "Run the server");
  add_storage(serve);
  ServeOptions serve_flags;
  serve->add_option("--listen", serve_flags.listen, "Address to listen on (HOST:PORT; port 0 picks a free port)")
      ->check(kListenCheck);
  serve
      ->add_option("--sweep-interval", serve_flags.sweep_interval,
                   "How often the retention sweeper runs (e.g. 60s, 5m)")
      ->check(kDurationCheck);
  serve
      ->add_option("--demo-train-seconds", serve_flags.demo_train_seconds,
                   "Duration of a demo training job (server clock)")
      ->check(CLI::Range(1, 86400));
  serve->add_option("--threads", serve_flags.threads, "HTTP worker threads")->check(CLI::Range(1, 64));
  serve
      ->add_option("--max-connections", serve_flags.max_connections,
                   "Open connections at most; at the cap the longest-idle one is closed to make room "
                   "(default 0: from the descriptor limit, (limit - 64) / 2, at most 16384)")
      ->check(CLI::Range(0, 1000000));
  serve->add_option("--cleanup-batch", serve_flags.cleanup_batch, "Rows deleted per cleanup transaction")
      ->check(CLI::Range(1, 100000));
  // Hidden: how long the cleanup lease outlives its holder's last renewal (tests of failover).
  serve->add_option("--lease-ttl", serve_flags.lease_ttl, "")->check(kDurationCheck)->group("");
  serve
      ->add_option("--trusted-proxy", serve_flags.trusted_proxy,
                   "CIDR[,CIDR...] of reverse proxies whose X-Forwarded-For names the client (default: none)")
      ->delimiter(',')
      ->check(kCidrCheck);
  serve
      ->add_option(
          "--max-image-pixels", serve_flags.max_image_pixels,
          "Largest image accepted, in pixels (width x height; an animated GIF may hold ten times that over its frames)")
      ->check(CLI::Range(std::int64_t{1}, std::int64_t{1} << 40));
  serve->add_flag("--dev-clock", serve_flags.dev_clock,
                  "Use a manual clock moved by POST /_dev/clock (tests and demos only)");
  serve->add_flag("--demo", serve_flags.demo, "Seed a demo workspace and print how to sign in");
  app::AddMetricsFlags(serve, &serve_flags.metrics);

  auto* boot =
      cli.add_subcommand("bootstrap", "Create a workspace and its owner; prints one JSON line with an API key");
  add_storage(boot);
  std::string ws, email, password, name;
  boot->add_option("--workspace", ws, "Workspace url")->required();
  boot->add_option("--email", email, "Owner's email")->required();
  boot->add_option("--password", password, "Owner's password (ignored for an existing user)")->required();
  boot->add_option("--name", name, "Owner's display name");

  auto* member = cli.add_subcommand("member", "Manage members directly (operators with access to the data)");
  member->require_subcommand(1);
  auto* member_add = member->add_subcommand(
      "add", "Add a member, creating the account if new (an existing account keeps its password and name)");
  add_storage(member_add);
  std::string member_role;
  member_add->add_option("--workspace", ws, "Workspace url")->required();
  member_add->add_option("--email", email, "Member's email")->required();
  member_add->add_option("--name", name, "Display name of a new account (default: the email's local part)");
  member_add->add_option("--password", password, "Password of a new account (ignored for an existing one)")->required();
  member_add->add_option("--role", member_role, "owner, member or a custom role id")->required();

  auto* fsck = cli.add_subcommand("fsck", "Check that database rows and blob files agree");
  add_storage(fsck);
  bool repair = false;
  fsck->add_flag("--repair", repair, "Fix reference counts, usage counters and orphaned files");

  auto* backup = cli.add_subcommand(
      "backup", "Write a consistent copy of the database and the files it references into a new folder");
  app::BackupOptions backup_flags;
  backup->add_option("--data", backup_flags.data, "Data directory of the servers (database and blobs)")->required();
  backup->add_option("--db", backup_flags.db, "Database URL (default: sqlite at DATA/limbo.db)");
  backup->add_option("--to", backup_flags.to, "Folder to create for the backup (must not exist, or be empty)")
      ->required();
  // Hidden, for tests: waits this long between the database snapshot and the copying of the files.
  backup->add_option("--pause-after-snapshot-ms", backup_flags.pause_after_snapshot_ms, "")->group("");
  auto* restore = cli.add_subcommand("restore-backup", "Bring a backup back into an empty data folder (and database)");
  app::RestoreOptions restore_flags;
  restore->add_option("--from", restore_flags.from, "Backup folder written by `limbod backup`")->required();
  restore->add_option("--data", restore_flags.data, "Data directory to fill (new or empty)")->required();
  restore->add_option("--db", restore_flags.db, "PostgreSQL URL of an empty database (PostgreSQL backups)");
  auto* blobs_cmd = cli.add_subcommand("blobs", "List blobs, or copy them from one store into another");
  blobs_cmd->require_subcommand(1);
  auto* blobs_list = blobs_cmd->add_subcommand("list", "Print the name of every blob in the store (--blobs)");
  auto* blobs_migrate = blobs_cmd->add_subcommand(
      "migrate",
      "Copy every blob and model file of --blobs (default file:DATA/blobs) into --to, verified by SHA-256; "
      "resumable (what is there already is skipped)");
  bool list_models = false;
  blobs_list->add_flag("--models", list_models, "List the model files instead: job id and size in bytes");
  std::string migrate_to;
  bool migrate_verify = false;
  int migrate_threads = 8;
  for (auto* c : {blobs_list, blobs_migrate}) {
    c->add_option("--data", so.data, "Data directory")->required();
    c->add_option("--blobs", so.blobs, "The store: file:DIR (default file:DATA/blobs) or s3://...");
  }
  blobs_migrate->add_option("--to", migrate_to, "Destination store: s3://BUCKET[/PREFIX]?endpoint=URL[&region=R]")
      ->required();
  blobs_migrate->add_flag("--verify", migrate_verify,
                          "Read back blobs already in the destination and check their SHA-256 (default: HEAD only)");
  blobs_migrate->add_option("--threads", migrate_threads, "Copies in flight")->check(CLI::Range(1, 64));

  auto* routes = cli.add_subcommand("routes", "")->group("");  // hidden: the route table as JSON
  app::AddCompletionCommand(cli, "limbod");
  app::Config config(cli, "serve");  // after every option: each gets its LIMBO_* variable and file key
  if (auto done = config.Parse(argc, argv)) return *done;
  SetUpLogging();
  try {
    if (*serve) {
      return Serve(so, serve_flags);
    }
    if (*boot) return Bootstrap(so, ws, email, password, name);
    if (*member_add) return MemberAdd(so, ws, email, name, password, member_role);
    if (*fsck) return Fsck(so, repair);
    if (*routes) return PrintRoutes();
    if (*backup) return app::RunBackup(backup_flags);
    if (*restore) return app::RunRestore(restore_flags);
    if (*blobs_list) return app::BlobsList(so.data, so.blobs, list_models);
    if (*blobs_migrate) return app::BlobsMigrate(so.data, so.blobs, migrate_to, migrate_verify, migrate_threads);
  } catch (const std::exception& e) {
    std::cerr << "limbod: " << app::MaskSecrets(e.what()) << "\n";
    return 1;
  }
  return 0;
}
