// The figures /metrics reads from the database (domain::Gauges), on SQLite and PostgreSQL.
#include "domain/gauges.h"

#include "support/fixture.h"

namespace limbo::testing {
namespace {

class Gauges : public DomainTest {
 protected:
  domain::GaugeReadings Read() {
    auto r = domain::Gauges(*store_, clock_, content_.get()).Read();
    EXPECT_TRUE(r) << (r ? "" : r.error().message + " " + r.error().detail);
    return r ? *r : domain::GaugeReadings{};
  }
  static const domain::WorkspaceTrashFigures* Of(const domain::GaugeReadings& g, const std::string& url) {
    for (const auto& ws : g.workspaces) {
      if (ws.url == url) return &ws;
    }
    return nullptr;
  }
};

TEST_F(Gauges, TrashFiguresAreTheCountersAndTheEarliestCleanup) {
  ASSERT_TRUE(accounts_->Bootstrap("other", "other@example.com", "password-long", "Other"));
  MakeProject("Early", 2, 10);
  MakeProject("Late", 1, 20);
  ASSERT_TRUE(trash_->TrashProject(owner(), "early", true));
  core::TimeMs first_cleanup = clock_.Now() + 30 * core::kDayMs;  // retention 30 days
  Advance(core::kDayMs);
  ASSERT_TRUE(trash_->TrashProject(owner(), "late", false));
  auto g = Read();
  EXPECT_EQ(g.now, clock_.Now());
  ASSERT_EQ(g.workspaces.size(), 2u);
  EXPECT_EQ(g.workspaces[0].url, "acme");  // by url
  const auto* acme = Of(g, "acme");
  ASSERT_NE(acme, nullptr);
  auto usage = UsageNow();
  EXPECT_EQ(acme->items[static_cast<int>(domain::ItemType::kProject)], 2);
  EXPECT_EQ(acme->items[static_cast<int>(domain::ItemType::kProject)], usage.trash_projects);
  EXPECT_GT(acme->bytes, 0);
  auto report = content_->Figures(acme->id);
  ASSERT_TRUE(report);
  EXPECT_EQ(acme->bytes, report->trash_only_bytes);
  EXPECT_EQ(acme->storage_bytes, report->usage.storage_bytes);
  EXPECT_EQ(acme->reclaimable_bytes, report->reclaimable_bytes);
  ASSERT_TRUE(acme->oldest_cleanup_at);
  EXPECT_EQ(*acme->oldest_cleanup_at, first_cleanup);
  EXPECT_EQ(acme->purging, 0);
  const auto* other = Of(g, "other");
  ASSERT_NE(other, nullptr);
  EXPECT_FALSE(other->oldest_cleanup_at);

  // Expired: the first item is purging (it still counts as an item until the cleanup deletes it) and
  // the earliest cleanup is now the second item's.
  Advance(29 * core::kDayMs);
  ASSERT_TRUE(trash_->Sweep());
  g = Read();
  acme = Of(g, "acme");
  EXPECT_EQ(acme->purging, 1);
  EXPECT_EQ(acme->items[static_cast<int>(domain::ItemType::kProject)], 2);
  EXPECT_EQ(*acme->oldest_cleanup_at, first_cleanup + core::kDayMs);

  // After the cleanup, its two images' blobs are queued and then collected.
  while (true) {
    auto step = trash_->CleanupStep();
    ASSERT_TRUE(step);
    if (!step->worked) break;
  }
  g = Read();
  EXPECT_EQ(Of(g, "acme")->purging, 0);
  EXPECT_EQ(g.blob_queue.queued, 2);
  ASSERT_TRUE(g.blob_queue.oldest_not_before);
  EXPECT_LE(*g.blob_queue.oldest_not_before, g.now);
  ASSERT_TRUE(trash_->CollectBlobs());
  g = Read();
  EXPECT_EQ(g.blob_queue.queued, 0);
  EXPECT_FALSE(g.blob_queue.oldest_not_before);
}

// Every workspace's bytes are its usage report's, whether its stored split is fresh, stale and
// recounted at the read (a small workspace, one set-based recount for all of them), or stale and
// read from the row (above the image limit); read in one transaction for all workspaces.
TEST_F(Gauges, EveryWorkspacesBytesAreItsUsageReports) {
  for (const char* ws : {"bravo", "charlie", "delta"}) {
    ASSERT_TRUE(accounts_->Bootstrap(ws, std::string(ws) + "@example.com", "password-long", ws));
  }
  MakeProject("Kept", 2, 10);
  MakeProject("Shared", 3, 20);
  MakeProject("Gone", 1, 30);
  ASSERT_TRUE(content_->GenerateVersion(owner(), "kept", std::nullopt));
  ASSERT_TRUE(trash_->TrashProject(owner(), "gone", true));
  ASSERT_TRUE(trash_->TrashVersion(owner(), "kept", 1));
  ASSERT_TRUE(trash_->TrashProject(owner(), "shared", false));
  auto check = [&](domain::ContentService& content, const char* step) {
    SCOPED_TRACE(step);
    auto g = domain::Gauges(*store_, clock_, &content).Read();
    ASSERT_TRUE(g);
    ASSERT_EQ(g->workspaces.size(), 4u);
    for (const auto& ws : g->workspaces) {
      SCOPED_TRACE(ws.url);
      auto r = content.Figures(ws.id);
      ASSERT_TRUE(r);
      EXPECT_EQ(ws.storage_bytes, r->usage.storage_bytes);
      EXPECT_EQ(ws.bytes, r->trash_only_bytes);
      EXPECT_EQ(ws.reclaimable_bytes, r->reclaimable_bytes);
      EXPECT_EQ(ws.reclaimable_fresh, !r->figures_stale);
    }
  };
  check(*content_, "stale, recounted at the read");
  domain::ContentService row_read(*store_, *blobs_, clock_);
  row_read.set_exact_figures_images(-1);  // as a workspace above the limit
  check(row_read, "stale, read from the row");
  auto row_figures = domain::Gauges(*store_, clock_, &row_read).Read();
  ASSERT_TRUE(row_figures);
  const auto* stale = Of(*row_figures, "acme");
  ASSERT_NE(stale, nullptr);
  EXPECT_FALSE(stale->reclaimable_fresh);
  ASSERT_TRUE(content_->RefreshReclaimable());
  check(*content_, "fresh");
  check(row_read, "fresh, read from the row");
  auto g = Read();
  const auto* acme = Of(g, "acme");
  ASSERT_NE(acme, nullptr);
  EXPECT_GT(acme->bytes, 0);
}

TEST_F(Gauges, CountsStopAtTheCap) {
  // Rows made directly: the cap is what is checked, not the Trash's rules.
  ASSERT_TRUE(store_->Write([&](domain::Transaction& tx) -> core::Status {
    for (int i = 0; i < 25; ++i) {
      domain::TrashItem t;
      t.workspace_id = owner().workspace.id;
      t.type = domain::ItemType::kWorkflow;
      t.object_id = "w" + std::to_string(i);
      t.name = t.url = t.object_id;
      t.deleted_at = clock_.Now();
      t.cleanup_at = clock_.Now();
      t.id = tx.trash().Insert(t);
      EXPECT_TRUE(tx.trash().CasState(t.id, domain::TrashState::kInTrash, domain::TrashState::kPurging, "", "x"));
      tx.blobs().Enqueue(std::string(62, 'a') + std::to_string(10 + i), clock_.Now());
    }
    return core::Ok();
  }));
  ASSERT_TRUE(store_->Read([&](domain::Transaction& tx) -> core::Status {
    EXPECT_EQ(tx.workspaces().TrashFigures(10).at(0).purging, 10);
    EXPECT_EQ(tx.workspaces().TrashFigures(100).at(0).purging, 25);
    EXPECT_EQ(tx.blobs().QueueFigures(10).queued, 10);
    EXPECT_EQ(tx.blobs().QueueFigures(100).queued, 25);
    return core::Ok();
  }));
}

TEST_F(Gauges, JobsByStateAndTheLease) {
  MakeProject("Cats", 1, 30);
  ASSERT_TRUE(content_->GenerateVersion(owner(), "cats", std::nullopt));
  ASSERT_TRUE(content_->GenerateVersion(owner(), "cats", std::nullopt));
  ASSERT_TRUE(training_->Start(owner(), "cats", 1));
  ASSERT_TRUE(training_->Start(owner(), "cats", 2));
  ASSERT_TRUE(training_->Cancel(owner(), "cats", 2));
  auto g = Read();
  auto count = [&](domain::JobState s) {
    for (const auto& [state, n] : g.jobs) {
      if (state == s) return n;
    }
    return std::int64_t{0};
  };
  EXPECT_EQ(count(domain::JobState::kQueued), 1);
  EXPECT_EQ(count(domain::JobState::kCancelled), 1);
  EXPECT_EQ(count(domain::JobState::kFinished), 0);
  EXPECT_FALSE(g.cleanup_lease);
  ASSERT_TRUE(store_->Write([&](domain::Transaction& tx) -> core::Status {
    EXPECT_TRUE(tx.server().TryTakeLease("cleanup", "server-a", clock_.SystemNow(), 15000));
    return core::Ok();
  }));
  g = Read();
  ASSERT_TRUE(g.cleanup_lease);
  EXPECT_EQ(g.cleanup_lease->holder, "server-a");
  EXPECT_EQ(g.cleanup_lease->expires_at, clock_.SystemNow() + 15000);
}

}  // namespace
}  // namespace limbo::testing
