#include "core/crypto.h"
#include "support/fixture.h"

namespace limbo::testing {
namespace {

class Content : public DomainTest {};

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
