// The Trash rules T1-T15 of SPEC section 2, at the domain level, with a manual clock and a real
// SQLite database.
#include <atomic>
#include <thread>

#include "core/time_format.h"
#include "support/fixture.h"

namespace limbo::testing {
namespace {

using domain::ItemRef;
using domain::ItemType;

constexpr core::TimeMs kDay = core::kDayMs;

class TrashRules : public DomainTest {
 protected:
  domain::TrashListing List(domain::TrashQuery q = {}) {
    auto l = trash_->List(owner(), q);
    EXPECT_TRUE(l) << l.error().message;
    return *l;
  }
  static domain::TrashQuery OfType(ItemType t) {
    domain::TrashQuery q;
    q.type = t;
    return q;
  }
  static domain::TrashQuery Matching(const std::string& text) {
    domain::TrashQuery q;
    q.q = text;
    return q;
  }
  ItemRef ProjectRef(const domain::Project& p) { return ItemRef{ItemType::kProject, p.id, std::nullopt, std::nullopt}; }
  ItemRef VersionRef(const domain::Project& p, int n) {
    return ItemRef{ItemType::kVersion, std::to_string(n), p.id, std::nullopt};
  }
};

TEST_F(TrashRules, T1T2TrashedProjectIsHiddenEverywhereAndAnswersInTrash) {
  auto p = MakeProject("Cats", 2);
  ASSERT_TRUE(content_->GenerateVersion(owner(), "cats", std::nullopt));
  ASSERT_TRUE(training_->Start(owner(), "cats", 1));
  ASSERT_TRUE(trash_->TrashProject(owner(), "cats", false));

  EXPECT_TRUE(content_->ListProjects(owner())->empty());
  auto get = content_->GetProject(owner(), "cats");
  ASSERT_FALSE(get);
  EXPECT_EQ(get.error().code, "in_trash");
  EXPECT_EQ(content_->GetVersion(owner(), "cats", 1).error().code, "in_trash");
  EXPECT_TRUE(training_->List(owner())->empty());
  // Nothing was destroyed: the images are still in the Asset Library and still counted.
  EXPECT_EQ(UsageNow().image_count, 2);
  EXPECT_EQ(List().page.items.size(), 1u);
}

TEST_F(TrashRules, T3TrashingCancelsJobsAndFreezesCredits) {
  auto p = MakeProject("Cats", 1);
  ASSERT_TRUE(content_->GenerateVersion(owner(), "cats", std::nullopt));
  ASSERT_TRUE(content_->GenerateVersion(owner(), "cats", std::nullopt));
  auto running = training_->Start(owner(), "cats", 1);
  ASSERT_TRUE(training_->Tick());                            // starts it
  auto queued_later = training_->Start(owner(), "cats", 2);  // stays queued
  Advance(10 * core::kSecondMs);
  ASSERT_TRUE(trash_->TrashProject(owner(), "cats", false));
  Advance(3600 * core::kSecondMs);
  ASSERT_TRUE(training_->Tick());

  std::optional<domain::Job> a, b;
  ASSERT_TRUE(store_->Read([&](domain::Transaction& tx) -> core::Status {
    a = tx.jobs().ById(owner().workspace.id, running->id);
    b = tx.jobs().ById(owner().workspace.id, queued_later->id);
    return core::Ok();
  }));
  EXPECT_EQ(a->state, domain::JobState::kCancelled);
  EXPECT_EQ(a->cancel_reason, "moved_to_trash");
  EXPECT_DOUBLE_EQ(a->CreditsUsed(clock_.Now()), 10.0);
  EXPECT_EQ(b->state, domain::JobState::kCancelled);
  EXPECT_DOUBLE_EQ(b->CreditsUsed(clock_.Now()), 0.0);
  // Restoring does not restart them (T4: cancelled jobs stay cancelled).
  ASSERT_TRUE(trash_->Restore(owner(), ProjectRef(p)));
  auto again = training_->Get(owner(), running->id);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->state, domain::JobState::kCancelled);
  EXPECT_DOUBLE_EQ(again->CreditsUsed(clock_.Now()), 10.0);
}

TEST_F(TrashRules, T4ModelsStopServingAndExactlyThoseComeBack) {
  auto p = MakeProject("Cats", 1);
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(content_->GenerateVersion(owner(), "cats", std::nullopt));
  for (int v : {1, 2, 3}) {
    ASSERT_TRUE(training_->Start(owner(), "cats", v));
  }
  ASSERT_TRUE(training_->Tick());
  Advance(31 * core::kSecondMs);
  ASSERT_TRUE(training_->Tick());
  for (int v : {1, 2, 3}) EXPECT_TRUE(training_->Serving(owner(), "cats", v)) << v;

  // Version 3 goes to the Trash on its own first; then the project.
  ASSERT_TRUE(trash_->TrashVersion(owner(), "cats", 3));
  ASSERT_TRUE(trash_->TrashProject(owner(), "cats", false));
  for (int v : {1, 2, 3}) EXPECT_EQ(training_->Serving(owner(), "cats", v).error().code, "model_not_serving");

  ASSERT_TRUE(trash_->Restore(owner(), ProjectRef(p)));
  EXPECT_TRUE(training_->Serving(owner(), "cats", 1));
  EXPECT_TRUE(training_->Serving(owner(), "cats", 2));
  EXPECT_FALSE(training_->Serving(owner(), "cats", 3));  // still in the Trash (T9)
  ASSERT_TRUE(trash_->Restore(owner(), VersionRef(p, 3)));
  EXPECT_TRUE(training_->Serving(owner(), "cats", 3));
}

TEST_F(TrashRules, T5TrashedStorageCountsAndQuotaRefusesUploads) {
  MakeProject("Cats", 3);
  auto before = UsageNow();
  ASSERT_TRUE(trash_->TrashProject(owner(), "cats", true));
  EXPECT_EQ(UsageNow().storage_bytes, before.storage_bytes);
  auto report = content_->GetUsage(owner());
  EXPECT_EQ(report->reclaimable_bytes, before.storage_bytes);

  MakeProject("Dogs");
  domain::WorkspacePatch patch;
  patch.storage_quota_bytes = before.storage_bytes + 10;
  ASSERT_TRUE(accounts_->PatchWorkspace(owner(), patch));
  owner_.workspace.storage_quota_bytes = *patch.storage_quota_bytes;
  auto up = content_->Upload(owner(), "dogs", "x.png", Png(999));
  ASSERT_FALSE(up);
  EXPECT_EQ(up.error().code, "storage_quota_exceeded");
  EXPECT_EQ(up.error().kind, core::ErrorKind::kForbidden);
}

TEST_F(TrashRules, T6CleanupAtUsesRetentionAtDeletionTimeAndDaysRemainingCountsDown) {
  MakeProject("Cats");
  MakeProject("Dogs");
  ASSERT_TRUE(trash_->TrashProject(owner(), "cats", false));
  domain::WorkspacePatch patch;
  patch.retention_days = 7;
  ASSERT_TRUE(accounts_->PatchWorkspace(owner(), patch));
  ASSERT_TRUE(trash_->TrashProject(owner(), "dogs", false));

  auto items = List().page.items;
  ASSERT_EQ(items.size(), 2u);
  for (const auto& t : items) {
    int days = t.name == "Cats" ? 30 : 7;
    EXPECT_EQ(t.cleanup_at, t.deleted_at + days * kDay) << t.name;
    EXPECT_EQ(core::DaysRemaining(clock_.Now(), t.cleanup_at), days);
  }
  Advance(kDay / 2);
  EXPECT_EQ(core::DaysRemaining(clock_.Now(), items[0].cleanup_at), items[0].name == "Cats" ? 30 : 7);
  EXPECT_EQ(core::DaysRemaining(items[0].cleanup_at + 1, items[0].cleanup_at), 0);
}

TEST_F(TrashRules, T7RemovedExactlyAtCleanupAtNotBefore) {
  auto p = MakeProject("Cats", 2);
  ASSERT_TRUE(trash_->TrashProject(owner(), "cats", true));
  Advance(29 * kDay);
  RunCleanup();
  EXPECT_EQ(List().page.items.size(), 1u) << "day 29: still restorable";
  Advance(kDay - 1);
  RunCleanup();
  EXPECT_EQ(List().page.items.size(), 1u) << "one millisecond before cleanupAt";
  Advance(1);
  RunCleanup();
  EXPECT_TRUE(List().page.items.empty()) << "at cleanupAt";
  EXPECT_EQ(UsageNow().image_count, 0);
  EXPECT_EQ(BlobFiles(), 0u);
  EXPECT_EQ(trash_->Restore(owner(), ProjectRef(p)).error().code, "not_in_trash");
  auto audit = trash_->Audit(owner(), 10, std::nullopt);
  ASSERT_FALSE(audit->items.empty());
  EXPECT_EQ(audit->items.front().action, "auto_cleanup");
  EXPECT_FALSE(audit->items.front().actor_id.has_value());
}

TEST_F(TrashRules, T8RestorePutsProjectBackInItsGroupAndVersionNeedsActiveParent) {
  auto group = accounts_->CreateGroup(owner(), "Pets");
  auto p =
      content_->CreateProject(owner(), domain::NewProject{"Cats", "object-detection", "c", group->id, std::nullopt});
  ASSERT_TRUE(content_->GenerateVersion(owner(), "cats", std::nullopt));
  ASSERT_TRUE(trash_->TrashVersion(owner(), "cats", 1));
  ASSERT_TRUE(trash_->TrashProject(owner(), "cats", false));

  auto blocked = trash_->Restore(owner(), VersionRef(*p, 1));
  ASSERT_FALSE(blocked);
  EXPECT_EQ(blocked.error().code, "parent_in_trash");
  auto listed = List(OfType(ItemType::kVersion));
  ASSERT_EQ(listed.page.items.size(), 1u);
  EXPECT_TRUE(listed.page.items[0].parent_in_trash);

  // One batch, version listed first: the project still comes back first.
  auto batch = trash_->RestoreMany(owner(), {VersionRef(*p, 1), ProjectRef(*p)});
  EXPECT_EQ(batch.done.size(), 2u);
  EXPECT_TRUE(batch.failed.empty());
  auto back = content_->GetProject(owner(), "cats");
  ASSERT_TRUE(back);
  EXPECT_EQ(back->group_id, group->id);
  EXPECT_TRUE(content_->GetVersion(owner(), "cats", 1));
}

TEST_F(TrashRules, T9VersionsGoWithTheProjectButEarlierTrashedOnesStay) {
  auto p = MakeProject("Cats", 1);
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(content_->GenerateVersion(owner(), "cats", std::nullopt));
  ASSERT_TRUE(trash_->TrashVersion(owner(), "cats", 2));
  ASSERT_TRUE(trash_->TrashProject(owner(), "cats", false));
  auto l = List();
  EXPECT_EQ(l.counts.trash_projects, 1);
  EXPECT_EQ(l.counts.trash_versions, 1);  // only the one trashed on its own
  ASSERT_TRUE(trash_->Restore(owner(), ProjectRef(p)));
  EXPECT_TRUE(content_->GetVersion(owner(), "cats", 1));
  EXPECT_TRUE(content_->GetVersion(owner(), "cats", 3));
  EXPECT_EQ(content_->GetVersion(owner(), "cats", 2).error().code, "in_trash");
  EXPECT_EQ(List().page.items.size(), 1u);
}

TEST_F(TrashRules, T10RestoreConflictNeverOverwritesAndAcceptsANewUrl) {
  auto old = MakeProject("Cats");
  ASSERT_TRUE(trash_->TrashProject(owner(), "cats", false));
  auto fresh = MakeProject("Cats");
  auto r = trash_->Restore(owner(), ProjectRef(old));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, "restore_conflict");
  EXPECT_TRUE(List().page.items[0].url_taken);
  EXPECT_EQ(content_->GetProject(owner(), "cats")->id, fresh.id);

  ItemRef renamed = ProjectRef(old);
  renamed.new_url = "projects";
  EXPECT_EQ(trash_->Restore(owner(), renamed).error().code, "reserved_url");
  renamed.new_url = "cats";
  EXPECT_EQ(trash_->Restore(owner(), renamed).error().code, "restore_conflict");
  renamed.new_url = "cats-2019";
  ASSERT_TRUE(trash_->Restore(owner(), renamed));
  EXPECT_EQ(content_->GetProject(owner(), "cats-2019")->id, old.id);
  EXPECT_EQ(content_->GetProject(owner(), "cats")->id, fresh.id);

  // Workflows too.
  ASSERT_TRUE(content_->CreateWorkflow(owner(), {"Flow", std::nullopt, "{}"}));
  auto wf = trash_->TrashWorkflow(owner(), "flow");
  ASSERT_TRUE(content_->CreateWorkflow(owner(), {"Flow", std::nullopt, "{}"}));
  EXPECT_EQ(trash_->Restore(owner(), ItemRef{ItemType::kWorkflow, wf->workflow.id, {}, {}}).error().code,
            "restore_conflict");
}

TEST_F(TrashRules, T12SharedImagesArePreservedAndExclusiveOnesRemoved) {
  auto a = MakeProject("A", 3, 1);   // images 1,2,3
  auto b = MakeProject("B", 1, 10);  // image 10
  auto shared = content_->ListImages(owner(), std::string("a"), 1, std::nullopt)->items.front();
  ASSERT_TRUE(content_->LinkImages(owner(), "b", {shared.id}));
  ASSERT_TRUE(trash_->TrashProject(owner(), "a", true));
  ASSERT_TRUE(trash_->TrashProject(owner(), "b", false));  // B in the Trash still protects its images
  Advance(30 * kDay);
  RunCleanup();
  EXPECT_EQ(UsageNow().image_count, 2);  // the shared one and B's own
  EXPECT_TRUE(content_->GetImage(owner(), shared.id));
  EXPECT_EQ(BlobFiles(), 2u);
}

TEST_F(TrashRules, T12DecisionIsMadeAtCleanupTime) {
  MakeProject("A", 2, 1);
  MakeProject("B");
  auto imgs = content_->ListImages(owner(), std::string("a"), 10, std::nullopt)->items;
  ASSERT_TRUE(trash_->TrashProject(owner(), "a", true));
  // Linked to another project after A went to the Trash: kept at cleanup.
  ASSERT_TRUE(content_->LinkImages(owner(), "b", {imgs[0].id}));
  Advance(30 * kDay);
  RunCleanup();
  EXPECT_TRUE(content_->GetImage(owner(), imgs[0].id));
  EXPECT_FALSE(content_->GetImage(owner(), imgs[1].id));
}

TEST_F(TrashRules, T12ImagesOnlyInVersionsAreRemovedAndWithoutTheFlagNothingIs) {
  MakeProject("A", 2, 1);
  ASSERT_TRUE(content_->GenerateVersion(owner(), "a", std::nullopt));
  MakeProject("Keep", 2, 50);
  ASSERT_TRUE(trash_->TrashProject(owner(), "keep", false));
  ASSERT_TRUE(trash_->TrashProject(owner(), "a", true));
  Advance(30 * kDay);
  RunCleanup();
  EXPECT_EQ(UsageNow().image_count, 2);  // Keep's images stay in the Asset Library, unlinked
  auto left = content_->ListImages(owner(), std::nullopt, 10, std::nullopt);
  ASSERT_TRUE(left);
  for (const auto& img : left->items) {
    EXPECT_TRUE(img.project_urls.empty());
  }
}

TEST_F(TrashRules, T13SameBytesInTwoWorkspacesKeepTheFileUntilBothGo) {
  MakeProject("A", 1, 7);
  auto other = accounts_->Bootstrap("other", "o@example.com", "long enough password");
  auto op = accounts_->ResolveActor(*accounts_->AuthenticateApiKey(other->api_key), "other").value();
  ASSERT_TRUE(content_->CreateProject(op, domain::NewProject{"A", "object-detection", "x", {}, {}}));
  ASSERT_TRUE(content_->Upload(op, "a", "same.png", Png(7)));
  EXPECT_EQ(BlobFiles(), 1u);
  ASSERT_TRUE(trash_->TrashProject(owner(), "a", true));
  Advance(30 * kDay);
  RunCleanup();
  EXPECT_EQ(BlobFiles(), 1u);
  ASSERT_TRUE(trash_->TrashProject(op, "a", true));
  Advance(30 * kDay);
  RunCleanup();
  EXPECT_EQ(BlobFiles(), 0u);
}

TEST_F(TrashRules, T14RestoreAndPermanentDeleteHaveExactlyOneWinner) {
  for (int round = 0; round < 25; ++round) {
    std::string name = "race" + std::to_string(round);
    auto p = MakeProject(name, 1, 1000 + round);
    ASSERT_TRUE(trash_->TrashProject(owner(), p.url, true));
    std::atomic<int> wins{0};
    std::atomic<int> losses{0};
    std::thread restorer([&] {
      auto r = trash_->Restore(owner(), ProjectRef(p));
      (r ? wins : losses)++;
      if (!r) {
        EXPECT_EQ(r.error().code, "not_in_trash");
      }
    });
    std::thread deleter([&] {
      auto b = trash_->DeletePermanently(owner(), {ProjectRef(p)});
      (b.done.size() == 1 ? wins : losses)++;
      if (!b.failed.empty()) {
        EXPECT_EQ(b.failed[0].error->code, "not_in_trash");
      }
    });
    restorer.join();
    deleter.join();
    EXPECT_EQ(wins.load(), 1);
    EXPECT_EQ(losses.load(), 1);
    RunCleanup();
    bool active = content_->GetProject(owner(), p.url).has_value();
    bool in_trash = !List(Matching(name)).page.items.empty();
    EXPECT_FALSE(in_trash);
    // Either fully back (with its image) or fully gone.
    EXPECT_EQ(active, UsageNow().image_count > 0 && content_->ListImages(owner(), p.url, 5, std::nullopt).has_value());
    if (active) {
      ASSERT_TRUE(trash_->TrashProject(owner(), p.url, true));
    }
    Advance(31 * kDay);
    RunCleanup();
  }
  EXPECT_EQ(UsageNow().image_count, 0);
}

TEST_F(TrashRules, T15EveryActionIsAudited) {
  auto p = MakeProject("Cats");
  ASSERT_TRUE(trash_->TrashProject(owner(), "cats", false));
  ASSERT_TRUE(trash_->Restore(owner(), ProjectRef(p)));
  ASSERT_TRUE(trash_->TrashProject(owner(), "cats", false));
  EXPECT_EQ(trash_->DeletePermanently(owner(), {ProjectRef(p)}).done.size(), 1u);
  MakeProject("Dogs");
  ASSERT_TRUE(trash_->TrashProject(owner(), "dogs", false));
  ASSERT_TRUE(trash_->EmptyTrash(owner(), "acme"));
  auto events = trash_->Audit(owner(), 50, std::nullopt)->items;
  std::vector<std::string> actions;
  for (auto it = events.rbegin(); it != events.rend(); ++it) actions.push_back(it->action);
  EXPECT_EQ(actions,
            (std::vector<std::string>{"trash", "restore", "trash", "delete_permanently", "trash", "empty_trash"}));
  EXPECT_EQ(events.front().actor_name, "Olive Owner");
}

TEST_F(TrashRules, PermissionsAreCheckedPerItemType) {
  MakeProject("Cats");
  ASSERT_TRUE(content_->CreateWorkflow(owner(), {"Flow", std::nullopt, "{}"}));
  auto member = AddMember("m@example.com", "member");
  EXPECT_EQ(trash_->TrashProject(member, "cats", false).error().code, "forbidden");
  EXPECT_EQ(trash_->List(member, {}).error().code, "forbidden");

  auto trasher = ActorWith({"trash_dataset", "view_trash"}, "t@example.com");
  auto p = trash_->TrashProject(trasher, "cats", false);
  ASSERT_TRUE(p);
  EXPECT_EQ(trash_->TrashWorkflow(trasher, "flow").error().code, "forbidden");
  auto r = trash_->RestoreMany(trasher, {ProjectRef(p->project)});
  ASSERT_EQ(r.failed.size(), 1u);
  EXPECT_EQ(r.failed[0].error->code, "forbidden");
  // Permanent deletion needs view_trash and the type's trash permission; empty needs all three.
  EXPECT_EQ(trash_->EmptyTrash(trasher, "acme").error().code, "forbidden");
  EXPECT_EQ(trash_->DeletePermanently(trasher, {ProjectRef(p->project)}).done.size(), 1u);
}

TEST_F(TrashRules, EmptyTrashNeedsTheWorkspaceUrl) {
  MakeProject("Cats");
  ASSERT_TRUE(trash_->TrashProject(owner(), "cats", false));
  EXPECT_EQ(trash_->EmptyTrash(owner(), "ACME").error().code, "confirmation_required");
  EXPECT_EQ(trash_->EmptyTrash(owner(), "acme")->done.size(), 1u);
  EXPECT_TRUE(List().page.items.empty());  // purging items leave the listing at once
}

TEST_F(TrashRules, VersionNumbersAreNeverReused) {
  auto p = MakeProject("Cats", 1);
  ASSERT_TRUE(content_->GenerateVersion(owner(), "cats", std::nullopt));
  ASSERT_TRUE(content_->GenerateVersion(owner(), "cats", std::nullopt));
  ASSERT_TRUE(trash_->TrashVersion(owner(), "cats", 2));
  ASSERT_EQ(trash_->DeletePermanently(owner(), {VersionRef(p, 2)}).done.size(), 1u);
  RunCleanup();
  auto v = content_->GenerateVersion(owner(), "cats", std::nullopt);
  EXPECT_EQ(v->number, 3);
}

TEST_F(TrashRules, ListingPagesWithKeysetCursors) {
  for (int i = 0; i < 7; ++i) {
    MakeProject("P" + std::to_string(i));
    ASSERT_TRUE(trash_->TrashProject(owner(), "p" + std::to_string(i), false));
    Advance(1000);
  }
  for (auto sort : {domain::TrashSort::kDeletedAt, domain::TrashSort::kScheduledCleanupAt, domain::TrashSort::kName}) {
    std::vector<std::string> seen;
    domain::TrashQuery q;
    q.sort = sort;
    q.limit = 3;
    for (;;) {
      auto page = List(q).page;
      for (const auto& t : page.items) seen.push_back(t.name);
      if (!page.more) break;
      const auto& last = page.items.back();
      q.after_key = sort == domain::TrashSort::kName        ? last.name
                    : sort == domain::TrashSort::kDeletedAt ? std::to_string(last.deleted_at)
                                                            : std::to_string(last.cleanup_at);
      q.after_id = last.id;
    }
    ASSERT_EQ(seen.size(), 7u);
    EXPECT_EQ(seen.front(), sort == domain::TrashSort::kDeletedAt ? "P6" : "P0");
  }
  EXPECT_EQ(List(Matching("P3")).page.items.size(), 1u);
  EXPECT_EQ(List(Matching("p3")).page.items.size(), 1u);  // ASCII case is ignored on both databases
  EXPECT_EQ(List(Matching("%")).page.items.size(), 0u);
}

// The listing reads its own columns of a row (not the workspace, the state or the purging actor,
// which are the listing's own), each text in place: every item it lists carries exactly what the
// row holds, read the other way (a lookup by id), texts of any length and a group set or not.
TEST_F(TrashRules, ListedItemsCarryEveryFieldOfTheirRow) {
  auto group = accounts_->CreateGroup(owner(), "Pets");
  std::string long_name = "Chats très longs " + std::string(150, 'x');
  auto p =
      content_->CreateProject(owner(), domain::NewProject{long_name, "object-detection", "c", group->id, std::nullopt});
  ASSERT_TRUE(p) << p.error().code << " " << p.error().message;
  ASSERT_TRUE(content_->GenerateVersion(owner(), p->url, std::nullopt));
  ASSERT_TRUE(trash_->TrashVersion(owner(), p->url, 1));
  Advance(1000);
  ASSERT_TRUE(trash_->TrashProject(owner(), p->url, true));
  MakeProject("D");
  ASSERT_TRUE(trash_->TrashProject(owner(), "d", false));
  auto listed = List().page.items;
  ASSERT_EQ(listed.size(), 3u);
  for (const auto& t : listed) {
    std::optional<domain::TrashItem> row;
    ASSERT_TRUE(store_->Read([&](domain::Transaction& tx) {
      row = tx.trash().ById(t.id);
      return core::Ok();
    }));
    ASSERT_TRUE(row) << t.id;
    EXPECT_EQ(t.workspace_id, row->workspace_id);
    EXPECT_EQ(t.type, row->type);
    EXPECT_EQ(t.object_id, row->object_id);
    EXPECT_EQ(t.name, row->name);
    EXPECT_EQ(t.url, row->url);
    EXPECT_EQ(t.parent_project_id, row->parent_project_id);
    EXPECT_EQ(t.version_number, row->version_number);
    EXPECT_EQ(t.deleted_by, row->deleted_by);
    EXPECT_EQ(t.deleted_by_name, row->deleted_by_name);
    EXPECT_EQ(t.deleted_at, row->deleted_at);
    EXPECT_EQ(t.cleanup_at, row->cleanup_at);
    EXPECT_EQ(t.cleanup_delete_images, row->cleanup_delete_images);
    EXPECT_EQ(t.state, row->state);
    EXPECT_EQ(t.size_bytes, row->size_bytes);
    EXPECT_EQ(t.group_id, row->group_id);
    EXPECT_EQ(t.purge_actor_id, row->purge_actor_id);
    EXPECT_EQ(t.purge_actor_name, row->purge_actor_name);
  }
  // The surroundings: the version's project (in the Trash, with its long name), the group's name.
  const auto& version =
      *std::find_if(listed.begin(), listed.end(), [](const auto& t) { return t.type == ItemType::kVersion; });
  EXPECT_EQ(version.parent_name, long_name);
  EXPECT_TRUE(version.parent_in_trash);
  const auto& project = *std::find_if(listed.begin(), listed.end(), [&](const auto& t) { return t.name == long_name; });
  EXPECT_EQ(project.group_id, group->id);
  EXPECT_EQ(project.group_name, "Pets");
  EXPECT_TRUE(project.cleanup_delete_images);
  EXPECT_FALSE(project.url_taken);
  const auto& plain = *std::find_if(listed.begin(), listed.end(), [](const auto& t) { return t.name == "D"; });
  EXPECT_FALSE(plain.group_id.has_value());
  EXPECT_EQ(plain.group_name, "");
  EXPECT_FALSE(plain.cleanup_delete_images);
}

// The cleanup timeline: one grouped query counts the items (and their sizeBytes) per UTC day of
// today and the next 30 dates; an item already past its date that cleanup has not reached counts
// today, one 30 days away is on the last day, later ones are left out, restored ones leave.
TEST_F(TrashRules, TimelineCountsItemsAndBytesPerCleanupDay) {
  MakeProject("Old", 1, 500);
  ASSERT_TRUE(trash_->TrashProject(owner(), "old", false));
  Advance(31 * kDay);  // past its cleanup date; the worker has not run
  auto p = MakeProject("Cats", 2, 510);
  ASSERT_TRUE(content_->GenerateVersion(owner(), "cats", std::nullopt));
  ASSERT_TRUE(content_->GenerateVersion(owner(), "cats", std::nullopt));
  ASSERT_TRUE(trash_->TrashVersion(owner(), "cats", 1));
  ASSERT_TRUE(trash_->TrashVersion(owner(), "cats", 2));

  auto t = trash_->Timeline(owner());
  ASSERT_TRUE(t) << t.error().message;
  ASSERT_EQ(t->days.size(), static_cast<std::size_t>(domain::kTimelineDays));
  EXPECT_EQ(t->first_day, t->now / kDay);
  for (std::size_t i = 0; i < t->days.size(); ++i)
    EXPECT_EQ(t->days[i].day, t->first_day + static_cast<std::int64_t>(i));
  auto listing = List();
  ASSERT_EQ(listing.page.items.size(), 3u);
  std::int64_t old_bytes = 0;
  std::int64_t version_bytes = 0;
  for (const auto& item : listing.page.items) (item.name == "Old" ? old_bytes : version_bytes) += item.size_bytes;
  EXPECT_EQ(t->days.front().items, 1);  // overdue: today
  EXPECT_EQ(t->days.front().bytes, old_bytes);
  EXPECT_EQ(t->days.back().items, 2);  // deleted now, 30 days of retention
  EXPECT_EQ(t->days.back().bytes, version_bytes);
  std::int64_t total = 0;
  for (const auto& d : t->days) total += d.items;
  EXPECT_EQ(total, 3);

  ASSERT_TRUE(trash_->Restore(owner(), VersionRef(p, 2)));
  EXPECT_EQ(trash_->Timeline(owner())->days.back().items, 1);
  Advance(kDay);  // the versions' day is now 29 dates away
  auto later = trash_->Timeline(owner());
  EXPECT_EQ(later->days[domain::kTimelineDays - 2].items, 1);
  EXPECT_EQ(later->days.back().items, 0);

  auto uploader = ActorWith({"upload_images"}, "uploader@example.com");
  EXPECT_EQ(trash_->Timeline(uploader).error().code, "forbidden");
}

}  // namespace
}  // namespace limbo::testing
