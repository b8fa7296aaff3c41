#include "storage/sql/blobs.h"

namespace limbo::storage::sql {

using domain::TimeMs;

// T13 under concurrency: no blob-store request runs inside a write transaction. The collector
// (TrashService::CollectBlobs) claims its due, unreferenced blob_gc rows in one short transaction
// (Due, ReferencedAmong, Claim), removes their objects with no transaction open, and deletes the rows
// still under its claim in another (DequeueClaimed). An upload reads the blob's queue row in each of
// its transactions (Referenced, QueueEntry) and never relies on an object whose row is claimed, nor
// adds a reference to it: it waits until the collection has deleted the row, then writes the object
// again. A claim changes the row's entry token, so an upload that wrote the object under its token
// finds out, in the transaction that records it, whether a collection claimed it since. With SQLite
// the transactions simply run one after the other. With PostgreSQL the queue row's lock
// (`FOR UPDATE`, taken by Due and by Referenced/QueueEntry in a write) orders an upload and a claim
// of the same blob, and SERIALIZABLE makes one of them retry on the new state. A writer that relies
// on an existing blobs row updates that row, so a concurrent DropRefs of it makes one of them fail
// and retry (first updater wins).

void Blobs::AddRef(const std::string& sha256, std::int64_t size) {
  // UPDATE first: if the row this transaction saw was deleted meanwhile, it fails and retries
  // instead of silently inserting a fresh row for a file the collector may have taken.
  if (db_.Exec("UPDATE blobs SET refs = refs + 1 WHERE sha256 = ?", sha256) == 1) return;
  db_.Exec(
      "INSERT INTO blobs(sha256, size_bytes, refs) VALUES (?, ?, 1) "
      "ON CONFLICT (sha256) DO UPDATE SET refs = blobs.refs + 1",
      sha256, size);
}

std::vector<std::string> Blobs::DropRefs(const std::vector<std::string>& sha256s) {
  if (sha256s.empty()) return {};
  // Two statements for the batch (a row may not be updated and deleted by one statement). The
  // counts are grouped first, so a sha256 listed twice drops two references.
  Rows left = db_.Query(
      "WITH drops(sha, n) AS (SELECT value, COUNT(*) FROM list(?) GROUP BY value) "
      "UPDATE blobs SET refs = refs - drops.n FROM drops WHERE blobs.sha256 = drops.sha RETURNING sha256, refs",
      sha256s);
  std::vector<std::string> gone;
  while (left.Next()) {
    if (left.Int(1) <= 0) gone.push_back(left.Text(0));
  }
  if (!gone.empty()) db_.Exec("DELETE FROM blobs WHERE sha256 IN (SELECT value FROM list(?))", gone);
  return gone;
}

bool Blobs::Referenced(const std::string& sha256) {
  // The queue row's lock orders an upload after a collection of the same blob (see above).
  if (db_.locks_rows()) Exists(db_.Query("SELECT 1 FROM blob_gc WHERE sha256 = ? FOR UPDATE", sha256));
  return Exists(db_.Query("SELECT 1 FROM blobs WHERE sha256 = ? AND refs > 0", sha256));
}

std::optional<domain::BlobQueueEntry> Blobs::QueueEntry(const std::string& sha256) {
  static constexpr const char* kEntry = "SELECT not_before, claim, claimed_at, entry FROM blob_gc WHERE sha256 = ?";
  static constexpr const char* kEntryLocked =
      "SELECT not_before, claim, claimed_at, entry FROM blob_gc WHERE sha256 = ? FOR UPDATE";
  return One<domain::BlobQueueEntry>(db_.Query(db_.locks_rows() ? kEntryLocked : kEntry, sha256), [](const Rows& r) {
    return domain::BlobQueueEntry{r.Int(0), r.OptText(1), r.OptInt(2), r.OptText(3)};
  });
}

void Blobs::Announce(const std::string& sha256, TimeMs not_before, const std::string& entry) {
  db_.Exec(
      "INSERT INTO blob_gc(sha256, not_before, entry) VALUES (?, ?, ?) "
      "ON CONFLICT (sha256) DO UPDATE SET not_before = excluded.not_before, entry = excluded.entry",
      sha256, not_before, entry);
}

void Blobs::Enqueue(const std::string& sha256, TimeMs not_before) {
  db_.Exec(
      "INSERT INTO blob_gc(sha256, not_before) VALUES (?, ?) "
      "ON CONFLICT (sha256) DO UPDATE SET not_before = excluded.not_before",
      sha256, not_before);
}

void Blobs::EnqueueAll(const std::vector<std::string>& sha256s, TimeMs not_before) {
  if (sha256s.empty()) return;
  // DISTINCT: one statement may not update a row twice. `WHERE true` keeps SQLite from reading
  // ON CONFLICT as a join constraint.
  db_.Exec(
      "INSERT INTO blob_gc(sha256, not_before) SELECT DISTINCT value, CAST(? AS BIGINT) FROM list(?) WHERE true "
      "ON CONFLICT (sha256) DO UPDATE SET not_before = excluded.not_before",
      not_before, sha256s);
}

void Blobs::Dequeue(const std::string& sha256) { db_.Exec("DELETE FROM blob_gc WHERE sha256 = ?", sha256); }

std::vector<std::string> Blobs::Due(TimeMs now, TimeMs claimed_before, int limit) {
  // The rows stay locked until the claiming transaction ends (see above).
  static constexpr const char* kDue =
      "SELECT sha256 FROM blob_gc WHERE not_before <= ? AND (claim IS NULL OR claimed_at < ?) "
      "ORDER BY not_before, sha256 LIMIT ?";
  static constexpr const char* kDueLocked =
      "SELECT sha256 FROM blob_gc WHERE not_before <= ? AND (claim IS NULL OR claimed_at < ?) "
      "ORDER BY not_before, sha256 LIMIT ? FOR UPDATE";
  return Texts(db_.Query(db_.locks_rows() ? kDueLocked : kDue, now, claimed_before, limit));
}

std::vector<std::string> Blobs::ReferencedAmong(const std::vector<std::string>& sha256s) {
  if (sha256s.empty()) return {};
  // The collector's queue rows are already locked by Due, so no upload passes in between.
  return Texts(db_.Query("SELECT sha256 FROM blobs WHERE sha256 IN (SELECT value FROM list(?)) AND refs > 0", sha256s));
}

void Blobs::DequeueAll(const std::vector<std::string>& sha256s) {
  if (sha256s.empty()) return;
  db_.Exec("DELETE FROM blob_gc WHERE sha256 IN (SELECT value FROM list(?))", sha256s);
}

void Blobs::Claim(const std::vector<std::string>& sha256s, const std::string& claim, TimeMs now) {
  if (sha256s.empty()) return;
  db_.Exec("UPDATE blob_gc SET claim = ?, claimed_at = ?, entry = NULL WHERE sha256 IN (SELECT value FROM list(?))",
           claim, now, sha256s);
}

int Blobs::DequeueClaimed(const std::vector<std::string>& sha256s, const std::string& claim) {
  if (sha256s.empty()) return 0;
  return static_cast<int>(
      db_.Exec("DELETE FROM blob_gc WHERE claim = ? AND sha256 IN (SELECT value FROM list(?))", claim, sha256s));
}

domain::BlobQueueFigures Blobs::QueueFigures(int cap) {
  domain::BlobQueueFigures f;
  f.queued = Scalar(db_.Query("SELECT COUNT(*) FROM (SELECT 1 FROM blob_gc LIMIT ?) q", cap));
  f.oldest_not_before = One<std::int64_t>(db_.Query("SELECT not_before FROM blob_gc ORDER BY not_before LIMIT 1"),
                                          [](const Rows& r) { return r.Int(0); });
  return f;
}

}  // namespace limbo::storage::sql
