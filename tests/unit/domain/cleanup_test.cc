// The cleanup pipeline: bounded batches, resumption after an interruption, blob collection (T13).
#include <vector>

#include "core/crypto.h"
#include "domain/fsck.h"
#include "support/fixture.h"

namespace limbo::testing {
namespace {

class Cleanup : public DomainTest {};

TEST_F(Cleanup, LargeProjectIsRemovedInBoundedBatchesAndCanResumeAnywhere) {
  MakeProject("Big", 0);
  // Rows are made directly (no files are needed for this test) to keep it fast.
  constexpr int kImages = 1200;
  auto project = content_->GetProject(owner(), "big");
  ASSERT_TRUE(store_->Write([&](domain::Transaction& tx) -> core::Status {
    for (int i = 0; i < kImages; ++i) {
      domain::Image img;
      img.id = "i_big" + std::to_string(i);
      img.workspace_id = owner().workspace.id;
      img.name = "x.png";
      img.sha256 = std::string(60, '0') + std::to_string(1000 + i);
      img.size_bytes = 10;
      img.width = img.height = 1;
      tx.images().Insert(img);
      tx.blobs().AddRef(img.sha256, 10);
      tx.workspaces().AddStorage(owner().workspace.id, 10, 1);
      tx.images().Link(project->id, domain::ImageRef{img.id, img.sha256, 10});
    }
    return core::Ok();
  }));
  ASSERT_TRUE(content_->GenerateVersion(owner(), "big", std::nullopt));
  ASSERT_TRUE(trash_->TrashProject(owner(), "big", true));
  Advance(30 * core::kDayMs);
  ASSERT_TRUE(trash_->Sweep());

  // Each step touches at most `batch` links: an interruption between steps loses nothing.
  int steps = 0;
  for (;; ++steps) {
    auto before = UsageNow().image_count;
    auto p = trash_->CleanupStep(100);
    ASSERT_TRUE(p);
    if (!p->worked) break;
    EXPECT_LE(before - UsageNow().image_count, 100);
    // A second service on the same database (a restarted server) picks up where this one stopped.
    if (steps == 5) {
      trash_ = std::make_unique<domain::TrashService>(*store_, *blobs_, *models_, clock_);
    }
  }
  EXPECT_GE(steps, kImages / 100);
  EXPECT_EQ(UsageNow().image_count, 0);
  EXPECT_EQ(UsageNow().storage_bytes, 0);
  std::vector<std::string> queued;
  ASSERT_TRUE(store_->Read([&](domain::Transaction& tx) -> core::Status {
    queued = tx.fsck().AllBlobGc();
    return core::Ok();
  }));
  EXPECT_EQ(queued.size(), static_cast<std::size_t>(kImages));  // every blob waits for the collector
  ASSERT_TRUE(trash_->CollectBlobs(5000));
  ASSERT_TRUE(store_->Read([&](domain::Transaction& tx) -> core::Status {
    queued = tx.fsck().AllBlobGc();
    return core::Ok();
  }));
  EXPECT_TRUE(queued.empty());
}

TEST_F(Cleanup, AnInterruptedUploadLeavesItsFileOnTheQueueNotOrphaned) {
  MakeProject("A");
  std::string bytes = Png(42);
  std::string sha = core::Sha256Hex(bytes);
  // What an upload does before its row exists: announce the file, then write it. Then "crash".
  ASSERT_TRUE(store_->Write([&](domain::Transaction& tx) -> core::Status {
    tx.blobs().Enqueue(sha, clock_.Now() + domain::kUploadGraceMs);
    return core::Ok();
  }));
  ASSERT_TRUE(blobs_->Put(sha, bytes));
  auto report = domain::CheckConsistency(*store_, *blobs_, false);
  ASSERT_TRUE(report);
  EXPECT_TRUE(report->clean());
  EXPECT_EQ(report->queued_files, 1);
  // Within the grace period the file stays (an upload may still be running); after it, it goes.
  ASSERT_TRUE(trash_->CollectBlobs());
  EXPECT_TRUE(blobs_->Exists(sha));
  Advance(domain::kUploadGraceMs);
  ASSERT_TRUE(trash_->CollectBlobs());
  EXPECT_FALSE(blobs_->Exists(sha));
}

TEST_F(Cleanup, UploadAfterCollectionQueuedKeepsTheFile) {
  MakeProject("A");
  MakeProject("B");
  auto img = Upload("a", 5);
  ASSERT_TRUE(trash_->TrashProject(owner(), "a", true));
  Advance(30 * core::kDayMs);
  ASSERT_TRUE(trash_->Sweep());
  while (trash_->CleanupStep()->worked) {
  }
  // The blob is queued for collection; the same bytes are uploaded again before the collector runs.
  Upload("b", 5);
  ASSERT_TRUE(trash_->CollectBlobs());
  EXPECT_TRUE(blobs_->Exists(img.sha256));
  auto report = domain::CheckConsistency(*store_, *blobs_, false);
  EXPECT_TRUE(report->clean());
}

TEST_F(Cleanup, OneCollectionBatchKeepsExactlyTheBlobsReferencedAgain) {
  MakeProject("A");
  MakeProject("B");
  std::vector<domain::Image> imgs;
  for (int seed = 10; seed < 15; ++seed) imgs.push_back(Upload("a", seed));
  ASSERT_TRUE(trash_->TrashProject(owner(), "a", true));
  Advance(30 * core::kDayMs);
  ASSERT_TRUE(trash_->Sweep());
  while (trash_->CleanupStep()->worked) {
  }
  // All five files wait in one collection batch; two of them get a reference again first, and their
  // queue rows stay (as a row that outlived its reason would: the upload itself takes its row off).
  for (int i : {1, 3}) {
    Upload("b", 10 + i);
    ASSERT_TRUE(store_->Write([&](domain::Transaction& tx) -> core::Status {
      tx.blobs().Enqueue(imgs[i].sha256, clock_.Now());
      return core::Ok();
    }));
  }
  auto removed = trash_->CollectBlobs(5000);
  ASSERT_TRUE(removed);
  EXPECT_EQ(*removed, 3);
  for (std::size_t i = 0; i < imgs.size(); ++i) {
    bool again = i == 1 || i == 3;
    EXPECT_EQ(blobs_->Exists(imgs[i].sha256), again) << "seed " << 10 + i;
  }
  EXPECT_EQ(*trash_->CollectBlobs(5000), 0);  // the queue is empty
  auto report = domain::CheckConsistency(*store_, *blobs_, false);
  EXPECT_TRUE(report->clean());
}

TEST_F(Cleanup, FsckFindsAndRepairsDrift) {
  MakeProject("A", 2);
  ASSERT_TRUE(blobs_->Put(core::Sha256Hex("orphan"), "orphan"));  // a name an object store takes
  ASSERT_TRUE(store_->Write([&](domain::Transaction& tx) -> core::Status {
    tx.workspaces().AddStorage(owner().workspace.id, 5, 0);  // drift the counter
    return core::Ok();
  }));
  auto r = domain::CheckConsistency(*store_, *blobs_, false);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->orphaned_files.size(), 1u);
  EXPECT_EQ(r->wrong_usage.size(), 1u);
  ASSERT_TRUE(domain::CheckConsistency(*store_, *blobs_, true));
  ASSERT_TRUE(trash_->CollectBlobs());
  auto again = domain::CheckConsistency(*store_, *blobs_, false);
  EXPECT_TRUE(again->clean());
  EXPECT_EQ(BlobFiles(), 2u);
}

}  // namespace
}  // namespace limbo::testing
