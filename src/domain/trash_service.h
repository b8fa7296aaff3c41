#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/result.h"
#include "domain/actor.h"
#include "domain/blob_store.h"
#include "domain/listing_cache.h"
#include "domain/store.h"
#include "domain/training_service.h"

namespace limbo::domain {

// Names a Trash item the way the REST API does: a project's, workflow's or training's id; a
// version's number with its project's id as parentId.
struct ItemRef {
  ItemType type = ItemType::kProject;
  std::string id;
  std::optional<std::string> parent_id;
  std::optional<std::string> new_url;  // restore under another url (T10)
};

struct TrashedResult {
  TrashItem item;
  Project project;    // projects and versions
  Workflow workflow;  // workflows
};

// The answer to moving a training to the Trash (T16).
struct TrainingTrashed {
  std::string training_id;
  bool already_in_trash = false;
  TrashItem item;  // when it was moved now
};

struct ItemOutcome {
  ItemRef ref;
  std::optional<core::Error> error;  // none: succeeded
};

struct BatchResult {
  std::vector<ItemOutcome> done;
  std::vector<ItemOutcome> failed;
};

// The largest Trash listing page; also the page of `GET /:ws/trash` without `limit`.
inline constexpr int kTrashPageMax = 1000;

struct TrashListing {
  TrashPage page;
  Usage counts;
  TimeMs now = 0;
};

// What the Trash removes for good over the next 30 days: today (UTC) and the 30 dates after it, so
// an item deleted now with the default 30-day retention is on the last one. Items past their date
// that cleanup has not reached yet count on today.
inline constexpr int kTimelineDays = 31;
struct TrashTimeline {
  TimeMs now = 0;
  std::int64_t first_day = 0;  // today, in days since 1970-01-01 UTC
  std::vector<TrashDay> days;  // one per day, days without items too
};

// What one call of the cleanup worker did.
struct CleanupProgress {
  bool worked = false;     // something was deleted or finished
  bool item_done = false;  // an item was removed for good
};

inline constexpr int kCleanupBatch = 5000;

// Counter changes of a batch, applied once per transaction instead of once per item.
struct TrashDeltas {
  int count[kItemTypeCount] = {0, 0, 0, 0};  // by ItemType
  std::int64_t bytes[kItemTypeCount] = {0, 0, 0, 0};
  bool reclaimable_changed = false;  // the storage figures need a recount
  TrashHeld held;                    // exact changes of the storage figures
  void Add(ItemType t, int n, std::int64_t b) {
    count[static_cast<int>(t)] += n;
    bytes[static_cast<int>(t)] += b;
  }
  void ApplyTo(Transaction& tx, std::int64_t ws) const;
};

// The Trash: moving items in (T1-T5, T9, T16), listing, restoring (T8, T10), permanent deletion (T11, T12),
// retention (T6, T7), crash-safe cleanup and blob collection (T13), races (T14) and the audit log (T15).
// Thread-safe.
class TrashService {
 public:
  TrashService(Store& store, BlobStore& blobs, ModelArtifacts& artifacts, const core::Clock& clock)
      : store_(store), blobs_(blobs), artifacts_(artifacts), clock_(clock) {}

  core::Result<TrashedResult> TrashProject(const Actor& a, const std::string& url, bool delete_images);
  core::Result<TrashedResult> TrashVersion(const Actor& a, const std::string& project_url, int number);
  core::Result<TrashedResult> TrashWorkflow(const Actor& a, const std::string& url);
  // T16: one finished, failed or cancelled run of the version; without `training_id`, the
  // version's only run (409 `multiple_trainings` when it has several).
  core::Result<TrainingTrashed> TrashTraining(const Actor& a, const std::string& project_url, int number,
                                              const std::optional<std::string>& training_id);
  // Restores a run named by its version's route (404 when the run is not of that version).
  core::Status RestoreTraining(const Actor& a, const std::string& project_url, int number,
                               const std::string& training_id);

  core::Result<TrashListing> List(const Actor& a, TrashQuery q);
  // Needs `view_trash`, like the listing.
  core::Result<TrashTimeline> Timeline(const Actor& a);
  // The workspace's Trash generation (WorkspaceRows::TrashGeneration), for caching listings: read
  // it before the page, in the same read transaction (a ReadScope) or before it.
  core::Result<std::int64_t> ListingGeneration(const Actor& a);
  // Rendered listing pages of this server (the HTTP layer renders them), and the clock they
  // are timed by (the listing's `now`).
  ListingCache& listing_cache() { return listing_cache_; }
  TimeMs Now() const { return clock_.Now(); }

  core::Status Restore(const Actor& a, const ItemRef& ref);
  BatchResult RestoreMany(const Actor& a, std::vector<ItemRef> refs);
  core::Result<BatchResult> RestoreAll(const Actor& a);

  // Web-only (the HTTP layer refuses API keys before calling these).
  BatchResult DeletePermanently(const Actor& a, std::vector<ItemRef> refs);
  core::Result<BatchResult> EmptyTrash(const Actor& a, const std::string& confirm);

  core::Result<Page<AuditEvent>> Audit(const Actor& a, int limit, std::optional<std::int64_t> before);

  // Background work. Each is safe to run in several threads or processes at once.
  core::Result<int> Sweep(int limit = 1000);                             // T6/T7: expired items to `purging`
  core::Result<CleanupProgress> CleanupStep(int batch = kCleanupBatch);  // one bounded transaction
  core::Result<int> CollectBlobs(int limit = 1000);                      // T13: unlink unreferenced files

 private:
  // Restores inside an open transaction; changes nothing when it fails.
  core::Status RestoreIn(Transaction& tx, const Actor& a, const ItemRef& ref, TrashDeltas& deltas);
  core::Status RestoreItemIn(Transaction& tx, const Actor& a, const TrashItem& t,
                             const std::optional<std::string>& new_url, TrashDeltas& deltas);
  core::Status StartPurgeIn(Transaction& tx, const Actor& a, const ItemRef& ref, const char* action);
  core::Result<TrashItem> FindItem(Transaction& tx, const Actor& a, const ItemRef& ref);
  // Runs fn over the refs in transactions of up to 500 items, [start, end) each: fn sets the status
  // of each item (outcomes[i - start]); an error from fn fails the whole transaction's items.
  BatchResult RunChunks(std::int64_t ws, const std::vector<ItemRef>& refs,
                        const std::function<core::Status(Transaction&, std::size_t, std::size_t,
                                                         std::vector<core::Status>&, TrashDeltas&)>& fn);
  // Restore All's items [begin, end), all of one type, set-based; their outcomes are at i - first.
  core::Status RestoreRunIn(Transaction& tx, const Actor& a, const std::vector<TrashItem>& items, std::size_t begin,
                            std::size_t end, std::size_t first, std::vector<core::Status>& outcomes,
                            TrashDeltas& deltas);
  // Runs fn for each ref in transactions of up to 500 items; each item succeeds or fails alone.
  BatchResult RunBatch(std::int64_t ws, std::vector<ItemRef> refs,
                       const std::function<core::Status(Transaction&, std::size_t, TrashDeltas&)>& fn);
  // With `cleanupDeleteImages`, removes each image no other project or version links any more.
  // Removes the images among `imgs` no other project or its versions links (T12) when `project` was
  // trashed with cleanupDeleteImages; returns their bytes.
  std::int64_t DropUnsharedImages(Transaction& tx, const TrashItem& project, const std::vector<ImageRef>& imgs);
  // One batch of a project's (or its versions') image links: unlinks them, drops the unshared
  // images, and moves the storage figures exactly.
  void PurgeLinks(Transaction& tx, const TrashItem& project, const std::vector<ImageRef>& links, bool version_links);
  core::Result<CleanupProgress> NextCleanupStep(int batch);  // CleanupStep before it is counted
  core::Result<CleanupProgress> PurgeProjectStep(const TrashItem& t, int batch);
  core::Result<CleanupProgress> PurgeVersionStep(const TrashItem& t, int batch);
  core::Result<CleanupProgress> PurgeWorkflow(const TrashItem& t);
  core::Result<CleanupProgress> PurgeTraining(const TrashItem& t);
  // Removes the Trash rows of a project's (one version's) trainings before their jobs go.
  void DropTrainingItems(Transaction& tx, const TrashItem& parent, std::optional<int> version_number);

  Store& store_;
  BlobStore& blobs_;
  ModelArtifacts& artifacts_;
  const core::Clock& clock_;
  ListingCache listing_cache_;
};

core::Status RequireRestore(const Actor& a, ItemType t);
core::Status RequireTrash(const Actor& a, ItemType t);

}  // namespace limbo::domain
