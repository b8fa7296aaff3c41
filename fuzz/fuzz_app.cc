#include "fuzz_app.h"

#include <spdlog/spdlog.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>

#include "core/crypto.h"
#include "storage/blob/file_blob_store.h"
#include "storage/blob/model_files.h"
#include "storage/postgres/postgres_store.h"
#include "storage/sqlite/sqlite_store.h"
#include "web/web_routes.h"

namespace limbo::fuzz {
namespace {

namespace fs = std::filesystem;

struct Owned {
  fs::path dir;
  std::string pg_url, pg_schema;  // LIMBO_TEST_DB set: the rows live in a schema of their own there
  std::unique_ptr<domain::Store> store;
  std::unique_ptr<storage::blob::FileBlobStore> blobs;
  std::unique_ptr<storage::blob::ModelFiles> models;
  core::SystemClock clock;
  std::unique_ptr<domain::AccountService> accounts;
  std::unique_ptr<domain::ContentService> content;
  std::unique_ptr<domain::TrainingService> training;
  std::unique_ptr<domain::TrashService> trash;
  std::unique_ptr<http::Api> api;
  FuzzApp app;

  ~Owned() {
    api.reset();
    trash.reset();
    training.reset();
    content.reset();
    accounts.reset();
    store.reset();
    if (!pg_schema.empty()) storage::postgres::DropScratchSchema(pg_url, pg_schema);
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
};

void Fail(const char* what) {
  std::fprintf(stderr, "fuzz fixture: %s\n", what);
  std::abort();
}

http::Response Call(http::Api& api, const std::string& key, const std::string& method, const std::string& target,
                    const std::string& body) {
  http::Request req;
  req.method = method;
  req.target = target;
  if (!http::ParseTarget(req.target, &req.path, &req.query)) Fail("bad fixture target");
  req.headers.emplace_back("authorization", "Bearer " + key);
  req.headers.emplace_back("content-type", "application/json");
  req.body = body;
  req.remote_addr = "127.0.0.1";
  return api.Handle(req);
}

Owned* Build() {
  spdlog::set_level(spdlog::level::off);
  core::InitCrypto();
  auto* o = new Owned();
  o->dir = fs::temp_directory_path() / ("limbo-fuzz-" + core::RandomToken(8));
  fs::create_directories(o->dir);
  const char* db = std::getenv("LIMBO_TEST_DB");
  if (db != nullptr && storage::postgres::IsPostgresUrl(db)) {
    o->pg_url = db;
    o->pg_schema = storage::postgres::CreateScratchSchema(o->pg_url, "fuzz_");
    o->store = std::make_unique<storage::postgres::PostgresStore>(
        storage::postgres::UrlWithSearchPath(o->pg_url, o->pg_schema));
  } else {
    o->store = std::make_unique<storage::sqlite::SqliteStore>((o->dir / "limbo.db").string());
  }
  o->blobs = std::make_unique<storage::blob::FileBlobStore>((o->dir / "blobs").string());
  o->models = std::make_unique<storage::blob::ModelFiles>((o->dir / "models").string());
  o->accounts = std::make_unique<domain::AccountService>(*o->store, o->clock);
  o->content = std::make_unique<domain::ContentService>(*o->store, *o->blobs, o->clock);
  o->training = std::make_unique<domain::TrainingService>(*o->store, *o->models, o->clock, core::kSecondMs);
  o->trash = std::make_unique<domain::TrashService>(*o->store, *o->blobs, *o->models, o->clock);
  o->api = std::make_unique<http::Api>(
      http::Services{*o->accounts, *o->content, *o->training, *o->trash, nullptr, o->clock, nullptr});
  http::RegisterRoutes(*o->api);
  web::RegisterWebRoutes(*o->api);
  auto boot = o->accounts->Bootstrap("fz", "owner@fuzz.example", "correct horse battery", "Owner");
  if (!boot) Fail("bootstrap failed");
  o->app.api = o->api.get();
  o->app.api_key = boot->api_key;
  auto& api = *o->api;
  const std::string& key = o->app.api_key;
  const char* project = R"({"name":"P","type":"object-detection","annotation":"a"})";
  const char* gone = R"({"name":"Gone","type":"object-detection","annotation":"a"})";
  if (Call(api, key, "POST", "/fz/projects", project).status != 201) Fail("create project");
  if (Call(api, key, "POST", "/fz/projects", gone).status != 201) Fail("create second project");
  for (int i = 0; i < 2; ++i) {
    if (Call(api, key, "POST", "/fz/p/versions", "").status != 201) Fail("create version");
  }
  if (Call(api, key, "POST", "/fz/workflows", R"({"name":"W"})").status != 201) Fail("create workflow");
  Call(api, key, "DELETE", "/fz/p/2", "");
  Call(api, key, "DELETE", "/fz/gone", "");
  return o;
}

}  // namespace

FuzzApp& App() {
  static std::unique_ptr<Owned> owned(Build());
  return owned->app;
}

}  // namespace limbo::fuzz
