#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "domain/store.h"

namespace limbo::storage::postgres {

class Connection;

// The shared backend: Limbo's metadata in PostgreSQL, for several limbod processes on one
// database. Writes run at SERIALIZABLE and are retried with backoff on serialization failures and
// deadlocks (SQLSTATE 40001, 40P01); reads run at REPEATABLE READ, READ ONLY (one snapshot).
// Sessions come from a small pool; a session that breaks is replaced. Thread-safe.
class PostgresStore final : public domain::Store {
 public:
  // Connects to `url` (postgresql://user:pass@host:port/db) and migrates the schema.
  explicit PostgresStore(std::string url, int max_connections = 8);
  ~PostgresStore() override;

  core::Status Read(const domain::TxFn& fn) override;
  core::Status Write(const domain::TxFn& fn) override;

  int schema_version() const override { return schema_version_; }

  bool BeginReadScope() override;
  void EndReadScope() override;

 private:
  core::Status Run(bool write, const domain::TxFn& fn);
  // Closes this thread's shared read transaction, if one is open (the scope stays).
  void EndSharedRead();
  std::unique_ptr<Connection> Acquire();
  // Returns a session to the pool; a broken one (null) frees its slot instead.
  void Release(std::unique_ptr<Connection> c);

  // Constant after construction.
  const std::string url_;
  const int max_connections_;
  int schema_version_ = 0;

  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::unique_ptr<Connection>> idle_;  // GUARDED_BY(mu_)
  int open_ = 0;                                   // GUARDED_BY(mu_): sessions in use or idle
};

// True for the URLs this backend serves (postgresql:// and postgres://).
bool IsPostgresUrl(const std::string& url);

// How many tables the database at `url` holds outside the system schemas (restore-backup loads a
// dump only into an empty one). Throws on a connection failure.
long long CountUserTables(const std::string& url);

// A store of its own inside a shared database, as the tests, fuzz replays and benchmarks use:
// CreateScratchSchema makes a schema named `prefix` + a random lower-case suffix (so it never needs
// quoting) and returns its name; UrlWithSearchPath puts it first on the search path of every
// session of a store opened with the URL; DropScratchSchema removes it with everything in it.
std::string CreateScratchSchema(const std::string& url, std::string_view prefix);
std::string UrlWithSearchPath(const std::string& url, const std::string& schema);
void DropScratchSchema(const std::string& url, const std::string& schema);

}  // namespace limbo::storage::postgres
