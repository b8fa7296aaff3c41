// Restore All restores each run of one type with a few statements per transaction; every rule of
// one item's restore still holds per item (T8, T10, T14, T15), and the Trash generation (what a
// cached listing page is keyed by) moves with every write of the Trash rows, once per statement.
#include <algorithm>
#include <map>

#include "support/fixture.h"

namespace limbo::testing {
namespace {

using domain::ItemRef;
using domain::ItemType;

class RestoreAll : public DomainTest {
 protected:
  std::int64_t Generation() {
    auto g = trash_->ListingGeneration(owner());
    EXPECT_TRUE(g) << g.error().message;
    return g ? *g : 0;
  }
  static ItemRef ProjectRef(const domain::Project& p) {
    return ItemRef{ItemType::kProject, p.id, std::nullopt, std::nullopt};
  }
  static ItemRef VersionRef(const domain::Project& p, int n) {
    return ItemRef{ItemType::kVersion, std::to_string(n), p.id, std::nullopt};
  }
  // "type id" -> the error code ("" when restored).
  static std::map<std::string, std::string> Outcomes(const domain::BatchResult& r) {
    std::map<std::string, std::string> out;
    auto key = [](const ItemRef& ref) {
      return std::string(domain::ItemTypeName(ref.type)) + " " + (ref.parent_id ? *ref.parent_id + "/" : "") + ref.id;
    };
    for (const auto& o : r.done) out[key(o.ref)] = "";
    for (const auto& o : r.failed) out[key(o.ref)] = o.error->code;
    return out;
  }
  std::vector<domain::AuditEvent> RestoreEvents() {
    std::vector<domain::AuditEvent> out;
    std::optional<std::int64_t> before;
    for (;;) {
      auto page = trash_->Audit(owner(), 500, before);
      EXPECT_TRUE(page);
      if (!page || page->items.empty()) return out;
      for (const auto& e : page->items) {
        if (e.action == "restore") out.push_back(e);
      }
      before = page->items.back().id;
    }
  }
};

TEST_F(RestoreAll, EachItemKeepsTheRulesOfItsOwnRestore) {
  // cats: two versions with serving models; version 2 trashed on its own before the project.
  auto cats = MakeProject("Cats", 1);
  for (int i = 0; i < 2; ++i) ASSERT_TRUE(content_->GenerateVersion(owner(), "cats", std::nullopt));
  for (int v : {1, 2}) ASSERT_TRUE(training_->Start(owner(), "cats", v));
  ASSERT_TRUE(training_->Tick());
  Advance(31 * core::kSecondMs);
  ASSERT_TRUE(training_->Tick());
  ASSERT_TRUE(trash_->TrashVersion(owner(), "cats", 2));
  ASSERT_TRUE(trash_->TrashProject(owner(), "cats", false));
  // dogs: its version 1 trashed first; then a new active project takes the url "dogs" (T10), so
  // the old one conflicts and its version's project stays in the Trash.
  auto dogs = MakeProject("Dogs", 1, 10);
  ASSERT_TRUE(content_->GenerateVersion(owner(), "dogs", std::nullopt));
  ASSERT_TRUE(trash_->TrashVersion(owner(), "dogs", 1));
  ASSERT_TRUE(trash_->TrashProject(owner(), "dogs", false));
  auto new_dogs = MakeProject("Dogs", 0);
  ASSERT_EQ(new_dogs.url, "dogs");
  // birds: two trashed projects with the same url: the first restored takes it, the second conflicts.
  auto birds1 = MakeProject("Birds", 0);
  ASSERT_TRUE(trash_->TrashProject(owner(), "birds", false));
  auto birds2 = MakeProject("Birds", 0);
  ASSERT_TRUE(trash_->TrashProject(owner(), "birds", false));
  // Workflows: "flow" taken meanwhile, "other" free.
  ASSERT_TRUE(content_->CreateWorkflow(owner(), {"Flow", std::nullopt, "{}"}));
  ASSERT_TRUE(content_->CreateWorkflow(owner(), {"Other", std::nullopt, "{\"a\":1}"}));
  auto flow = trash_->TrashWorkflow(owner(), "flow");
  ASSERT_TRUE(flow);
  auto other = trash_->TrashWorkflow(owner(), "other");
  ASSERT_TRUE(other);
  ASSERT_TRUE(content_->CreateWorkflow(owner(), {"Flow", std::nullopt, "{}"}));
  for (int v : {1, 2}) EXPECT_FALSE(training_->Serving(owner(), "cats", v));

  auto r = trash_->RestoreAll(owner());
  ASSERT_TRUE(r) << r.error().message;
  auto got = Outcomes(*r);
  std::map<std::string, std::string> want = {
      {"project " + cats.id, ""},
      {"version " + cats.id + "/2", ""},
      {"project " + dogs.id, "restore_conflict"},
      {"version " + dogs.id + "/1", "parent_in_trash"},
      {"project " + birds1.id, ""},
      {"project " + birds2.id, "restore_conflict"},
      {"workflow " + flow->workflow.id, "restore_conflict"},
      {"workflow " + other->workflow.id, ""},
  };
  EXPECT_EQ(got, want);
  // The answer's order: projects, then versions, then workflows.
  std::vector<ItemType> order;
  for (const auto& o : r->done) order.push_back(o.ref.type);
  EXPECT_EQ(order,
            (std::vector<ItemType>{ItemType::kProject, ItemType::kProject, ItemType::kVersion, ItemType::kWorkflow}));
  for (const auto& o : r->failed) {
    if (o.error->code == "restore_conflict") {
      EXPECT_NE(o.error->message.find("now uses the url"), std::string::npos) << o.error->message;
      EXPECT_FALSE(o.error->hint.empty());
    }
  }

  // What was restored is active again, with the models it stopped (T4); what failed changed nothing.
  EXPECT_TRUE(content_->GetProject(owner(), "cats"));
  for (int v : {1, 2}) EXPECT_TRUE(training_->Serving(owner(), "cats", v)) << v;
  EXPECT_TRUE(content_->GetProject(owner(), "birds"));
  auto u = UsageNow();
  EXPECT_EQ(u.trash_projects, 2);
  EXPECT_EQ(u.trash_versions, 1);
  EXPECT_EQ(u.trash_workflows, 1);
  EXPECT_EQ(u.trash_items, 4);
  auto left = trash_->List(owner(), {});
  ASSERT_TRUE(left);
  EXPECT_EQ(left->page.items.size(), 4u);
  for (const auto& t : left->page.items) {
    EXPECT_TRUE(t.type == ItemType::kVersion ? t.parent_in_trash : t.url_taken) << t.name;
  }

  // One `restore` event per restored item, named as one item's restore names it (T15).
  auto events = RestoreEvents();
  ASSERT_EQ(events.size(), 4u);
  std::map<std::string, std::string> names;
  for (const auto& e : events) {
    names[e.item_type + " " + e.item_id] = e.item_name;
    EXPECT_EQ(e.actor_name, "Olive Owner");
    EXPECT_EQ(e.actor_id, owner().user.id);
  }
  std::string v2 = content_->GetVersion(owner(), "cats", 2)->name;
  EXPECT_EQ(names, (std::map<std::string, std::string>{{"project " + cats.id, "Cats"},
                                                       {"project " + birds1.id, "Birds"},
                                                       {"version " + cats.id + "/2", "cats / " + v2},
                                                       {"workflow " + other->workflow.id, "Other"}}));
  // The refused ones still restore on their own once unblocked.
  ItemRef renamed = ProjectRef(dogs);
  renamed.new_url = "old-dogs";
  ASSERT_TRUE(trash_->Restore(owner(), renamed));
  ASSERT_TRUE(trash_->Restore(owner(), VersionRef(dogs, 1)));
}

TEST_F(RestoreAll, AnItemTheCallerMayNotRestoreIsForbiddenAndTheOthersComeBack) {
  MakeProject("Cats");
  ASSERT_TRUE(content_->CreateWorkflow(owner(), {"Flow", std::nullopt, "{}"}));
  ASSERT_TRUE(trash_->TrashProject(owner(), "cats", false));
  ASSERT_TRUE(trash_->TrashWorkflow(owner(), "flow"));
  auto restorer = ActorWith({"view_trash", "restore_workflow"}, "r@example.com");
  auto r = trash_->RestoreAll(restorer);
  ASSERT_TRUE(r);
  ASSERT_EQ(r->done.size(), 1u);
  EXPECT_EQ(r->done[0].ref.type, ItemType::kWorkflow);
  ASSERT_EQ(r->failed.size(), 1u);
  EXPECT_EQ(r->failed[0].error->code, "forbidden");
  EXPECT_EQ(UsageNow().trash_items, 1);
}

TEST_F(RestoreAll, ItemsPastOneTransactionAllComeBackAndTheGenerationMovesOncePerTransaction) {
  constexpr int kItems = 501;  // two transactions of up to 500
  for (int i = 0; i < kItems; ++i) {
    auto p = content_->CreateProject(
        owner(), domain::NewProject{"P" + std::to_string(i), "object-detection", "x", std::nullopt, std::nullopt});
    ASSERT_TRUE(p) << p.error().message;
    ASSERT_TRUE(trash_->TrashProject(owner(), p->url, false));
  }
  std::int64_t before = Generation();
  auto r = trash_->RestoreAll(owner());
  ASSERT_TRUE(r);
  EXPECT_EQ(r->done.size(), static_cast<std::size_t>(kItems));
  EXPECT_TRUE(r->failed.empty());
  // Once per transaction, not once per Trash row (it moved 501 times when a trigger moved it per row).
  EXPECT_EQ(Generation() - before, 2);
  EXPECT_EQ(UsageNow().trash_items, 0);
  EXPECT_TRUE(trash_->List(owner(), {})->page.items.empty());
  EXPECT_EQ(RestoreEvents().size(), static_cast<std::size_t>(kItems));
}

// Every write of the Trash rows moves the generation in its own transaction, so a listing page cached
// before it is never served after it (docs/SECURITY.md): the rows have no trigger for it any more.
TEST_F(RestoreAll, EveryWriteOfTheTrashRowsMovesTheGeneration) {
  auto moved = [&](const char* what, const std::function<void()>& write) {
    std::int64_t before = Generation();
    write();
    EXPECT_GT(Generation(), before) << what;
  };
  auto cats = MakeProject("Cats", 1);
  ASSERT_TRUE(content_->GenerateVersion(owner(), "cats", std::nullopt));
  auto run = FinishedRun("cats", 1);
  ASSERT_TRUE(content_->CreateWorkflow(owner(), {"Flow", std::nullopt, "{}"}));
  ItemRef run_ref{ItemType::kTraining, run, std::nullopt, std::nullopt};

  moved("trash a training", [&] { ASSERT_TRUE(trash_->TrashTraining(owner(), "cats", 1, run)); });
  moved("restore a training", [&] { ASSERT_TRUE(trash_->RestoreTraining(owner(), "cats", 1, run)); });
  moved("trash a version", [&] { ASSERT_TRUE(trash_->TrashVersion(owner(), "cats", 1)); });
  moved("restore a selection", [&] { EXPECT_EQ(trash_->RestoreMany(owner(), {VersionRef(cats, 1)}).done.size(), 1u); });
  moved("trash a workflow", [&] { ASSERT_TRUE(trash_->TrashWorkflow(owner(), "flow")); });
  moved("trash a project", [&] { ASSERT_TRUE(trash_->TrashProject(owner(), "cats", false)); });
  moved("restore one item", [&] { ASSERT_TRUE(trash_->Restore(owner(), ProjectRef(cats))); });
  moved("restore all", [&] { EXPECT_EQ(trash_->RestoreAll(owner())->done.size(), 1u); });
  ASSERT_TRUE(trash_->TrashProject(owner(), "cats", false));
  moved("delete permanently",
        [&] { EXPECT_EQ(trash_->DeletePermanently(owner(), {ProjectRef(cats)}).done.size(), 1u); });
  moved("the purge's last step", [&] { RunCleanup(); });

  MakeProject("Dogs");
  ASSERT_TRUE(trash_->TrashProject(owner(), "dogs", false));
  moved("empty the Trash", [&] { EXPECT_EQ(trash_->EmptyTrash(owner(), "acme")->done.size(), 1u); });
  RunCleanup();

  MakeProject("Birds");
  ASSERT_TRUE(trash_->TrashProject(owner(), "birds", false));
  moved("the retention sweep", [&] {
    Advance(31 * core::kDayMs);
    EXPECT_EQ(*trash_->Sweep(), 1);
  });
  RunCleanup();

  auto group = accounts_->CreateGroup(owner(), "Pets");
  ASSERT_TRUE(group) << group.error().message;
  ASSERT_TRUE(content_->CreateProject(owner(), domain::NewProject{"Fish", "object-detection", "x", group->id, {}}));
  ASSERT_TRUE(trash_->TrashProject(owner(), "fish", false));
  moved("a group of a trashed project deleted", [&] { ASSERT_TRUE(accounts_->DeleteGroup(owner(), group->id)); });
}

}  // namespace
}  // namespace limbo::testing
