#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "domain/entities.h"

namespace limbo::domain {

// The collection queue as /metrics reports it.
struct BlobQueueFigures {
  std::int64_t queued = 0;                  // entries (uploads still in their grace period too), counted up to the cap
  std::optional<TimeMs> oldest_not_before;  // when the longest-waiting entry became (or becomes) due
};

// A blob's row in the collection queue. `claim` is set while a collection removes the object (the
// object may be gone at any moment, and is not to be relied on until the row is gone); `entry` is
// the token of the upload that announced the object, changed by every claim, so an upload knows
// whether the object it wrote may have been collected since.
struct BlobQueueEntry {
  TimeMs not_before = 0;
  std::optional<std::string> claim;
  std::optional<TimeMs> claimed_at;
  std::optional<std::string> entry;
};

// Reference counts of content-addressed blobs and their collection queue (T13).
class BlobRefs {
 public:
  virtual ~BlobRefs() = default;

  virtual void AddRef(const std::string& sha256, std::int64_t size) = 0;
  // Drops one reference per entry (a sha256 may repeat); returns the sha256s left without any
  // reference, each once (their rows are gone).
  virtual std::vector<std::string> DropRefs(const std::vector<std::string>& sha256s) = 0;
  // Whether the blob is referenced; with PostgreSQL in a write transaction it also locks the blob's
  // queue row, so an upload and the collector decide that blob's fate one after the other.
  virtual bool Referenced(const std::string& sha256) = 0;

  // The blob's queue row; with PostgreSQL in a write transaction it is locked, as by Referenced.
  virtual std::optional<BlobQueueEntry> QueueEntry(const std::string& sha256) = 0;
  // An upload's announcement of an object it is about to write, on a row no collection claims:
  // queued until `not_before`, under the upload's `entry` token.
  virtual void Announce(const std::string& sha256, TimeMs not_before, const std::string& entry) = 0;

  virtual void Enqueue(const std::string& sha256, TimeMs not_before) = 0;
  virtual void EnqueueAll(const std::vector<std::string>& sha256s, TimeMs not_before) = 0;
  virtual void Dequeue(const std::string& sha256) = 0;
  // Up to `limit` queued sha256s due at `now` that no collection claims, or whose claim was made
  // before `claimed_before` (a collector that died), locked for the collector with PostgreSQL.
  virtual std::vector<std::string> Due(TimeMs now, TimeMs claimed_before, int limit) = 0;
  // The collector's batch: which of the due sha256s are referenced again, then their queue rows go.
  virtual std::vector<std::string> ReferencedAmong(const std::vector<std::string>& sha256s) = 0;
  virtual void DequeueAll(const std::vector<std::string>& sha256s) = 0;
  // Marks the rows as being collected under `claim` (their entry tokens cleared).
  virtual void Claim(const std::vector<std::string>& sha256s, const std::string& claim, TimeMs now) = 0;
  // Deletes the rows still claimed under `claim`; returns how many.
  virtual int DequeueClaimed(const std::vector<std::string>& sha256s, const std::string& claim) = 0;
  // The queue's length counted up to `cap`, and its first entry by due time (blob_gc_due).
  virtual BlobQueueFigures QueueFigures(int cap) = 0;
};

}  // namespace limbo::domain
