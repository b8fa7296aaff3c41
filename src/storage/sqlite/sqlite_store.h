#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "domain/store.h"
#include "storage/sqlite/connection.h"

namespace limbo::storage::sqlite {

// The embedded backend: one SQLite file in WAL mode. Writers are serialised in-process by a mutex
// and across processes by BEGIN IMMEDIATE with a busy timeout; readers use pooled connections and
// run beside the writer.
class SqliteStore final : public domain::Store {
 public:
  // Opens (creating if needed) and migrates the database at `path`.
  explicit SqliteStore(const std::string& path, int readers = 4);
  ~SqliteStore() override;

  core::Status Read(const domain::TxFn& fn) override;
  core::Status Write(const domain::TxFn& fn) override;

  int schema_version() const override { return schema_version_; }

  bool BeginReadScope() override;
  void EndReadScope() override;

 private:
  // Closes this thread's shared read transaction, if one is open (the scope stays).
  void EndSharedRead();
  std::unique_ptr<Connection> AcquireReader();
  void ReleaseReader(std::unique_ptr<Connection> c);

  std::string path_;
  int schema_version_ = 0;
  std::mutex write_mu_;
  std::unique_ptr<Connection> writer_;  // GUARDED_BY(write_mu_)
  std::mutex pool_mu_;
  std::condition_variable pool_cv_;
  std::vector<std::unique_ptr<Connection>> readers_;  // GUARDED_BY(pool_mu_)
};

// Writes a consistent copy of the database at `path` into the new file `dest` with VACUUM INTO: one
// read transaction, so the writers of a running server go on (WAL), and the copy comes out compacted.
// Throws SqliteError.
void CopyDatabase(const std::string& path, const std::string& dest);

// Parses "sqlite:///abs/path", "sqlite://rel/path", "sqlite:path" or a bare path.
std::string SqlitePathFromUrl(const std::string& url);

}  // namespace limbo::storage::sqlite
