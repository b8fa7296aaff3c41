#include <functional>

#include "core/crypto.h"
#include "support/fixture.h"

namespace limbo::testing {
namespace {

class Content : public DomainTest {};

TEST(PageOf, TheExtraRowOnlySaysThatMoreFollow) {
  auto page = domain::PageOf(std::vector<int>{1, 2, 3}, 2);
  EXPECT_EQ(page.items, (std::vector<int>{1, 2}));
  EXPECT_TRUE(page.more);
  page = domain::PageOf(std::vector<int>{1, 2}, 2);  // a full last page
  EXPECT_EQ(page.items, (std::vector<int>{1, 2}));
  EXPECT_FALSE(page.more);
  EXPECT_FALSE(domain::PageOf(std::vector<int>{}, 2).more);
}

TEST_F(Content, ImagePagesSayExactlyWhetherMoreFollow) {
  MakeProject("Pages", 3);
  auto first = content_->ListImages(owner(), std::nullopt, 2, std::nullopt);
  ASSERT_TRUE(first);
  ASSERT_EQ(first->items.size(), 2u);
  EXPECT_TRUE(first->more);
  auto rest = content_->ListImages(owner(), std::nullopt, 2, first->items.back().id);
  ASSERT_TRUE(rest);
  EXPECT_EQ(rest->items.size(), 1u);
  EXPECT_FALSE(rest->more);
  EXPECT_FALSE(content_->ListImages(owner(), std::nullopt, 3, std::nullopt)->more);
}

TEST_F(Content, ProjectUrlsComeFromNamesAndReservedWordsAreRefused) {
  auto p = content_->CreateProject(owner(), {"My Cats (2024)!", "object-detection", "cats", {}, {}});
  ASSERT_TRUE(p);
  EXPECT_EQ(p->url, "my-cats-2024");
  EXPECT_EQ(content_->CreateProject(owner(), {"Trash", "object-detection", "x", {}, {}}).error().code, "reserved_url");
  EXPECT_EQ(content_->CreateProject(owner(), {"x", "object-detection", "x", {}, std::string("Bad_Url")}).error().code,
            "invalid_request");
  EXPECT_EQ(content_->CreateProject(owner(), {"My Cats 2024", "object-detection", "x", {}, {}}).error().code,
            "url_taken");
  EXPECT_EQ(content_->CreateProject(owner(), {"x", "painting", "x", {}, {}}).error().code, "invalid_request");
  EXPECT_EQ(content_->CreateProject(owner(), {"x", "object-detection", "x", std::string("g_nope"), {}}).error().code,
            "invalid_request");
}

// Fault injection around the real blob store: after the upload's first write, time passes the
// upload's grace period and the collector runs (it takes the queue entry and removes the file);
// the upload's next write then fails after the file is in place, as an fsync error would.
class CollectedThenFailingBlobs : public domain::BlobStore {
 public:
  CollectedThenFailingBlobs(domain::BlobStore& inner, std::function<void()> collect)
      : inner_(inner), collect_(std::move(collect)) {}
  core::Status Put(const std::string& sha, std::string_view bytes) override {
    core::Status st = inner_.Put(sha, bytes);
    if (++puts_ == 1) {
      collect_();
      return st;
    }
    return core::Error::Internal("The blob could not be made durable.");
  }
  core::Status PutFile(const std::string& sha, const std::string& path) override { return inner_.PutFile(sha, path); }
  bool Exists(const std::string& sha) const override { return inner_.Exists(sha); }
  core::Result<std::string> Get(const std::string& sha) const override { return inner_.Get(sha); }
  std::string PathOf(const std::string& sha) const override { return inner_.PathOf(sha); }
  core::Status Remove(const std::string& sha) override { return inner_.Remove(sha); }
  core::Status Probe() override { return inner_.Probe(); }
  std::vector<std::string> List() const override { return inner_.List(); }
  int puts() const { return puts_; }

 private:
  domain::BlobStore& inner_;
  std::function<void()> collect_;
  int puts_ = 0;
};

TEST_F(Content, AnUploadWhoseFileWasCollectedWritesItAgainOnlyWithItsQueueRowCommitted) {
  MakeProject("A");
  CollectedThenFailingBlobs faulty(*blobs_, [&] {
    Advance(domain::kUploadGraceMs + 1);
    ASSERT_TRUE(trash_->CollectBlobs());
  });
  domain::ContentService content(*store_, faulty, clock_);
  auto up = content.Upload(owner(), "a", "x.png", Png(5));
  ASSERT_FALSE(up);
  EXPECT_EQ(faulty.puts(), 2);
  // The file the failed write left is on the queue: once its grace has passed, it is collected.
  // (Written inside the last transaction, as before, it was left with no queue row: an orphan.)
  Advance(domain::kUploadGraceMs + 1);
  ASSERT_TRUE(trash_->CollectBlobs());
  EXPECT_EQ(BlobFiles(), 0u);
  EXPECT_EQ(UsageNow().storage_bytes, 0);
  // And without the fault, an upload whose file was collected before its row still gets both.
  auto ok = content_->Upload(owner(), "a", "y.png", Png(6));
  ASSERT_TRUE(ok);
  EXPECT_EQ(BlobFiles(), 1u);
}

TEST_F(Content, UploadsAreValidatedAndDeduplicated) {
  MakeProject("A");
  MakeProject("B");
  auto bad = content_->Upload(owner(), "a", "x.png", "not an image at all");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, "unsupported_media_type");
  auto first = content_->Upload(owner(), "a", "x.png", Png(1));
  ASSERT_TRUE(first);
  EXPECT_FALSE(first->duplicate);
  EXPECT_EQ(first->image.sha256, core::Sha256Hex(Png(1)));
  EXPECT_EQ(first->image.width, 8);
  auto again = content_->Upload(owner(), "b", "y.png", Png(1));
  ASSERT_TRUE(again);
  EXPECT_TRUE(again->duplicate);
  EXPECT_EQ(again->image.id, first->image.id);
  EXPECT_EQ(again->image.project_urls, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(UsageNow().image_count, 1);
  EXPECT_EQ(UsageNow().storage_bytes, static_cast<std::int64_t>(Png(1).size()));
  EXPECT_EQ(BlobFiles(), 1u);
  EXPECT_EQ(*content_->ImageContent(owner(), first->image.id), Png(1));
}

// Everything an image's reader gives.
std::string ReadAll(domain::BlobReader& r) {
  std::string out;
  char buf[7];  // small pieces: the first bytes the media type was read from come back in order too
  while (true) {
    auto n = r.Read(buf, sizeof buf);
    EXPECT_TRUE(n);
    if (!n || *n == 0) return out;
    out.append(buf, *n);
  }
}

TEST_F(Content, OpenImageContentReadsAnyRangeWithTheImagesMediaType) {
  MakeProject("A");
  auto up = content_->Upload(owner(), "a", "x.png", Png(3));
  ASSERT_TRUE(up);
  std::string bytes = Png(3);
  const std::uint64_t n = bytes.size();
  struct Case {
    std::uint64_t offset, length;
  };
  for (Case c : std::vector<Case>{{0, n}, {0, 1}, {0, 15}, {0, 16}, {0, 17}, {1, 3}, {20, n - 20}, {n - 1, 1}}) {
    auto got = content_->OpenImageContent(up->image, c.offset, c.length);
    ASSERT_TRUE(got) << got.error().message;
    EXPECT_EQ(got->media_type, "image/png") << c.offset << "+" << c.length;
    EXPECT_EQ(ReadAll(*got->reader), bytes.substr(c.offset, c.length)) << c.offset << "+" << c.length;
  }
  auto head = content_->OpenImageContent(up->image, 0, 0);  // HEAD: the media type only
  ASSERT_TRUE(head);
  EXPECT_EQ(head->media_type, "image/png");
  EXPECT_EQ(ReadAll(*head->reader), "");
}

TEST_F(Content, VersionsSnapshotTheProjectsImages) {
  MakeProject("A", 2);
  auto v1 = content_->GenerateVersion(owner(), "a", std::nullopt);
  Upload("a", 77);
  auto v2 = content_->GenerateVersion(owner(), "a", std::string("bigger"));
  EXPECT_EQ(v1->number, 1);
  EXPECT_EQ(v1->image_count, 2);
  EXPECT_EQ(v2->number, 2);
  EXPECT_EQ(v2->image_count, 3);
  EXPECT_EQ(v2->name, "bigger");
  EXPECT_EQ(content_->GetProject(owner(), "a")->version_count, 2);
}

TEST_F(Content, TrainingMetersCreditsOnTheServerClockAndFinishesWithAServingModel) {
  MakeProject("A", 1);
  ASSERT_TRUE(content_->GenerateVersion(owner(), "a", std::nullopt));
  auto job = training_->Start(owner(), "a", 1);
  ASSERT_TRUE(job);
  EXPECT_EQ(training_->Start(owner(), "a", 1).error().code, "job_active");
  ASSERT_TRUE(training_->Tick());
  Advance(12 * core::kSecondMs);
  auto running = training_->Get(owner(), job->id);
  EXPECT_EQ(running->state, domain::JobState::kRunning);
  EXPECT_DOUBLE_EQ(running->CreditsUsed(clock_.Now()), 12.0);
  Advance(3600 * core::kSecondMs);
  ASSERT_TRUE(training_->Tick());
  auto done = training_->Get(owner(), job->id);
  EXPECT_EQ(done->state, domain::JobState::kFinished);
  EXPECT_DOUBLE_EQ(done->CreditsUsed(clock_.Now()), 30.0);  // the trainer's duration, not the clock jump
  EXPECT_TRUE(training_->Serving(owner(), "a", 1));
}

TEST_F(Content, UserCancellationStopsMetering) {
  MakeProject("A", 1);
  ASSERT_TRUE(content_->GenerateVersion(owner(), "a", std::nullopt));
  auto job = training_->Start(owner(), "a", 1);
  ASSERT_TRUE(training_->Tick());
  Advance(5 * core::kSecondMs);
  auto c = training_->Cancel(owner(), "a", 1);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->cancel_reason, "user");
  Advance(100 * core::kSecondMs);
  EXPECT_DOUBLE_EQ(training_->Get(owner(), job->id)->CreditsUsed(clock_.Now()), 5.0);
  EXPECT_EQ(training_->Cancel(owner(), "a", 1).error().code, "no_active_job");
}

}  // namespace
}  // namespace limbo::testing
