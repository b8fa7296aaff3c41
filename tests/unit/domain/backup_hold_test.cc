// The backup hold (domain/backup_hold.h): while `limbod backup` holds, blob collection and the removal
// of purged model files wait, and an expired hold stops nothing. SQLite, or PostgreSQL under the
// `postgres.` prefix.
#include "domain/backup_hold.h"

#include <filesystem>

#include "domain/fsck.h"
#include "support/fixture.h"

namespace limbo::testing {
namespace {

namespace fs = std::filesystem;
using domain::ItemRef;
using domain::ItemType;

class BackupHold : public DomainTest {
 protected:
  const std::string kHold = std::string(domain::kBackupLeasePrefix) + "test";

  void Take() {
    ASSERT_TRUE(store_->Write([&](domain::Transaction& tx) -> core::Status {
      EXPECT_TRUE(tx.server().TryTakeLease(kHold, kHold, clock_.SystemNow(), domain::kBackupHoldTtlMs));
      return core::Ok();
    }));
  }
  void Drop() {
    ASSERT_TRUE(store_->Write([&](domain::Transaction& tx) -> core::Status {
      tx.server().DropLease(kHold, kHold, domain::kBackupLeasePrefix, clock_.SystemNow());
      return core::Ok();
    }));
  }
  bool ModelFile(const std::string& job_id) const { return fs::exists(dir_ / "models" / (job_id + ".json")); }
  // Trashes the project with its images, deletes it for good and runs the cleanup and collection.
  void PurgeWithImages(const domain::Project& p) {
    ASSERT_TRUE(trash_->TrashProject(owner(), p.url, true));
    ItemRef ref{ItemType::kProject, p.id, std::nullopt, std::nullopt};
    ASSERT_EQ(trash_->DeletePermanently(owner(), {ref}).done.size(), 1u);
    RunCleanup();
    ASSERT_FALSE(content_->GetProject(owner(), p.url));
  }
  domain::FsckReport Fsck() {
    auto r = domain::CheckConsistency(*store_, *blobs_, false, models_.get(), clock_.SystemNow());
    EXPECT_TRUE(r) << r.error().message;
    return *r;
  }
};

TEST_F(BackupHold, WhileHeldNoBlobIsCollectedAndPurgedModelFilesStayThenTheyGo) {
  auto cats = MakeProject("Cats", 3);
  ASSERT_TRUE(content_->GenerateVersion(owner(), "cats", std::nullopt));
  auto run = FinishedRun("cats", 1);
  ASSERT_TRUE(ModelFile(run));
  Take();
  PurgeWithImages(cats);
  // The rows are gone, the files a backup's snapshot may still list are not.
  EXPECT_EQ(BlobFiles(), 3u);
  EXPECT_TRUE(ModelFile(run));
  auto removed = domain::RemoveOrphanedModels(*store_, *models_, clock_.SystemNow());
  ASSERT_TRUE(removed);
  EXPECT_EQ(*removed, 0);
  EXPECT_TRUE(ModelFile(run));
  auto report = Fsck();
  EXPECT_TRUE(report.missing_files.empty());
  EXPECT_EQ(report.queued_files, 3);

  Drop();
  RunCleanup();
  EXPECT_EQ(BlobFiles(), 0u);
  removed = domain::RemoveOrphanedModels(*store_, *models_, clock_.SystemNow());
  ASSERT_TRUE(removed);
  EXPECT_EQ(*removed, 1);
  EXPECT_FALSE(ModelFile(run));
  EXPECT_TRUE(Fsck().clean());
}

TEST_F(BackupHold, AnExpiredHoldStopsNothing) {
  auto cats = MakeProject("Cats", 2);
  Take();
  Advance(domain::kBackupHoldTtlMs + 1);  // a killed backup stops renewing
  PurgeWithImages(cats);
  EXPECT_EQ(BlobFiles(), 0u);
  EXPECT_TRUE(Fsck().clean());
}

TEST_F(BackupHold, FsckRepairLeavesOrphanedModelsWhileABackupHolds) {
  auto cats = MakeProject("Cats", 1);
  ASSERT_TRUE(content_->GenerateVersion(owner(), "cats", std::nullopt));
  auto run = FinishedRun("cats", 1);
  Take();
  PurgeWithImages(cats);
  auto r = domain::CheckConsistency(*store_, *blobs_, true, models_.get(), clock_.SystemNow());
  ASSERT_TRUE(r);
  EXPECT_EQ(r->orphaned_models, std::vector<std::string>{run});
  EXPECT_TRUE(ModelFile(run));
  Drop();
  r = domain::CheckConsistency(*store_, *blobs_, true, models_.get(), clock_.SystemNow());
  ASSERT_TRUE(r);
  EXPECT_FALSE(ModelFile(run));
}

}  // namespace
}  // namespace limbo::testing
