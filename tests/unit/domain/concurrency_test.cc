// Races between writers, and keys the databases treat differently, on a real database (run on
// SQLite and on PostgreSQL; see the fixture).
#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "core/crypto.h"
#include "domain/fsck.h"
#include "support/fixture.h"

namespace limbo::testing {
namespace {

class Concurrency : public DomainTest {};

// T13: the blob collector removes a queued file while an upload of the same bytes re-references
// it. Whatever the interleaving, the upload's image ends up with its file on disk.
TEST_F(Concurrency, UploadRacingTheCollectorNeverLosesTheFile) {
  constexpr int kRounds = 12;
  for (int round = 0; round < kRounds; ++round) {
    int seed = 9000 + round;
    auto gone = MakeProject("Gone " + std::to_string(round), 0);
    auto keep = MakeProject("Keep " + std::to_string(round), 0);
    Upload(gone.url, seed);
    ASSERT_TRUE(trash_->TrashProject(owner(), gone.url, true));
    auto purge = trash_->DeletePermanently(owner(), {domain::ItemRef{domain::ItemType::kProject, gone.id, {}, {}}});
    ASSERT_TRUE(purge.failed.empty());
    for (;;) {
      auto p = trash_->CleanupStep();
      ASSERT_TRUE(p);
      if (!p->worked) break;
    }
    // The image row is gone and its blob waits on the queue; now collect and upload at once.
    std::thread collector([&] {
      for (int i = 0; i < 3; ++i) EXPECT_TRUE(trash_->CollectBlobs());
    });
    auto again = content_->Upload(owner(), keep.url, "again.png", Png(seed));
    collector.join();
    ASSERT_TRUE(again) << again.error().message;
    ASSERT_TRUE(trash_->CollectBlobs());
    EXPECT_TRUE(blobs_->Exists(again->image.sha256)) << "round " << round;
    auto bytes = content_->ImageContent(owner(), again->image.id);
    ASSERT_TRUE(bytes) << "round " << round;
    EXPECT_EQ(*bytes, Png(seed));
  }
  auto report = domain::CheckConsistency(*store_, *blobs_, false);
  ASSERT_TRUE(report);
  EXPECT_TRUE(report->clean()) << report->missing_files.size() << " missing, " << report->orphaned_files.size()
                               << " orphaned";
}

// A one-shot signal between two threads.
class Signal {
 public:
  void Raise() {
    {
      std::lock_guard lock(mu_);
      raised_ = true;
    }
    cv_.notify_all();
  }
  // True when raised within the timeout.
  bool Wait(std::chrono::milliseconds timeout) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, timeout, [&] { return raised_; });
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool raised_ = false;
};

// T13 at the storage contract, with the blob store's requests outside every transaction: a
// collection has claimed the queue row of a blob and is removing its file (slowly, as an object
// store does) when an upload of the same bytes comes. The upload must neither reference the file
// nor rely on it while the claim stands: it waits for the collection to delete the row, then writes
// the file again and references it.
TEST_F(Concurrency, AnUploadWaitsForTheCollectionThatClaimedItsBytesAndWritesThemAgain) {
  MakeProject("A");
  const std::string bytes = Png(4242);
  const std::string sha = core::Sha256Hex(bytes);
  ASSERT_TRUE(blobs_->Put(sha, bytes));
  ASSERT_TRUE(store_->Write([&](domain::Transaction& tx) -> core::Status {
    tx.blobs().Enqueue(sha, clock_.Now());
    return core::Ok();
  }));
  // The collection's first transaction: the row is claimed.
  std::vector<std::string> claimed;
  ASSERT_TRUE(store_->Write([&](domain::Transaction& tx) -> core::Status {
    claimed = tx.blobs().Due(clock_.Now(), clock_.Now() - domain::kBlobClaimMs, 10);
    tx.blobs().Claim(claimed, "c_test", clock_.Now());
    return core::Ok();
  }));
  ASSERT_EQ(claimed, std::vector<std::string>{sha});
  std::atomic<bool> uploaded{false};
  core::Result<domain::UploadResult> up = core::Error::Internal("not run");
  std::thread uploader([&] {
    up = content_->Upload(owner(), "a", "race.png", bytes);
    uploaded = true;
  });
  // No transaction is open while the file goes, so the upload's transactions run meanwhile; it
  // must not finish before the collection has deleted its row.
  std::this_thread::sleep_for(std::chrono::milliseconds(400));
  EXPECT_FALSE(uploaded) << "the upload relied on a file a collection was removing";
  ASSERT_TRUE(blobs_->Remove(sha));
  ASSERT_TRUE(store_->Write([&](domain::Transaction& tx) -> core::Status {
    EXPECT_EQ(tx.blobs().DequeueClaimed(claimed, "c_test"), 1);
    return core::Ok();
  }));
  uploader.join();
  ASSERT_TRUE(up) << up.error().message;
  EXPECT_TRUE(blobs_->Exists(sha)) << "the database references a file that is gone (T13)";
  EXPECT_EQ(*content_->ImageContent(owner(), up->image.id), bytes);
  auto report = domain::CheckConsistency(*store_, *blobs_, false);
  ASSERT_TRUE(report);
  EXPECT_TRUE(report->clean());
}

// A collection whose collector died after claiming leaves its rows claimed; once the claim has
// lapsed the next collection takes them and finishes the work.
TEST_F(Concurrency, ALapsedClaimIsCollectedAgain) {
  const std::string bytes = Png(4343);
  const std::string sha = core::Sha256Hex(bytes);
  ASSERT_TRUE(blobs_->Put(sha, bytes));
  ASSERT_TRUE(store_->Write([&](domain::Transaction& tx) -> core::Status {
    tx.blobs().Enqueue(sha, clock_.Now());
    tx.blobs().Claim({sha}, "c_dead", clock_.Now());
    return core::Ok();
  }));
  auto n = trash_->CollectBlobs();
  ASSERT_TRUE(n);
  EXPECT_EQ(*n, 0) << "a live claim was taken";
  EXPECT_TRUE(blobs_->Exists(sha));
  Advance(domain::kBlobClaimMs + 1);
  n = trash_->CollectBlobs();
  ASSERT_TRUE(n);
  EXPECT_EQ(*n, 1);
  EXPECT_FALSE(blobs_->Exists(sha));
  auto report = domain::CheckConsistency(*store_, *blobs_, false);
  ASSERT_TRUE(report);
  EXPECT_TRUE(report->clean());
  EXPECT_EQ(report->queued_files, 0);
}

// T14 under contention: many restores and permanent deletions of the same items at once; each
// item has exactly one winner and the counters match a recount.
TEST_F(Concurrency, RestoreAndPurgeStormsLeaveOneWinnerPerItem) {
  constexpr int kItems = 8;
  std::vector<domain::Project> projects;
  for (int i = 0; i < kItems; ++i) {
    projects.push_back(MakeProject("Storm " + std::to_string(i), 1, 7000 + i));
    ASSERT_TRUE(trash_->TrashProject(owner(), projects.back().url, false));
  }
  std::array<std::atomic<int>, kItems> restored{}, purged{};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kItems; ++i) {
        domain::ItemRef ref{domain::ItemType::kProject, projects[static_cast<std::size_t>(i)].id, {}, {}};
        if (t % 2 == 0) {
          if (trash_->Restore(owner(), ref)) ++restored[static_cast<std::size_t>(i)];
        } else {
          if (trash_->DeletePermanently(owner(), {ref}).failed.empty()) ++purged[static_cast<std::size_t>(i)];
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  for (int i = 0; i < kItems; ++i) {
    auto n = static_cast<std::size_t>(i);
    EXPECT_EQ(restored[n] + purged[n], 1) << "item " << i << ": " << restored[n] << " restores, " << purged[n]
                                          << " purges";  // one winner; the losers got not_in_trash
  }
  RunCleanup();
  auto report = domain::CheckConsistency(*store_, *blobs_, false);
  ASSERT_TRUE(report);
  EXPECT_TRUE(report->clean());
  EXPECT_EQ(UsageNow().trash_items, 0);
}

class StorageText : public DomainTest {};

// Keys arrive from URLs: a NUL byte or invalid UTF-8 must find nothing (not a prefix, not a 500).
TEST_F(StorageText, KeysWithNulOrInvalidUtf8FindNothing) {
  MakeProject("Big", 0);
  auto nul = content_->GetProject(owner(), std::string("big\0x", 5));
  ASSERT_FALSE(nul);
  EXPECT_EQ(nul.error().code, "not_found");
  auto bad = content_->GetProject(owner(), "big\xff\xfe");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, "not_found");
  EXPECT_TRUE(content_->GetProject(owner(), "big"));
}

}  // namespace
}  // namespace limbo::testing
