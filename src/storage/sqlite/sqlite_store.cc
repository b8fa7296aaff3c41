#include "storage/sqlite/sqlite_store.h"

#include <chrono>
#include <thread>

#include "storage/sql/db_metrics.h"
#include "storage/sql/transaction.h"
#include "storage/sqlite/migrations.h"
#include "storage/sqlite/sqlite_db.h"

namespace limbo::storage::sqlite {

using core::Error;
using core::Status;

namespace {

constexpr int kMaxAttempts = 20;

// This thread's read scope (Store::BeginReadScope): its store, and the shared read transaction's
// connection once the first Read opened it.
struct SharedRead {
  const void* store = nullptr;
  std::unique_ptr<Connection> conn;
};
thread_local SharedRead t_shared;

Error Unavailable(const std::string& what) {
  sql::CountDatabaseError("busy");
  return Error{core::ErrorKind::kUnavailable, "database_busy", "The database is busy; try again in a moment.", {}}
      .WithDetail(what);
}

// Runs fn inside BEGIN/COMMIT on `db`, rolling back on an error or exception.
Status RunTx(Connection& db, const char* begin, const domain::TxFn& fn) {
  db.Run(begin);
  try {
    SqliteDb sql_db(db);
    sql::Transaction tx(sql_db);
    Status st = fn(tx);
    if (!st) {
      db.Run("ROLLBACK");
      return st;
    }
    db.Run("COMMIT");
    return st;
  } catch (...) {
    try {
      db.Run("ROLLBACK");
    } catch (...) {
    }
    throw;
  }
}

Status WithRetries(const std::function<Status()>& attempt) {
  for (int i = 0;; ++i) {
    try {
      return attempt();
    } catch (const SqliteError& e) {
      if (!e.busy() || i + 1 >= kMaxAttempts) {
        if (e.busy()) return Unavailable(e.what());
        sql::CountDatabaseError("internal");
        return Error::Internal("A storage error occurred.", "internal").WithDetail(e.what());
      }
      sql::CountDatabaseRetry();
      std::this_thread::sleep_for(std::chrono::milliseconds(5 * (i + 1)));
    } catch (const std::exception& e) {
      sql::CountDatabaseError("internal");
      return Error::Internal("A storage error occurred.", "internal").WithDetail(e.what());
    }
  }
}

}  // namespace

void CopyDatabase(const std::string& path, const std::string& dest) {
  Connection c(path);
  c.Prepare("VACUUM INTO ?").Bind(1, dest).Run();
}

std::string SqlitePathFromUrl(const std::string& url) {
  for (const char* prefix : {"sqlite://", "sqlite:"}) {
    std::string p(prefix);
    if (url.rfind(p, 0) == 0) return url.substr(p.size());
  }
  return url;
}

SqliteStore::SqliteStore(const std::string& path, int readers) : path_(path) {
  sql::InitDatabaseMetrics();
  writer_ = std::make_unique<Connection>(path);
  schema_version_ = Migrate(*writer_);
  for (int i = 0; i < readers; ++i) readers_.push_back(std::make_unique<Connection>(path));
}

SqliteStore::~SqliteStore() = default;

std::unique_ptr<Connection> SqliteStore::AcquireReader() {
  std::unique_lock lock(pool_mu_);
  pool_cv_.wait(lock, [&] { return !readers_.empty(); });
  auto c = std::move(readers_.back());
  readers_.pop_back();
  return c;
}

void SqliteStore::ReleaseReader(std::unique_ptr<Connection> c) {
  {
    std::lock_guard lock(pool_mu_);
    readers_.push_back(std::move(c));
  }
  pool_cv_.notify_one();
}

bool SqliteStore::BeginReadScope() {
  if (t_shared.store != nullptr) return false;
  t_shared.store = this;
  return true;
}

void SqliteStore::EndReadScope() {
  EndSharedRead();
  t_shared.store = nullptr;
}

void SqliteStore::EndSharedRead() {
  if (t_shared.store != this || !t_shared.conn) return;
  auto conn = std::move(t_shared.conn);
  try {
    conn->Run("COMMIT");
  } catch (...) {
    try {
      conn->Run("ROLLBACK");
    } catch (...) {
    }
  }
  ReleaseReader(std::move(conn));
}

Status SqliteStore::Read(const domain::TxFn& fn) {
  if (t_shared.store == this) {
    try {
      if (!t_shared.conn) {
        auto conn = AcquireReader();
        try {
          conn->Run("BEGIN");
        } catch (...) {
          ReleaseReader(std::move(conn));
          throw;
        }
        t_shared.conn = std::move(conn);
      }
      SqliteDb sql_db(*t_shared.conn);
      sql::Transaction tx(sql_db);
      return fn(tx);
    } catch (...) {
      // A failure inside the shared transaction ends it; this Read runs again on its own, with
      // the usual retries and error mapping.
      EndSharedRead();
    }
  }
  auto conn = AcquireReader();
  Status st = WithRetries([&] { return RunTx(*conn, "BEGIN", fn); });
  ReleaseReader(std::move(conn));
  return st;
}

Status SqliteStore::Write(const domain::TxFn& fn) {
  EndSharedRead();  // the Reads after this write see it
  Status st = [&] {
    std::lock_guard lock(write_mu_);
    return WithRetries([&] { return RunTx(*writer_, "BEGIN IMMEDIATE", fn); });
  }();
  EndSharedRead();  // one a Read inside fn opened, whose snapshot predates the commit
  return st;
}

}  // namespace limbo::storage::sqlite
