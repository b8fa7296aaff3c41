#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <string>

#include "core/clock.h"
#include "domain/account_service.h"
#include "domain/content_service.h"
#include "domain/training_service.h"
#include "domain/trash_service.h"
#include "storage/blob/file_blob_store.h"
#include "storage/blob/model_files.h"

namespace limbo::testing {

// A small valid PNG whose bytes differ for every seed.
std::string Png(int seed, int width = 8, int height = 6);

// A real database and blob directory, a manual clock at a fixed instant, every domain service, and
// a workspace "acme" with its owner. The database is SQLite in a fresh temporary folder, or, when
// LIMBO_TEST_DB names a PostgreSQL database (postgresql://...), a fresh schema in it per test. The
// blobs are files, or objects when LIMBO_TEST_S3_DIR is set.
class DomainTest : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;

  // The owner of "acme".
  const domain::Actor& owner() const { return owner_; }
  // Adds a member with the given role ("member", "owner" or a custom role id) and returns its actor.
  domain::Actor AddMember(const std::string& email, const std::string& role);
  domain::Actor ActorWith(const std::vector<std::string>& permissions, const std::string& email);
  domain::Project MakeProject(const std::string& name, int images = 0, int first_seed = 1);
  domain::Image Upload(const std::string& project_url, int seed);
  // Runs sweep, cleanup and blob collection until nothing is left to do.
  void RunCleanup();
  void Advance(core::TimeMs ms) { clock_.Advance(ms); }
  // Starts a run of `version` and lets the demo trainer finish it; returns its id.
  std::string FinishedRun(const std::string& project, int version);
  domain::Usage UsageNow();
  std::size_t BlobFiles() const { return blobs_->List().size(); }
  // Another store on this test's database, with connections of its own: a second server, or this
  // one after a restart.
  std::unique_ptr<domain::Store> OpenStore() const;

  std::filesystem::path dir_;
  core::ManualClock clock_{1'800'000'000'000};  // 2027-01-15
  std::unique_ptr<domain::Store> store_;
  std::string pg_admin_url_;  // set when the test runs on PostgreSQL
  std::string pg_schema_;
  // A folder under dir_, or, when LIMBO_TEST_S3_DIR names the tests' S3 server, a fresh prefix of its
  // bucket (the `s3.*` entries of this suite).
  std::unique_ptr<domain::BlobStore> blobs_;
  std::unique_ptr<storage::blob::ModelFiles> models_;
  std::unique_ptr<domain::AccountService> accounts_;
  std::unique_ptr<domain::ContentService> content_;
  std::unique_ptr<domain::TrainingService> training_;
  std::unique_ptr<domain::TrashService> trash_;
  domain::Actor owner_;
  std::string owner_key_;
};

}  // namespace limbo::testing
