#include "storage/postgres/postgres_store.h"

#include <cctype>
#include <chrono>
#include <random>
#include <thread>

#include "core/crypto.h"
#include "storage/postgres/connection.h"
#include "storage/postgres/migrations.h"
#include "storage/postgres/postgres_db.h"
#include "storage/sql/db_metrics.h"
#include "storage/sql/transaction.h"

namespace limbo::storage::postgres {

using core::Error;
using core::Status;

namespace {

// Contended counters (a workspace's usage row) make serialization failures routine under load;
// the budget is generous and the backoff short, capped and jittered so retries do not march in step.
constexpr int kMaxAttempts = 40;

using ReadTx = pqxx::transaction<pqxx::repeatable_read, pqxx::read_only>;

// This thread's read scope (Store::BeginReadScope): its store, and the shared read transaction
// with its session once the first Read opened it.
struct SharedRead {
  const void* store = nullptr;
  std::unique_ptr<Connection> conn;
  std::unique_ptr<ReadTx> tx;
  std::uint64_t serial = 0;  // the open shared transaction's (domain::NextSnapshotSerial)
};
thread_local SharedRead t_shared;

Error Unavailable(const std::string& what) {
  sql::CountDatabaseError("busy");
  return Error{core::ErrorKind::kUnavailable, "database_busy", "The database is busy; try again in a moment.", {}}
      .WithDetail(what);
}

Error Internal(const std::string& what) {
  // The driver's words go to the log as the error's detail, never to clients.
  sql::CountDatabaseError("internal");
  return Error::Internal("A storage error occurred.", "internal").WithDetail(what);
}

void Backoff(int attempt) {
  sql::CountDatabaseRetry();
  thread_local std::minstd_rand rng(std::random_device{}());
  int cap = std::min(2 << std::min(attempt, 5), 50);  // 2, 4, ... 50 ms
  std::uniform_int_distribution<int> jitter(cap / 2, cap);
  std::this_thread::sleep_for(std::chrono::milliseconds(jitter(rng)));
}

// Runs fn in one transaction of the given kind; commits only when fn succeeds.
template <class Tx>
Status RunIn(Connection& c, bool writable, const domain::TxFn& fn) {
  Tx tx(c.raw());
  PostgresDb db(c, tx, writable);
  sql::Transaction t(db);
  Status st = fn(t);
  if (st) tx.commit();  // otherwise the destructor rolls back
  return st;
}

}  // namespace

bool IsPostgresUrl(const std::string& url) {
  return url.rfind("postgresql://", 0) == 0 || url.rfind("postgres://", 0) == 0;
}

std::string CreateScratchSchema(const std::string& url, std::string_view prefix) {
  std::string name = std::string(prefix) + core::RandomToken(12);
  for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  pqxx::connection admin(url);
  pqxx::nontransaction(admin).exec("CREATE SCHEMA " + admin.quote_name(name));
  return name;
}

long long CountUserTables(const std::string& url) {
  Connection c(url);
  pqxx::nontransaction tx(c.raw());
  return tx
      .exec("SELECT count(*) FROM pg_catalog.pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')")[0]
                                                                                                                     [0]
      .as<long long>();
}

std::string UrlWithSearchPath(const std::string& url, const std::string& schema) {
  return url + (url.find('?') == std::string::npos ? "?" : "&") + "options=-csearch_path%3D" + schema;
}

void DropScratchSchema(const std::string& url, const std::string& schema) {
  pqxx::connection admin(url);
  pqxx::nontransaction(admin).exec("DROP SCHEMA " + admin.quote_name(schema) + " CASCADE");
}

PostgresStore::PostgresStore(std::string url, int max_connections)
    : url_(std::move(url)), max_connections_(std::max(1, max_connections)) {
  sql::InitDatabaseMetrics();
  auto c = std::make_unique<Connection>(url_);
  schema_version_ = Migrate(*c);
  open_ = 1;
  idle_.push_back(std::move(c));
}

PostgresStore::~PostgresStore() = default;

std::unique_ptr<Connection> PostgresStore::Acquire() {
  {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return !idle_.empty() || open_ < max_connections_; });
    if (!idle_.empty()) {
      auto c = std::move(idle_.back());
      idle_.pop_back();
      return c;
    }
    ++open_;
  }
  try {
    return std::make_unique<Connection>(url_);
  } catch (...) {
    Release(nullptr);
    throw;
  }
}

void PostgresStore::Release(std::unique_ptr<Connection> c) {
  {
    std::lock_guard lock(mu_);
    if (c && c->raw().is_open()) {
      idle_.push_back(std::move(c));
    } else {
      --open_;
    }
  }
  cv_.notify_one();
}

Status PostgresStore::Run(bool write, const domain::TxFn& fn) {
  for (int attempt = 0;; ++attempt) {
    bool last = attempt + 1 >= kMaxAttempts;
    std::unique_ptr<Connection> c;
    // Hands the session back (or, when it broke, its slot); a failed Acquire holds nothing.
    auto give_back = [&](bool broken) {
      if (!c) return;
      if (broken) c.reset();
      Release(std::move(c));
    };
    try {
      c = Acquire();
      Status st = write ? RunIn<pqxx::transaction<pqxx::serializable>>(*c, true, fn)
                        : RunIn<pqxx::transaction<pqxx::repeatable_read, pqxx::read_only>>(*c, false, fn);
      give_back(false);
      return st;
    } catch (const pqxx::transaction_rollback& e) {
      // 40001 serialization failure, 40P01 deadlock: nothing was committed; run fn again.
      give_back(false);
      if (last) return Unavailable(e.what());
    } catch (const pqxx::in_doubt_error& e) {
      // The session broke during COMMIT: the outcome is unknown, so fn must not run twice.
      give_back(true);
      return Unavailable(e.what());
    } catch (const pqxx::broken_connection& e) {
      // No session, or it broke before COMMIT (database restarted, network cut): safe to retry.
      give_back(true);
      if (last) return Unavailable(e.what());
    } catch (const pqxx::sql_error& e) {
      const std::string& state = e.sqlstate();
      give_back(false);
      // Conflicts reported as plain SQL errors, too many connections, a database starting up, and
      // a wait cut short by an operator's lock_timeout (55P03) or statement_timeout (57014): the
      // request was valid, the database busy, so it runs again and at worst answers 503.
      bool retry = state == "40001" || state == "40P01" || state == "53300" || state == "57P03" || state == "55P03" ||
                   state == "57014";
      if (!retry) return Internal(e.what());
      if (last) return Unavailable(e.what());
    } catch (const std::exception& e) {
      give_back(false);
      return Internal(e.what());
    }
    Backoff(attempt);
  }
}

bool PostgresStore::BeginReadScope() {
  if (t_shared.store != nullptr) return false;
  t_shared.store = this;
  return true;
}

void PostgresStore::EndReadScope() {
  EndSharedRead();
  t_shared.store = nullptr;
}

void PostgresStore::EndSharedRead() {
  if (t_shared.store != this || !t_shared.conn) return;
  t_shared.serial = 0;
  bool broken = false;
  try {
    if (t_shared.tx) t_shared.tx->commit();
  } catch (...) {
    broken = true;
  }
  t_shared.tx.reset();  // aborts what commit did not close
  auto conn = std::move(t_shared.conn);
  if (broken || !conn->raw().is_open()) conn.reset();
  Release(std::move(conn));
}

Status PostgresStore::Read(const domain::TxFn& fn) {
  if (t_shared.store == this) {
    try {
      if (!t_shared.conn) {
        t_shared.conn = Acquire();
        t_shared.tx = std::make_unique<ReadTx>(t_shared.conn->raw());
        t_shared.serial = domain::NextSnapshotSerial();
      }
      PostgresDb db(*t_shared.conn, *t_shared.tx, false);
      sql::Transaction t(db, t_shared.serial);
      return fn(t);
    } catch (...) {
      // A failure inside the shared transaction ends it (a broken session is dropped); this Read
      // runs again on its own, with the usual retries and error mapping.
      t_shared.serial = 0;
      try {
        t_shared.tx.reset();
      } catch (...) {
      }
      if (t_shared.conn) {
        auto conn = std::move(t_shared.conn);
        bool open = false;
        try {
          open = conn->raw().is_open();
        } catch (...) {
        }
        if (!open) conn.reset();
        Release(std::move(conn));
      }
    }
  }
  return Run(false, fn);
}

Status PostgresStore::Write(const domain::TxFn& fn) {
  EndSharedRead();  // the Reads after this write see it, and its session is free for the write
  Status st = Run(true, fn);
  EndSharedRead();  // one a Read inside fn opened, whose snapshot predates the commit
  return st;
}

}  // namespace limbo::storage::postgres
