#include "support/fixture.h"

#include <stb/stb_image_write.h>

#include <cstdlib>
#include <fstream>
#include <map>
#include <random>
#include <stdexcept>
#include <vector>

#include "core/crypto.h"
#include "storage/blob/s3_blob_store.h"
#include "storage/postgres/postgres_store.h"
#include "storage/sqlite/sqlite_store.h"

namespace limbo::testing {

namespace fs = std::filesystem;

namespace {
void Append(void* ctx, void* data, int size) {
  static_cast<std::string*>(ctx)->append(static_cast<const char*>(data), static_cast<std::size_t>(size));
}
}  // namespace

std::string Png(int seed, int width, int height) {
  std::vector<unsigned char> px(static_cast<std::size_t>(width * height * 3));
  for (std::size_t i = 0; i < px.size(); ++i)
    px[i] = static_cast<unsigned char>((i * 31 + static_cast<std::size_t>(seed) * 7919) % 251);
  // The seed is also written into the first pixels so that different seeds never collide.
  for (int b = 0; b < 4 && b < width * height * 3; ++b)
    px[static_cast<std::size_t>(b)] = static_cast<unsigned char>(seed >> (8 * b));
  std::string out;
  stbi_write_png_to_func(Append, &out, width, height, 3, px.data(), width * 3);
  return out;
}

namespace {
// The tests' S3 server (scripts/s3-server.sh env) under a fresh prefix, or the folder DIR/blobs.
std::unique_ptr<domain::BlobStore> OpenBlobStoreFor(const fs::path& dir) {
  const char* s3_dir = std::getenv("LIMBO_TEST_S3_DIR");
  if (s3_dir == nullptr || *s3_dir == 0)
    return std::make_unique<storage::blob::FileBlobStore>((dir / "blobs").string());
  std::map<std::string, std::string> env;
  std::ifstream in(std::string(s3_dir) + "/env");
  std::string line;
  while (std::getline(in, line)) {
    auto eq = line.find('=');
    if (eq != std::string::npos) env[line.substr(0, eq)] = line.substr(eq + 1);
  }
  auto config = storage::blob::ParseS3Url("s3://" + env["LIMBO_TEST_S3_BUCKET"] + "/domain-" + core::RandomToken(10) +
                                          "?endpoint=" + storage::blob::UriEncode(env["LIMBO_TEST_S3_ENDPOINT"]));
  if (!config) throw std::runtime_error("LIMBO_TEST_S3_DIR: " + config.error().message);
  config->access_key = env["AWS_ACCESS_KEY_ID"];
  config->secret_key = env["AWS_SECRET_ACCESS_KEY"];
  return std::make_unique<storage::blob::S3BlobStore>(std::make_shared<storage::blob::S3Client>(*config));
}
}  // namespace

void DomainTest::SetUp() {
  core::InitCrypto();
  dir_ = fs::temp_directory_path() / ("limbo-test-" + core::RandomToken(10));
  fs::create_directories(dir_);
  const char* db = std::getenv("LIMBO_TEST_DB");
  if (db != nullptr && storage::postgres::IsPostgresUrl(db)) {
    // A schema of its own, first on the search path of every session of this test's store.
    pg_admin_url_ = db;
    pg_schema_ = storage::postgres::CreateScratchSchema(pg_admin_url_, "t_");
  }
  store_ = OpenStore();
  blobs_ = OpenBlobStoreFor(dir_);
  models_ = std::make_unique<storage::blob::ModelFiles>((dir_ / "models").string());
  accounts_ = std::make_unique<domain::AccountService>(*store_, clock_);
  content_ = std::make_unique<domain::ContentService>(*store_, *blobs_, clock_);
  training_ = std::make_unique<domain::TrainingService>(*store_, *models_, clock_, 30 * core::kSecondMs);
  trash_ = std::make_unique<domain::TrashService>(*store_, *blobs_, *models_, clock_);
  auto boot = accounts_->Bootstrap("acme", "owner@example.com", "correct horse battery", "Olive Owner");
  ASSERT_TRUE(boot) << boot.error().message;
  owner_key_ = boot->api_key;
  auto p = accounts_->AuthenticateApiKey(owner_key_);
  ASSERT_TRUE(p);
  // The owner as the web app's session sees it: some changes (T17) are refused to API keys.
  domain::Principal signed_in;
  signed_in.user = p->user;
  owner_ = accounts_->ResolveActor(signed_in, "acme").value();
}

std::unique_ptr<domain::Store> DomainTest::OpenStore() const {
  if (!pg_schema_.empty()) {
    return std::make_unique<storage::postgres::PostgresStore>(
        storage::postgres::UrlWithSearchPath(pg_admin_url_, pg_schema_));
  }
  return std::make_unique<storage::sqlite::SqliteStore>((dir_ / "limbo.db").string());
}

void DomainTest::TearDown() {
  trash_.reset();
  training_.reset();
  content_.reset();
  accounts_.reset();
  store_.reset();
  if (!pg_schema_.empty()) storage::postgres::DropScratchSchema(pg_admin_url_, pg_schema_);
  std::error_code ec;
  fs::remove_all(dir_, ec);
}

domain::Actor DomainTest::AddMember(const std::string& email, const std::string& role) {
  auto m = accounts_->AddMemberLocal(owner_.workspace.url, email, "Member " + email, "long enough password", role);
  EXPECT_TRUE(m) << m.error().message;
  domain::Principal p;
  EXPECT_TRUE(store_->Read([&](domain::Transaction& tx) -> core::Status {
    p.user = *tx.accounts().UserByEmail(email);
    return core::Ok();
  }));
  return accounts_->ResolveActor(p, "acme").value();
}

domain::Actor DomainTest::ActorWith(const std::vector<std::string>& permissions, const std::string& email) {
  auto role = accounts_->CreateRole(owner_, "role for " + email, permissions);
  EXPECT_TRUE(role) << role.error().message;
  return AddMember(email, role->id);
}

domain::Project DomainTest::MakeProject(const std::string& name, int images, int first_seed) {
  auto p = content_->CreateProject(owner_,
                                   domain::NewProject{name, "object-detection", "things", std::nullopt, std::nullopt});
  EXPECT_TRUE(p) << p.error().message;
  for (int i = 0; i < images; ++i) Upload(p->url, first_seed + i);
  return *content_->GetProject(owner_, p->url);
}

domain::Image DomainTest::Upload(const std::string& project_url, int seed) {
  auto r = content_->Upload(owner_, project_url, "img" + std::to_string(seed) + ".png", Png(seed));
  EXPECT_TRUE(r) << r.error().message;
  return r->image;
}

void DomainTest::RunCleanup() {
  ASSERT_TRUE(trash_->Sweep());
  for (;;) {
    auto p = trash_->CleanupStep();
    ASSERT_TRUE(p) << p.error().message;
    if (!p->worked) break;
  }
  for (;;) {
    auto n = trash_->CollectBlobs();
    ASSERT_TRUE(n);
    if (*n == 0) break;
  }
}

std::string DomainTest::FinishedRun(const std::string& project, int version) {
  auto j = training_->Start(owner(), project, version);
  EXPECT_TRUE(j) << j.error().message;
  EXPECT_TRUE(training_->Tick());
  Advance(31 * core::kSecondMs);
  EXPECT_TRUE(training_->Tick());
  return j->id;
}

domain::Usage DomainTest::UsageNow() { return content_->GetUsage(owner_)->usage; }

}  // namespace limbo::testing
