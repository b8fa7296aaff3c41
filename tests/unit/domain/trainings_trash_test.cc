// SPEC T16: trainings (runs) as a fourth Trash type, at the domain level, with a manual clock and a
// real database (SQLite, or PostgreSQL under the `postgres.` prefix).
#include <filesystem>

#include "core/time_format.h"
#include "domain/fsck.h"
#include "support/fixture.h"

namespace limbo::testing {
namespace {

using domain::ItemRef;
using domain::ItemType;
using domain::JobState;
namespace fs = std::filesystem;

constexpr core::TimeMs kDay = core::kDayMs;

class TrainingsTrash : public DomainTest {
 protected:
  std::optional<domain::Job> Job(const std::string& id) {
    std::optional<domain::Job> out;
    EXPECT_TRUE(store_->Read([&](domain::Transaction& tx) -> core::Status {
      out = tx.jobs().ById(owner().workspace.id, id);
      return core::Ok();
    }));
    return out;
  }
  // The job id of the version's model, or "" when it has none.
  std::string ModelOf(const std::string& project, int version) {
    auto v = content_->GetVersion(owner(), project, version);
    EXPECT_TRUE(v) << v.error().message;
    return v->model ? v->model->job_id : "";
  }
  bool ModelFile(const std::string& job_id) const { return fs::exists(dir_ / "models" / (job_id + ".json")); }
  static ItemRef TrainingRef(const std::string& id) {
    return ItemRef{ItemType::kTraining, id, std::nullopt, std::nullopt};
  }
  static ItemRef ProjectRef(const domain::Project& p) {
    return ItemRef{ItemType::kProject, p.id, std::nullopt, std::nullopt};
  }
  static ItemRef VersionRef(const domain::Project& p, int n) {
    return ItemRef{ItemType::kVersion, std::to_string(n), p.id, std::nullopt};
  }
  std::vector<domain::TrashItem> Trainings() {
    domain::TrashQuery q;
    q.type = ItemType::kTraining;
    auto l = trash_->List(owner(), q);
    EXPECT_TRUE(l) << l.error().message;
    return l->page.items;
  }
  domain::FsckReport Fsck(bool repair = false) {
    auto r = domain::CheckConsistency(*store_, *blobs_, repair, models_.get());
    EXPECT_TRUE(r) << r.error().message;
    return *r;
  }
  void SetUpCats(int versions = 1) {
    cats_ = MakeProject("Cats", 1);
    for (int i = 0; i < versions; ++i) ASSERT_TRUE(content_->GenerateVersion(owner(), "cats", std::nullopt));
  }
  domain::Project cats_;
};

TEST_F(TrainingsTrash, AFinishedRunGoesToTheTrashOnItsOwnAndIsHiddenEverywhere) {
  SetUpCats();
  auto older = FinishedRun("cats", 1);
  auto newer = FinishedRun("cats", 1);
  auto r = trash_->TrashTraining(owner(), "cats", 1, older);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->training_id, older);
  EXPECT_FALSE(r->already_in_trash);

  // Hidden from the jobs listing, the version's runs, and a direct read answers in_trash (T2).
  auto jobs = training_->List(owner());
  ASSERT_EQ(jobs->size(), 1u);
  EXPECT_EQ(jobs->front().id, newer);
  auto runs = training_->OfVersion(owner(), "cats", 1);
  ASSERT_EQ(runs->runs.size(), 1u);
  EXPECT_EQ(runs->runs.front().id, newer);
  auto get = training_->Get(owner(), older);
  ASSERT_FALSE(get);
  EXPECT_EQ(get.error().code, "in_trash");
  EXPECT_NE(get.error().message.find("in trash"), std::string::npos) << get.error().message;
  // Nothing was destroyed: the row and its model file are still there.
  EXPECT_TRUE(Job(older));
  EXPECT_TRUE(ModelFile(older));
  // The version's model was the newer run's and stays so.
  EXPECT_EQ(ModelOf("cats", 1), newer);

  // Trashing it again is no error: it is already in the Trash.
  auto again = trash_->TrashTraining(owner(), "cats", 1, older);
  ASSERT_TRUE(again);
  EXPECT_TRUE(again->already_in_trash);
  EXPECT_EQ(UsageNow().trash_trainings, 1);
}

TEST_F(TrainingsTrash, AQueuedOrRunningRunIsRefusedAsInProgress) {
  SetUpCats();
  auto j = training_->Start(owner(), "cats", 1);
  ASSERT_TRUE(j);
  for (const char* state : {"queued", "running"}) {
    auto r = trash_->TrashTraining(owner(), "cats", 1, j->id);
    ASSERT_FALSE(r) << state;
    EXPECT_EQ(r.error().code, "training_in_progress");
    EXPECT_EQ(r.error().kind, core::ErrorKind::kConflict);
    EXPECT_NE(r.error().message.find("in progress"), std::string::npos) << r.error().message;
    ASSERT_TRUE(training_->Tick());  // queued -> running
    EXPECT_EQ(Job(j->id)->state, JobState::kRunning);
  }
  // Cancelled, it may go; a failed or finished one likewise (finished: the tests above).
  ASSERT_TRUE(training_->Cancel(owner(), "cats", 1));
  EXPECT_TRUE(trash_->TrashTraining(owner(), "cats", 1, j->id));
  EXPECT_EQ(UsageNow().trash_trainings, 1);
}

TEST_F(TrainingsTrash, TheVersionsModelPassesToTheNewestRemainingRunAndRestoreNeverDisplacesIt) {
  SetUpCats();
  auto a = FinishedRun("cats", 1);
  auto b = FinishedRun("cats", 1);
  ASSERT_EQ(ModelOf("cats", 1), b);

  // B was the version's model: A's takes over and serves.
  ASSERT_TRUE(trash_->TrashTraining(owner(), "cats", 1, b));
  EXPECT_EQ(ModelOf("cats", 1), a);
  auto serving = training_->Serving(owner(), "cats", 1);
  ASSERT_TRUE(serving);
  EXPECT_EQ(serving->job.id, a);
  // Restoring B does not displace A's model, which serves now.
  ASSERT_TRUE(trash_->Restore(owner(), TrainingRef(b)));
  EXPECT_EQ(ModelOf("cats", 1), a);
  // A goes: the newest remaining finished run is B.
  ASSERT_TRUE(trash_->TrashTraining(owner(), "cats", 1, a));
  EXPECT_EQ(ModelOf("cats", 1), b);
  // B goes too: the version has no model, nothing serves.
  ASSERT_TRUE(trash_->TrashTraining(owner(), "cats", 1, b));
  EXPECT_EQ(ModelOf("cats", 1), "");
  EXPECT_EQ(training_->Serving(owner(), "cats", 1).error().code, "model_not_serving");
  // With no model, the restored run's model becomes the version's and serves.
  ASSERT_TRUE(trash_->RestoreTraining(owner(), "cats", 1, a));
  EXPECT_EQ(ModelOf("cats", 1), a);
  EXPECT_TRUE(training_->Serving(owner(), "cats", 1));
  // A's serves now: restoring B leaves it, even with a newer cancelled run (no model) beside them.
  ASSERT_TRUE(training_->Start(owner(), "cats", 1));
  ASSERT_TRUE(training_->Cancel(owner(), "cats", 1));
  ASSERT_TRUE(trash_->RestoreTraining(owner(), "cats", 1, b));
  EXPECT_EQ(ModelOf("cats", 1), a);
}

TEST_F(TrainingsTrash, WithoutAnIdTheVersionsOnlyRunIsMeantAndSeveralAreRefusedByName) {
  SetUpCats(2);
  auto a = FinishedRun("cats", 1);
  auto b = FinishedRun("cats", 1);
  auto only = FinishedRun("cats", 2);
  auto r = trash_->TrashTraining(owner(), "cats", 1, std::nullopt);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, "multiple_trainings");
  EXPECT_EQ(r.error().kind, core::ErrorKind::kConflict);
  for (const auto& s : {std::string("MULTIPLE_TRAININGS"), a, b}) {
    EXPECT_NE(r.error().message.find(s), std::string::npos) << r.error().message;
  }
  auto one = trash_->TrashTraining(owner(), "cats", 2, std::nullopt);
  ASSERT_TRUE(one) << one.error().message;
  EXPECT_EQ(one->training_id, only);
  auto twice = trash_->TrashTraining(owner(), "cats", 2, std::nullopt);
  ASSERT_TRUE(twice);
  EXPECT_EQ(twice->training_id, only);
  EXPECT_TRUE(twice->already_in_trash);
  // A run of another version is not found on this one.
  EXPECT_EQ(trash_->TrashTraining(owner(), "cats", 2, a).error().code, "not_found");
  EXPECT_EQ(trash_->RestoreTraining(owner(), "cats", 1, only).error().code, "not_found");
  // Restoring an active run: not in the Trash, in the words the official client keys on.
  auto active = trash_->Restore(owner(), TrainingRef(a));
  ASSERT_FALSE(active);
  EXPECT_EQ(active.error().code, "not_in_trash");
  EXPECT_NE(active.error().message.find("not in trash"), std::string::npos) << active.error().message;
}

TEST_F(TrainingsTrash, ARunIsRestoredOnlyWhileItsProjectAndVersionAreActive) {
  SetUpCats();
  auto run = FinishedRun("cats", 1);
  ASSERT_TRUE(trash_->TrashTraining(owner(), "cats", 1, run));
  ASSERT_TRUE(trash_->TrashVersion(owner(), "cats", 1));
  auto items = Trainings();
  ASSERT_EQ(items.size(), 1u);
  EXPECT_TRUE(items[0].parent_in_trash);
  auto r = trash_->Restore(owner(), TrainingRef(run));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, "parent_in_trash");
  EXPECT_NE(r.error().message.find("in trash"), std::string::npos) << r.error().message;

  // The version comes back; the run trashed before it keeps its row (T16, as T9).
  ASSERT_TRUE(trash_->Restore(owner(), VersionRef(cats_, 1)));
  items = Trainings();
  ASSERT_EQ(items.size(), 1u);
  EXPECT_FALSE(items[0].parent_in_trash);
  EXPECT_EQ(training_->Get(owner(), run).error().code, "in_trash");

  ASSERT_TRUE(trash_->TrashProject(owner(), "cats", false));
  EXPECT_EQ(trash_->Restore(owner(), TrainingRef(run)).error().code, "parent_in_trash");
  ASSERT_TRUE(trash_->Restore(owner(), ProjectRef(cats_)));
  EXPECT_EQ(Trainings().size(), 1u);
  ASSERT_TRUE(trash_->Restore(owner(), TrainingRef(run)));
  EXPECT_TRUE(Trainings().empty());
  EXPECT_TRUE(training_->Get(owner(), run));
  EXPECT_EQ(ModelOf("cats", 1), run);  // the version had no model: the run's serves again
  EXPECT_TRUE(training_->Serving(owner(), "cats", 1));
}

TEST_F(TrainingsTrash, TrashingAProjectOrVersionTakesItsRunsWithoutRowsOfTheirOwn) {
  SetUpCats(2);
  auto v1 = FinishedRun("cats", 1);
  auto v2 = FinishedRun("cats", 2);
  ASSERT_TRUE(trash_->TrashVersion(owner(), "cats", 2));
  EXPECT_TRUE(Trainings().empty());
  EXPECT_EQ(training_->Get(owner(), v2).error().code, "in_trash");
  ASSERT_TRUE(trash_->TrashProject(owner(), "cats", false));
  EXPECT_TRUE(Trainings().empty());
  EXPECT_EQ(UsageNow().trash_trainings, 0);
  EXPECT_TRUE(training_->List(owner())->empty());
  ASSERT_TRUE(trash_->Restore(owner(), ProjectRef(cats_)));
  ASSERT_TRUE(trash_->Restore(owner(), VersionRef(cats_, 2)));
  EXPECT_TRUE(training_->Get(owner(), v1));
  EXPECT_TRUE(training_->Get(owner(), v2));
  EXPECT_EQ(training_->List(owner())->size(), 2u);
}

TEST_F(TrainingsTrash, TheListingShowsParentsWhoWhenDaysRemainingAndTheModelsSize) {
  SetUpCats();
  auto run = FinishedRun("cats", 1);
  auto bytes = Job(run)->model_bytes;
  ASSERT_GT(bytes, 0);
  EXPECT_EQ(static_cast<std::uintmax_t>(bytes), fs::file_size(dir_ / "models" / (run + ".json")));
  ASSERT_TRUE(trash_->TrashTraining(owner(), "cats", 1, run));
  Advance(kDay + 1);
  auto items = Trainings();
  ASSERT_EQ(items.size(), 1u);
  const auto& t = items[0];
  EXPECT_EQ(t.type, ItemType::kTraining);
  EXPECT_EQ(t.object_id, run);
  EXPECT_EQ(t.parent_project_id, cats_.id);
  EXPECT_EQ(t.parent_name, "Cats");
  EXPECT_EQ(t.url, "cats");
  EXPECT_EQ(t.version_number, 1);
  EXPECT_EQ(t.deleted_by, owner().user.id);
  EXPECT_EQ(t.deleted_by_name, "Olive Owner");
  EXPECT_EQ(t.cleanup_at, t.deleted_at + 30 * kDay);
  EXPECT_EQ(core::DaysRemaining(clock_.Now(), t.cleanup_at), 29);
  EXPECT_EQ(t.size_bytes, bytes);
  // The untyped listing and its counters include it.
  auto all = trash_->List(owner(), {});
  ASSERT_EQ(all->page.items.size(), 1u);
  EXPECT_EQ(all->counts.trash_trainings, 1);
  EXPECT_EQ(all->counts.trash_items, 1);
}

TEST_F(TrainingsTrash, ModelFilesCountInUsageUntilPermanentlyDeletedAndFsckRecountsThem) {
  SetUpCats();
  auto images = UsageNow().storage_bytes;
  auto run = FinishedRun("cats", 1);
  auto bytes = Job(run)->model_bytes;
  EXPECT_EQ(UsageNow().storage_bytes, images + bytes);
  EXPECT_TRUE(Fsck().clean());
  ASSERT_TRUE(trash_->TrashTraining(owner(), "cats", 1, run));
  EXPECT_EQ(UsageNow().storage_bytes, images + bytes);               // T5: still counted while in the Trash
  EXPECT_EQ(content_->GetUsage(owner())->reclaimable_bytes, bytes);  // what emptying the Trash frees
  EXPECT_TRUE(Fsck().clean());

  auto done = trash_->DeletePermanently(owner(), {TrainingRef(run)});
  ASSERT_EQ(done.done.size(), 1u);
  RunCleanup();
  EXPECT_FALSE(Job(run));
  EXPECT_FALSE(ModelFile(run));
  EXPECT_TRUE(Trainings().empty());
  auto u = UsageNow();
  EXPECT_EQ(u.storage_bytes, images);
  EXPECT_EQ(u.trash_trainings, 0);
  EXPECT_EQ(u.trash_items, 0);
  EXPECT_EQ(content_->GetUsage(owner())->reclaimable_bytes, 0);
  auto report = Fsck();
  EXPECT_TRUE(report.clean()) << report.wrong_usage.size() << " " << report.orphaned_models.size();
  // Restoring it now: gone, in the words the official client keys on.
  auto r = trash_->Restore(owner(), TrainingRef(run));
  EXPECT_EQ(r.error().code, "not_in_trash");
  EXPECT_NE(r.error().message.find("not in trash"), std::string::npos);

  // fsck notices a counter that drifted and rewrites it from the rows, model bytes included.
  ASSERT_TRUE(store_->Write([&](domain::Transaction& tx) -> core::Status {
    tx.workspaces().AddStorage(owner().workspace.id, 1, 0);
    return core::Ok();
  }));
  EXPECT_EQ(Fsck(true).wrong_usage.size(), 1u);
  EXPECT_TRUE(Fsck().clean());
  EXPECT_EQ(UsageNow().storage_bytes, images);
}

// A process that dies after the purge commits and before the unlink: modelled by a file store
// whose Remove never happens, as if the process had ended at that instant.
class DiesBeforeUnlink final : public domain::ModelArtifacts {
 public:
  explicit DiesBeforeUnlink(domain::ModelArtifacts& real) : real_(real) {}
  core::Status Write(const domain::Job& job, const std::string& content) override { return real_.Write(job, content); }
  void Remove(const std::string&) override {}
  std::vector<std::string> List() const override { return real_.List(); }

 private:
  domain::ModelArtifacts& real_;
};

TEST_F(TrainingsTrash, ACrashBetweenThePurgeAndTheUnlinkLeavesAFileFsckFindsAndRemoves) {
  SetUpCats();
  auto run = FinishedRun("cats", 1);
  auto kept = FinishedRun("cats", 1);
  ASSERT_TRUE(trash_->TrashTraining(owner(), "cats", 1, run));
  ASSERT_EQ(trash_->DeletePermanently(owner(), {TrainingRef(run)}).done.size(), 1u);
  DiesBeforeUnlink dying(*models_);
  domain::TrashService crashing(*store_, *blobs_, dying, clock_);
  for (;;) {
    auto p = crashing.CleanupStep();
    ASSERT_TRUE(p);
    if (!p->worked) break;
  }
  // The rows are gone, the file is left: no dangling reference, one orphan.
  EXPECT_FALSE(Job(run));
  EXPECT_TRUE(ModelFile(run));
  auto report = Fsck();
  EXPECT_FALSE(report.clean());
  EXPECT_EQ(report.orphaned_models, std::vector<std::string>{run});
  EXPECT_TRUE(report.wrong_usage.empty());
  // The repair removes exactly it; the version's model file stays.
  EXPECT_EQ(Fsck(true).orphaned_models.size(), 1u);
  EXPECT_FALSE(ModelFile(run));
  EXPECT_TRUE(ModelFile(kept));
  EXPECT_TRUE(Fsck().clean());
  EXPECT_TRUE(training_->Serving(owner(), "cats", 1));
}

TEST_F(TrainingsTrash, TheNextStartRemovesAModelFileACrashLeftAndNothingElse) {
  SetUpCats();
  auto run = FinishedRun("cats", 1);
  auto kept = FinishedRun("cats", 1);
  auto queued = training_->Start(owner(), "cats", 1);  // a row without a file yet
  ASSERT_TRUE(trash_->TrashTraining(owner(), "cats", 1, run));
  ASSERT_EQ(trash_->DeletePermanently(owner(), {TrainingRef(run)}).done.size(), 1u);
  DiesBeforeUnlink dying(*models_);
  domain::TrashService crashing(*store_, *blobs_, dying, clock_);
  ASSERT_TRUE(crashing.CleanupStep());
  ASSERT_TRUE(ModelFile(run));
  // What `limbod serve` does at start.
  auto removed = domain::RemoveOrphanedModels(*store_, *models_);
  ASSERT_TRUE(removed);
  EXPECT_EQ(*removed, 1);
  EXPECT_FALSE(ModelFile(run));
  EXPECT_TRUE(ModelFile(kept));
  EXPECT_TRUE(Fsck().clean());
  EXPECT_EQ(*domain::RemoveOrphanedModels(*store_, *models_), 0);
  // The queued run still finishes and writes its file.
  Advance(31 * core::kSecondMs);
  ASSERT_TRUE(training_->Tick());
  ASSERT_TRUE(training_->Tick());
  EXPECT_TRUE(ModelFile(queued->id));
}

TEST_F(TrainingsTrash, AutomaticCleanupRemovesTheRunItsModelRowAndFileAtCleanupAt) {
  SetUpCats();
  auto run = FinishedRun("cats", 1);
  ASSERT_TRUE(trash_->TrashTraining(owner(), "cats", 1, run));
  Advance(30 * kDay - 1);
  RunCleanup();
  EXPECT_EQ(Trainings().size(), 1u);
  EXPECT_TRUE(ModelFile(run));
  Advance(1);
  RunCleanup();
  EXPECT_TRUE(Trainings().empty());
  EXPECT_FALSE(Job(run));
  EXPECT_FALSE(ModelFile(run));
  EXPECT_EQ(ModelOf("cats", 1), "");
  EXPECT_TRUE(Fsck().clean());
  auto events = trash_->Audit(owner(), 10, std::nullopt)->items;
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(events.front().action, "auto_cleanup");
  EXPECT_EQ(events.front().item_type, "training");
  EXPECT_EQ(events.front().item_id, run);
  EXPECT_FALSE(events.front().actor_id);
}

TEST_F(TrainingsTrash, PurgingTheProjectOrVersionRemovesItsTrashedRunsRowsAndFiles) {
  SetUpCats(2);
  auto a = FinishedRun("cats", 1);
  auto b = FinishedRun("cats", 2);
  auto c = FinishedRun("cats", 2);
  ASSERT_TRUE(trash_->TrashTraining(owner(), "cats", 1, a));
  ASSERT_TRUE(trash_->TrashTraining(owner(), "cats", 2, b));
  ASSERT_TRUE(trash_->TrashVersion(owner(), "cats", 2));
  ASSERT_EQ(trash_->DeletePermanently(owner(), {VersionRef(cats_, 2)}).done.size(), 1u);
  RunCleanup();
  EXPECT_FALSE(Job(b));
  EXPECT_FALSE(Job(c));
  EXPECT_FALSE(ModelFile(b));
  EXPECT_FALSE(ModelFile(c));
  ASSERT_EQ(Trainings().size(), 1u);  // a's, on version 1
  EXPECT_EQ(UsageNow().trash_trainings, 1);
  EXPECT_TRUE(Fsck().clean());

  ASSERT_TRUE(trash_->TrashProject(owner(), "cats", true));
  ASSERT_TRUE(trash_->EmptyTrash(owner(), "acme"));
  RunCleanup();
  EXPECT_FALSE(Job(a));
  EXPECT_FALSE(ModelFile(a));
  auto u = UsageNow();
  EXPECT_EQ(u.trash_items, 0);
  EXPECT_EQ(u.trash_trainings, 0);
  EXPECT_EQ(u.storage_bytes, 0);
  EXPECT_TRUE(Fsck().clean());
}

TEST_F(TrainingsTrash, RestoreAllBringsProjectsThenVersionsThenTrainingsThenWorkflows) {
  SetUpCats();
  auto run = FinishedRun("cats", 1);
  ASSERT_TRUE(content_->CreateWorkflow(owner(), {"Flow", std::nullopt, "{}"}));
  // Trashed in the opposite order: the workflow first, the project last.
  ASSERT_TRUE(trash_->TrashWorkflow(owner(), "flow"));
  ASSERT_TRUE(trash_->TrashTraining(owner(), "cats", 1, run));
  ASSERT_TRUE(trash_->TrashVersion(owner(), "cats", 1));
  ASSERT_TRUE(trash_->TrashProject(owner(), "cats", false));
  auto r = trash_->RestoreAll(owner());
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->failed.empty()) << r->failed[0].error->message;
  std::vector<ItemType> order;
  for (const auto& o : r->done) order.push_back(o.ref.type);
  EXPECT_EQ(order,
            (std::vector<ItemType>{ItemType::kProject, ItemType::kVersion, ItemType::kTraining, ItemType::kWorkflow}));
  EXPECT_TRUE(training_->Serving(owner(), "cats", 1));
  EXPECT_EQ(ModelOf("cats", 1), run);
  EXPECT_EQ(UsageNow().trash_items, 0);
  // A selection is ordered the same way.
  ASSERT_TRUE(trash_->TrashTraining(owner(), "cats", 1, run));
  ASSERT_TRUE(trash_->TrashVersion(owner(), "cats", 1));
  auto many = trash_->RestoreMany(owner(), {TrainingRef(run), VersionRef(cats_, 1)});
  EXPECT_TRUE(many.failed.empty());
  EXPECT_EQ(many.done.size(), 2u);
}

TEST_F(TrainingsTrash, PermissionsAreTrashTrainingAndRestoreTrainingAndEmptyNeedsAllFourTrashOnes) {
  SetUpCats();
  auto run = FinishedRun("cats", 1);
  auto member = AddMember("m@example.com", "member");
  EXPECT_EQ(trash_->TrashTraining(member, "cats", 1, run).error().code, "forbidden");
  auto versions_only = ActorWith({"trash_version", "view_trash"}, "v@example.com");
  EXPECT_EQ(trash_->TrashTraining(versions_only, "cats", 1, run).error().code, "forbidden");

  auto trasher = ActorWith({"trash_training", "view_trash"}, "t@example.com");
  ASSERT_TRUE(trash_->TrashTraining(trasher, "cats", 1, run));
  EXPECT_EQ(trash_->Restore(trasher, TrainingRef(run)).error().code, "forbidden");
  EXPECT_EQ(trash_->RestoreTraining(trasher, "cats", 1, run).error().code, "forbidden");
  auto restorer = ActorWith({"restore_training"}, "r@example.com");
  ASSERT_TRUE(trash_->RestoreTraining(restorer, "cats", 1, run));
  ASSERT_TRUE(trash_->TrashTraining(owner(), "cats", 1, run));

  // Empty Trash needs view_trash and all four trash_* permissions.
  auto four = ActorWith({"view_trash", "trash_dataset", "trash_version", "trash_workflow"}, "f@example.com");
  EXPECT_EQ(trash_->EmptyTrash(four, "acme").error().code, "forbidden");
  auto five = ActorWith({"view_trash", "trash_dataset", "trash_version", "trash_workflow", "trash_training"},
                        "all@example.com");
  // Permanent deletion of one run needs view_trash + trash_training.
  EXPECT_EQ(trash_->DeletePermanently(four, {TrainingRef(run)}).failed.size(), 1u);
  EXPECT_EQ(trash_->EmptyTrash(five, "acme")->done.size(), 1u);
  // Owner and the catalog: the owner has both, the built-in member neither.
  EXPECT_TRUE(owner().Can(domain::Permission::kTrashTraining));
  EXPECT_TRUE(owner().Can(domain::Permission::kRestoreTraining));
  EXPECT_FALSE(member.Can(domain::Permission::kTrashTraining));
  EXPECT_EQ(domain::ParsePermission("trash_training"), domain::Permission::kTrashTraining);
  EXPECT_EQ(domain::ParsePermission("restore_training"), domain::Permission::kRestoreTraining);
  EXPECT_EQ(domain::PermissionGroup(domain::Permission::kRestoreTraining), "trash");
  domain::PermissionSet level;
  level.Add(domain::Permission::kViewTrash);
  level.Add(domain::Permission::kTrashTraining);
  EXPECT_TRUE(domain::CanDeletePermanently(level));  // T17: it reaches permanent deletion
}

TEST_F(TrainingsTrash, EveryTrainingActionIsAudited) {
  SetUpCats();
  auto run = FinishedRun("cats", 1);
  ASSERT_TRUE(trash_->TrashTraining(owner(), "cats", 1, run));
  ASSERT_TRUE(trash_->Restore(owner(), TrainingRef(run)));
  ASSERT_TRUE(trash_->TrashTraining(owner(), "cats", 1, run));
  ASSERT_EQ(trash_->DeletePermanently(owner(), {TrainingRef(run)}).done.size(), 1u);
  auto other = FinishedRun("cats", 1);
  ASSERT_TRUE(trash_->TrashTraining(owner(), "cats", 1, other));
  ASSERT_TRUE(trash_->EmptyTrash(owner(), "acme"));
  auto events = trash_->Audit(owner(), 50, std::nullopt)->items;
  std::vector<std::string> actions;
  for (auto it = events.rbegin(); it != events.rend(); ++it) {
    EXPECT_EQ(it->item_type, "training");
    actions.push_back(it->action);
  }
  EXPECT_EQ(actions,
            (std::vector<std::string>{"trash", "restore", "trash", "delete_permanently", "trash", "empty_trash"}));
  EXPECT_EQ(events.back().item_id, run);
  EXPECT_NE(events.back().item_name.find("cats"), std::string::npos);
}

TEST_F(TrainingsTrash, RestoreAndPermanentDeletionOfOneRunHaveOneWinner) {
  SetUpCats();
  auto run = FinishedRun("cats", 1);
  ASSERT_TRUE(trash_->TrashTraining(owner(), "cats", 1, run));
  ASSERT_EQ(trash_->DeletePermanently(owner(), {TrainingRef(run)}).done.size(), 1u);
  auto r = trash_->Restore(owner(), TrainingRef(run));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, "not_in_trash");
  ASSERT_TRUE(trash_->TrashTraining(owner(), "cats", 1, FinishedRun("cats", 1)));
  auto last = Trainings();
  ASSERT_EQ(last.size(), 1u);
  ASSERT_TRUE(trash_->Restore(owner(), TrainingRef(last[0].object_id)));
  EXPECT_EQ(trash_->DeletePermanently(owner(), {TrainingRef(last[0].object_id)}).failed[0].error->code, "not_in_trash");
}

}  // namespace
}  // namespace limbo::testing
