// The storage figures of docs/TRASH.md ("Storage figures"): storageBytes, activeBytes,
// trashOnlyBytes and reclaimableBytes, through every path that changes them, on a real database
// (SQLite, or PostgreSQL under the `postgres.` prefix). After every step each answer must hold the
// invariants, and stored figures that claim to be exact must equal a recount from the rows.
#include <ostream>

#include "domain/fsck.h"
#include "support/fixture.h"

namespace limbo::domain {
void PrintTo(const TrashHeld& h, std::ostream* os) {
  *os << "{trash_only " << h.trash_only << ", reclaimable " << h.reclaimable << "}";
}
}  // namespace limbo::domain

namespace limbo::testing {
namespace {

using domain::ItemRef;
using domain::ItemType;
using domain::TrashHeld;
using domain::UsageReport;

class StorageFigures : public DomainTest {
 protected:
  void SetUp() override {
    DomainTest::SetUp();
    // The same service reading as a workspace above kExactReclaimableImages does: the stored row.
    row_read_ = std::make_unique<domain::ContentService>(*store_, *blobs_, clock_);
    row_read_->set_exact_figures_images(-1);
  }
  std::int64_t ws() const { return owner().workspace.id; }

  domain::ReclaimableState Stored() {
    domain::ReclaimableState s;
    EXPECT_TRUE(store_->Read([&](domain::Transaction& tx) -> core::Status {
      s = tx.workspaces().GetReclaimable(ws());
      return core::Ok();
    }));
    return s;
  }
  TrashHeld Recount() {
    TrashHeld h;
    EXPECT_TRUE(store_->Read([&](domain::Transaction& tx) -> core::Status {
      h = tx.workspaces().RecountTrashHeld(ws());
      return core::Ok();
    }));
    return h;
  }
  UsageReport Report() {
    auto r = content_->GetUsage(owner());
    EXPECT_TRUE(r) << r.error().message;
    return *r;
  }
  UsageReport RowRead() {
    auto r = row_read_->GetUsage(owner());
    EXPECT_TRUE(r) << r.error().message;
    return *r;
  }
  void Refresh() {
    ASSERT_TRUE(content_->RefreshReclaimable());
    ASSERT_TRUE(Stored().fresh());
  }
  static void ExpectInvariants(const UsageReport& r) {
    EXPECT_EQ(r.active_bytes + r.trash_only_bytes, r.usage.storage_bytes);
    EXPECT_LE(r.reclaimable_bytes, r.trash_only_bytes);
    for (auto v : {r.active_bytes, r.trash_only_bytes, r.reclaimable_bytes, r.usage.storage_bytes}) {
      EXPECT_GE(v, 0);
      EXPECT_LE(v, r.usage.storage_bytes);
    }
  }
  // Every answer holds the invariants; the exact answer is the recount; stored figures that claim
  // to be exact are; fsck finds nothing wrong.
  void Check(const std::string& step) {
    SCOPED_TRACE(step);
    TrashHeld counted = Recount();
    UsageReport exact = Report();
    ExpectInvariants(exact);
    EXPECT_FALSE(exact.figures_stale);
    EXPECT_EQ(exact.trash_only_bytes, counted.trash_only);
    EXPECT_EQ(exact.reclaimable_bytes, counted.reclaimable);
    UsageReport row = RowRead();
    ExpectInvariants(row);
    EXPECT_EQ(row.usage.storage_bytes, exact.usage.storage_bytes);
    auto stored = Stored();
    EXPECT_EQ(row.figures_stale, !stored.fresh());
    if (stored.fresh()) {
      EXPECT_EQ(stored.held, counted);
      EXPECT_EQ(row.trash_only_bytes, counted.trash_only);
      EXPECT_EQ(row.reclaimable_bytes, counted.reclaimable);
    }
    auto fsck = domain::CheckConsistency(*store_, *blobs_, false, models_.get());
    ASSERT_TRUE(fsck);
    EXPECT_TRUE(fsck->clean());
    EXPECT_TRUE(fsck->wrong_figures.empty());
  }
  // The figures as {storage, active, trash-only, reclaimable}, from the exact answer.
  std::vector<std::int64_t> Figures() {
    auto r = Report();
    return {r.usage.storage_bytes, r.active_bytes, r.trash_only_bytes, r.reclaimable_bytes};
  }
  // Sweep, then cleanup steps of `batch` links, checking after each; then blob collection.
  void CleanupInSteps(int batch, bool expect_exact = true) {
    ASSERT_TRUE(trash_->Sweep());
    for (int i = 0; i < 1000; ++i) {
      auto p = trash_->CleanupStep(batch);
      ASSERT_TRUE(p) << p.error().message;
      if (!p->worked) break;
      Check("cleanup step " + std::to_string(i));
      // Cleanup moves the figures exactly: what was exact stays exact.
      if (expect_exact) {
        EXPECT_TRUE(Stored().fresh()) << "step " << i;
      }
    }
    RunCleanup();
  }
  domain::Image Link(const std::string& project_url, const domain::Image& img) {
    auto n = content_->LinkImages(owner(), project_url, {img.id});
    EXPECT_TRUE(n) << n.error().message;
    return img;
  }
  std::int64_t ModelBytes(const std::string& job_id) {
    std::int64_t b = 0;
    EXPECT_TRUE(store_->Read([&](domain::Transaction& tx) -> core::Status {
      auto job = tx.jobs().ById(ws(), job_id);
      EXPECT_TRUE(job) << job_id;
      b = job ? job->model_bytes : -1;
      return core::Ok();
    }));
    return b;
  }
  static ItemRef ProjectRef(const domain::Project& p) {
    return ItemRef{ItemType::kProject, p.id, std::nullopt, std::nullopt};
  }
  static ItemRef VersionRef(const domain::Project& p, int n) {
    return ItemRef{ItemType::kVersion, std::to_string(n), p.id, std::nullopt};
  }
  static ItemRef TrainingRef(const std::string& id) {
    return ItemRef{ItemType::kTraining, id, std::nullopt, std::nullopt};
  }

  std::unique_ptr<domain::ContentService> row_read_;
};

using V = std::vector<std::int64_t>;

TEST_F(StorageFigures, ReportClampsAStaleSplitToTheTotal) {
  domain::Usage u;
  u.storage_bytes = 100;
  auto r = domain::MakeUsageReport(u, 1000, TrashHeld{-30, 5}, true);
  EXPECT_EQ(r.trash_only_bytes, 0);
  EXPECT_EQ(r.reclaimable_bytes, 0);
  EXPECT_EQ(r.active_bytes, 100);
  EXPECT_TRUE(r.figures_stale);
  r = domain::MakeUsageReport(u, 1000, TrashHeld{130, 120}, true);
  EXPECT_EQ(r.trash_only_bytes, 100);
  EXPECT_EQ(r.reclaimable_bytes, 100);
  EXPECT_EQ(r.active_bytes, 0);
  r = domain::MakeUsageReport(u, 1000, TrashHeld{40, 70}, false);
  EXPECT_EQ(r.trash_only_bytes, 40);
  EXPECT_EQ(r.reclaimable_bytes, 40);
  EXPECT_EQ(r.active_bytes, 60);
  ExpectInvariants(r);
}

// The reported example: one image linked by a trashed project and two trashed versions gave
// trashBytes three times storageBytes.
TEST_F(StorageFigures, OneImageOfATrashedProjectAndTwoTrashedVersionsCountsOnce) {
  auto p = MakeProject("Drones", 1);
  std::int64_t s = UsageNow().storage_bytes;
  ASSERT_GT(s, 0);
  ASSERT_TRUE(content_->GenerateVersion(owner(), "drones", std::nullopt));
  ASSERT_TRUE(content_->GenerateVersion(owner(), "drones", std::nullopt));
  Check("created");
  EXPECT_EQ(Figures(), (V{s, s, 0, 0}));
  ASSERT_TRUE(trash_->TrashVersion(owner(), "drones", 1));
  ASSERT_TRUE(trash_->TrashVersion(owner(), "drones", 2));
  Check("versions trashed");
  EXPECT_EQ(Figures(), (V{s, s, 0, 0}));  // the project still holds the image
  ASSERT_TRUE(trash_->TrashProject(owner(), "drones", false));
  Check("project trashed");
  EXPECT_EQ(Figures(), (V{s, 0, s, 0}));  // without "also delete images" Empty Trash frees nothing
  // Each item's sizeBytes still says what it references, overlapping the others.
  std::int64_t sum = 0;
  auto listing = trash_->List(owner(), {});
  ASSERT_TRUE(listing);
  for (const auto& item : listing->page.items) sum += item.size_bytes;
  EXPECT_EQ(sum, 3 * s);

  ASSERT_TRUE(trash_->Restore(owner(), ProjectRef(p)));
  Check("project restored");
  EXPECT_EQ(Figures(), (V{s, s, 0, 0}));
  ASSERT_TRUE(trash_->TrashProject(owner(), "drones", true));
  Check("trashed with its images");
  EXPECT_EQ(Figures(), (V{s, 0, s, s}));
  Refresh();
  Check("recounted");
  EXPECT_EQ(RowRead().trash_only_bytes, s);

  ASSERT_TRUE(trash_->DeletePermanently(owner(), {ProjectRef(p)}).failed.empty());
  CleanupInSteps(1);
  Check("purged");
  EXPECT_EQ(Figures(), (V{0, 0, 0, 0}));
  EXPECT_EQ(BlobFiles(), 0u);
}

TEST_F(StorageFigures, ASharedImageStaysActiveAndIsNeverReclaimable) {
  auto a = MakeProject("A", 0);
  auto shared = Upload("a", 1);
  auto own = Upload("a", 2);
  MakeProject("B", 0);
  Link("b", shared);
  Check("linked");
  std::int64_t total = shared.size_bytes + own.size_bytes;
  ASSERT_TRUE(trash_->TrashProject(owner(), "a", true));
  Check("a trashed");
  EXPECT_EQ(Figures(), (V{total, shared.size_bytes, own.size_bytes, own.size_bytes}));
  Refresh();
  // B goes to the Trash without its images: the shared image is now held only by the Trash, and
  // not reclaimable (B, in the Trash, still links it).
  ASSERT_TRUE(trash_->TrashProject(owner(), "b", false));
  Check("b trashed");
  EXPECT_EQ(Figures(), (V{total, 0, total, own.size_bytes}));
  Refresh();
  auto empty = trash_->EmptyTrash(owner(), "acme");
  ASSERT_TRUE(empty);
  EXPECT_TRUE(empty->failed.empty());
  CleanupInSteps(1);
  // A went with its own image; the shared one stays in the Asset Library, unlinked: active.
  EXPECT_EQ(Figures(), (V{shared.size_bytes, shared.size_bytes, 0, 0}));
  EXPECT_EQ(BlobFiles(), 1u);
  (void)a;
}

TEST_F(StorageFigures, ImagesOfAProjectTrashedWithoutThemAreHeldByTheTrashThenActive) {
  auto p = MakeProject("Cats", 3);
  std::int64_t s = UsageNow().storage_bytes;
  ASSERT_TRUE(trash_->TrashProject(owner(), "cats", false));
  Check("trashed");
  EXPECT_EQ(Figures(), (V{s, 0, s, 0}));
  Refresh();
  ASSERT_TRUE(trash_->DeletePermanently(owner(), {ProjectRef(p)}).failed.empty());
  CleanupInSteps(2);
  EXPECT_EQ(Figures(), (V{s, s, 0, 0}));
  EXPECT_EQ(UsageNow().image_count, 3);
}

TEST_F(StorageFigures, UploadsAndLinksMoveTheStoredFiguresExactly) {
  MakeProject("Old", 0);
  auto x = Upload("old", 1);
  auto y = Upload("old", 2);
  ASSERT_TRUE(trash_->TrashProject(owner(), "old", true));
  Refresh();
  Check("old trashed");
  EXPECT_EQ(Figures(), (V{x.size_bytes + y.size_bytes, 0, x.size_bytes + y.size_bytes, x.size_bytes + y.size_bytes}));

  MakeProject("New", 0);
  Upload("new", 3);  // a new image: active, and the split is still exact without a recount
  EXPECT_TRUE(Stored().fresh());
  Check("new upload");
  Upload("new", 1);  // the same bytes as x: x is linked again, active
  EXPECT_TRUE(Stored().fresh());
  Check("duplicate upload");
  EXPECT_EQ(Report().trash_only_bytes, y.size_bytes);
  Link("new", y);
  EXPECT_TRUE(Stored().fresh());
  Check("linked");
  EXPECT_EQ(Report().trash_only_bytes, 0);
  EXPECT_EQ(RowRead().trash_only_bytes, 0);
  EXPECT_FALSE(RowRead().figures_stale);
}

TEST_F(StorageFigures, ModelFilesOfRunsFollowTrashRestoreAndPurgeExactly) {
  MakeProject("Cats", 2);
  std::int64_t images = UsageNow().storage_bytes;
  ASSERT_TRUE(content_->GenerateVersion(owner(), "cats", std::nullopt));
  auto run = FinishedRun("cats", 1);
  auto other = FinishedRun("cats", 1);
  std::int64_t m = ModelBytes(run);
  std::int64_t m2 = ModelBytes(other);
  ASSERT_GT(m, 0);
  Refresh();
  Check("trained");
  EXPECT_EQ(Figures(), (V{images + m + m2, images + m + m2, 0, 0}));

  ASSERT_TRUE(trash_->TrashTraining(owner(), "cats", 1, run));
  EXPECT_TRUE(Stored().fresh());
  Check("run trashed");
  EXPECT_EQ(Figures(), (V{images + m + m2, images + m2, m, m}));
  ASSERT_TRUE(trash_->RestoreTraining(owner(), "cats", 1, run));
  EXPECT_TRUE(Stored().fresh());
  Check("run restored");
  EXPECT_EQ(Figures(), (V{images + m + m2, images + m + m2, 0, 0}));

  ASSERT_TRUE(trash_->TrashTraining(owner(), "cats", 1, run));
  // The version's snapshot holds images the active project holds too: only its runs' model files
  // (the one already trashed and the other) are held by the Trash.
  ASSERT_TRUE(trash_->TrashVersion(owner(), "cats", 1));
  Check("version trashed");
  EXPECT_EQ(Figures(), (V{images + m + m2, images, m + m2, m + m2}));
  Refresh();
  ASSERT_TRUE(trash_->DeletePermanently(owner(), {TrainingRef(run)}).failed.empty());
  CleanupInSteps(1);
  EXPECT_EQ(Figures(), (V{images + m2, images, m2, m2}));
  auto p = content_->GetProject(owner(), "cats");
  ASSERT_TRUE(trash_->DeletePermanently(owner(), {VersionRef(*p, 1)}).failed.empty());
  CleanupInSteps(1);
  EXPECT_EQ(Figures(), (V{images, images, 0, 0}));
}

TEST_F(StorageFigures, ATrashedProjectHoldsItsRunsAndRestoreBringsEverythingBack) {
  auto p = MakeProject("Cats", 2);
  ASSERT_TRUE(content_->GenerateVersion(owner(), "cats", std::nullopt));
  auto run = FinishedRun("cats", 1);
  std::int64_t total = UsageNow().storage_bytes;
  ASSERT_TRUE(trash_->TrashProject(owner(), "cats", false));
  Check("trashed");
  // Images without the flag stay; the model files go with the project.
  EXPECT_EQ(Figures(), (V{total, 0, total, ModelBytes(run)}));
  EXPECT_TRUE(RowRead().figures_stale);  // trashing a project needs a recount
  Refresh();
  EXPECT_FALSE(RowRead().figures_stale);
  EXPECT_EQ(RowRead().trash_only_bytes, total);
  ASSERT_TRUE(trash_->Restore(owner(), ProjectRef(p)));
  Check("restored");
  EXPECT_EQ(Figures(), (V{total, total, 0, 0}));
}

// Cleanup in batches of two links with images shared in every way, the stored figures exact after
// every transaction, with no recount.
TEST_F(StorageFigures, EveryCleanupBatchMovesTheStoredFiguresExactly) {
  for (bool with_images : {true, false}) {
    SCOPED_TRACE(with_images ? "trashed with its images" : "trashed without its images");
    std::string s = with_images ? "a" : "b";
    auto doomed = MakeProject("Doomed" + s, 6, with_images ? 1 : 101);  // images 1-6
    MakeProject("Keep" + s, 0);                                         // active, links images 1 and 2
    MakeProject("Kept" + s, 0);                                         // trashed without its images, links 3 and 4
    MakeProject("Also" + s, 0);                                         // trashed with its images, links 5
    auto imgs = content_->ListImages(owner(), "doomed" + s, 100, std::nullopt)->items;
    ASSERT_EQ(imgs.size(), 6u);
    Link("keep" + s, imgs[0]);
    Link("keep" + s, imgs[1]);
    Link("kept" + s, imgs[2]);
    Link("kept" + s, imgs[3]);
    Link("also" + s, imgs[4]);
    ASSERT_TRUE(content_->GenerateVersion(owner(), "doomed" + s, std::nullopt));
    auto seventh = Upload("doomed" + s, with_images ? 7 : 107);  // in the project, not in its version 1
    ASSERT_TRUE(content_->GenerateVersion(owner(), "doomed" + s, std::nullopt));
    std::int64_t m = ModelBytes(FinishedRun("doomed" + s, 2));
    ASSERT_TRUE(trash_->TrashVersion(owner(), "doomed" + s, 1));
    ASSERT_TRUE(trash_->TrashProject(owner(), "kept" + s, false));
    ASSERT_TRUE(trash_->TrashProject(owner(), "also" + s, true));
    ASSERT_TRUE(trash_->TrashProject(owner(), "doomed" + s, with_images));
    Check("trashed");
    Refresh();
    auto before = Figures();
    ASSERT_TRUE(trash_->DeletePermanently(owner(), {ProjectRef(doomed)}).failed.empty());
    CleanupInSteps(2);
    auto after = Figures();
    std::int64_t i3 = imgs[2].size_bytes, i4 = imgs[3].size_bytes, i5 = imgs[4].size_bytes;
    std::int64_t i6 = imgs[5].size_bytes, i7 = seventh.size_bytes;
    if (with_images) {
      // Images 6 and 7 and the model file are freed; 3 and 4 stay held by Kept, 5 by Also (which
      // would free it); 1 and 2 are Keep's.
      EXPECT_EQ(after[0], before[0] - i6 - i7 - m);
      EXPECT_EQ(after[2], i3 + i4 + i5);
      EXPECT_EQ(after[3], i5);
    } else {
      // Only the model file goes; 6 and 7 stay in the Asset Library, active again.
      EXPECT_EQ(after[0], before[0] - m);
      EXPECT_EQ(after[1], before[1] + i6 + i7);
      EXPECT_EQ(after[2], i3 + i4 + i5);
      EXPECT_EQ(after[3], i5);
    }
    ASSERT_TRUE(trash_->RestoreAll(owner()));
    Check("restored the rest");
  }
}

// A large workspace reads the stored row: after a change it does not follow exactly it says so,
// and the answer still holds the invariants, even when the exact changes since take the stored
// split below zero.
TEST_F(StorageFigures, AStaleSplitIsFlaggedAndClampedUntilTheRecount) {
  auto p = MakeProject("Cats", 3);
  std::int64_t s = UsageNow().storage_bytes;
  Refresh();  // recounted while the project is active: nothing held by the Trash
  ASSERT_TRUE(trash_->TrashProject(owner(), "cats", true));
  auto stale = RowRead();
  EXPECT_TRUE(stale.figures_stale);
  EXPECT_EQ(stale.usage.storage_bytes, s);  // the total is always exact
  ExpectInvariants(stale);
  ASSERT_TRUE(trash_->DeletePermanently(owner(), {ProjectRef(p)}).failed.empty());
  // The purge takes its images off the stored figures, which never counted them.
  CleanupInSteps(1, false);
  auto stored = Stored();
  EXPECT_FALSE(stored.fresh());
  EXPECT_LT(stored.held.trash_only, 0);
  auto clamped = RowRead();
  EXPECT_TRUE(clamped.figures_stale);
  ExpectInvariants(clamped);
  EXPECT_EQ(clamped.usage.storage_bytes, 0);
  Refresh();
  Check("recounted");
  EXPECT_FALSE(RowRead().figures_stale);
  EXPECT_EQ(Figures(), (V{0, 0, 0, 0}));
}

// A server stopped between two cleanup transactions (a kill loses at most the one in flight) and
// another started on the same database finish the purge with the figures exact.
TEST_F(StorageFigures, ARestartInTheMiddleOfACleanupKeepsTheFiguresExact) {
  auto p = MakeProject("Cats", 5);
  MakeProject("Dogs", 0);
  auto imgs = content_->ListImages(owner(), std::string("cats"), 100, std::nullopt)->items;
  Link("dogs", imgs[0]);
  ASSERT_TRUE(trash_->TrashProject(owner(), "cats", true));
  Refresh();
  ASSERT_TRUE(trash_->DeletePermanently(owner(), {ProjectRef(p)}).failed.empty());
  ASSERT_TRUE(trash_->CleanupStep(2));
  ASSERT_TRUE(trash_->CleanupStep(2));
  {
    auto store = OpenStore();
    domain::TrashService trash(*store, *blobs_, *models_, clock_);
    domain::ContentService content(*store, *blobs_, clock_);
    content.set_exact_figures_images(-1);
    for (;;) {
      auto step = trash.CleanupStep(2);
      ASSERT_TRUE(step);
      if (!step->worked) break;
    }
    auto r = content.GetUsage(owner());
    ASSERT_TRUE(r);
    EXPECT_FALSE(r->figures_stale);
    EXPECT_EQ(r->usage.storage_bytes, imgs[0].size_bytes);
    EXPECT_EQ(r->active_bytes, imgs[0].size_bytes);
    EXPECT_EQ(r->trash_only_bytes, 0);
  }
  RunCleanup();
  Check("finished");
}

// Every server runs the recount. Two recounts of one generation, each read on a snapshot taken
// before the other was stored (and with a cleanup batch committed between them), must correct the
// figures once: the second is left out, not added on top of the first.
TEST_F(StorageFigures, TwoServersRecountingTheSameGenerationCorrectTheFiguresOnce) {
  auto p = MakeProject("Cats", 6);
  MakeProject("Dogs", 0);
  auto imgs = content_->ListImages(owner(), std::string("cats"), 100, std::nullopt)->items;
  Link("dogs", imgs[0]);
  ASSERT_TRUE(trash_->TrashProject(owner(), "cats", true));
  ASSERT_TRUE(trash_->DeletePermanently(owner(), {ProjectRef(p)}).failed.empty());
  ASSERT_TRUE(trash_->Sweep());
  ASSERT_TRUE(trash_->CleanupStep(2));
  // The other server's recount: its snapshot is read now, its write comes last.
  domain::ReclaimableState seen;
  TrashHeld recount;
  ASSERT_TRUE(store_->Read([&](domain::Transaction& tx) -> core::Status {
    seen = tx.workspaces().GetReclaimable(ws());
    recount = tx.workspaces().RecountTrashHeld(ws());
    return core::Ok();
  }));
  ASSERT_FALSE(seen.fresh());
  ASSERT_TRUE(trash_->CleanupStep(2));
  Refresh();  // this server's recount is stored first
  Check("first recount");
  ASSERT_TRUE(trash_->CleanupStep(2));
  ASSERT_TRUE(store_->Write([&](domain::Transaction& tx) -> core::Status {
    tx.workspaces().StoreReclaimable(ws(), recount, seen);
    return core::Ok();
  }));
  Check("second recount");
  CleanupInSteps(2);
  Check("finished");
  EXPECT_EQ(Figures(), (V{imgs[0].size_bytes, imgs[0].size_bytes, 0, 0}));
}

TEST_F(StorageFigures, FsckReportsCorruptedFiguresAndRepairsThem) {
  auto p = MakeProject("Cats", 2);
  ASSERT_TRUE(trash_->TrashProject(owner(), "cats", true));
  Refresh();
  Check("before");
  // A counter gone wrong (as an UPDATE by hand would leave it).
  ASSERT_TRUE(store_->Write([&](domain::Transaction& tx) -> core::Status {
    tx.workspaces().AddTrashHeld(ws(), TrashHeld{1000, -7});
    return core::Ok();
  }));
  auto report = domain::CheckConsistency(*store_, *blobs_, false, models_.get());
  ASSERT_TRUE(report);
  EXPECT_FALSE(report->clean());
  EXPECT_EQ(report->wrong_figures, std::vector<std::int64_t>{ws()});
  EXPECT_NE(Stored().held, Recount());
  auto repaired = domain::CheckConsistency(*store_, *blobs_, true, models_.get());
  ASSERT_TRUE(repaired);
  EXPECT_EQ(repaired->wrong_figures, std::vector<std::int64_t>{ws()});
  EXPECT_GE(repaired->repaired, 1);
  EXPECT_EQ(Stored().held, Recount());
  Check("repaired");

  // Stale figures are not wrong, only pending; a repair recounts them.
  ASSERT_TRUE(trash_->Restore(owner(), ProjectRef(p)));
  report = domain::CheckConsistency(*store_, *blobs_, false, models_.get());
  ASSERT_TRUE(report);
  EXPECT_TRUE(report->clean());
  EXPECT_EQ(report->stale_figures, 1);
  ASSERT_TRUE(domain::CheckConsistency(*store_, *blobs_, true, models_.get()));
  EXPECT_TRUE(Stored().fresh());
  Check("recounted by fsck");
}

}  // namespace
}  // namespace limbo::testing
