#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "core/result.h"
#include "domain/blob_store.h"

namespace limbo::app {

// `limbod backup --data DIR [--db URL] --to DEST`: a consistent copy of a data folder while servers run
// on it (docs/OPERATIONS.md, "Backups"). The database first (SQLite: VACUUM INTO; PostgreSQL: pg_dump
// of an exported snapshot), then the blob and model files that copy references, each blob verified
// against its SHA-256, under a backup hold that keeps the servers from removing files meanwhile
// (domain/backup_hold.h). Everything is written into DEST.partial, renamed to DEST when complete.
struct BackupOptions {
  std::string data;
  std::string db;  // empty: SQLite at DATA/limbo.db
  std::string to;
  std::int64_t pause_after_snapshot_ms = 0;  // hidden, for tests: a window between snapshot and copy
};

// `limbod restore-backup --from DEST --data NEWDIR [--db URL]`: brings a backup back into an empty
// folder (and, for a PostgreSQL backup, an empty database), then checks it as `limbod fsck` does.
struct RestoreOptions {
  std::string from;
  std::string data;
  std::string db;
};

// Both print one JSON line on stdout when they succeed and a message on stderr when they fail;
// they return the process's exit status.
int RunBackup(const BackupOptions& o);
int RunRestore(const RestoreOptions& o);

// Where copied blobs go. Files are written without a flush each and flushed together by Flush(),
// which a backup (a restore) calls before it declares itself complete: one fsync per file was most
// of the time of a backup of small images.
class BlobSink {
 public:
  virtual ~BlobSink() = default;
  virtual core::Status Write(const std::string& sha256, std::string_view bytes) = 0;
  virtual core::Status Flush() = 0;
};

// A folder in FileBlobStore's layout (root/ab/cd/abcd...), as DATA/blobs and a backup's blobs/ are.
std::unique_ptr<BlobSink> FileBlobSink(const std::string& root);

// Copies one blob from a store (files now; any BlobStore, such as an object store, later), checking
// that its bytes hash to its name. Returns its size; `blob_missing` when the source lacks it,
// `blob_damaged` when its bytes do not match.
core::Result<std::int64_t> CopyBlob(const domain::BlobStore& from, BlobSink& to, const std::string& sha256);

}  // namespace limbo::app
