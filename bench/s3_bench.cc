// limbo_bench_s3 SCENARIO --blobs s3://BUCKET[/PREFIX]?endpoint=URL [--size N] [--dir DIR]: the object
// store's figures, each printed as JSON beside its limit measured in the same run against the same
// store (credentials from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY).
//   s3-cleanup   a purged project of N images with cleanupDeleteImages: the cleanup's rows and then its
//                objects removed by the collector (S3BlobStore::RemoveMany inside the collection's
//                transactions), beside the same number of objects removed with bare DeleteObjects
//                requests of 1000 keys (one libcurl handle, no database)
//   s3-transfer  N uploads and downloads of 1 MiB objects through the blob store, beside the same
//                requests made by one bare libcurl handle (what `curl --aws-sigv4` does)
#include <curl/curl.h>
#include <openssl/evp.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <thread>
#include <vector>

#include "bench_data.h"
#include "core/crypto.h"
#include "domain/account_service.h"
#include "domain/content_service.h"
#include "domain/trash_service.h"
#include "storage/blob/model_files.h"
#include "storage/blob/s3_blob_store.h"
#include "storage/sqlite/sqlite_store.h"

namespace {

using namespace limbo;  // NOLINT: a benchmark driver
namespace fs = std::filesystem;
using bench::Clock;
using bench::Micros;
using bench::Num;

std::shared_ptr<storage::blob::S3Client> ClientFor(const std::string& url, const std::string& sub) {
  auto c = storage::blob::ParseS3Url(url);
  if (!c) throw std::runtime_error(c.error().message);
  if (auto st = storage::blob::CredentialsFromEnv(&*c); !st) throw std::runtime_error(st.error().message);
  c->prefix = (c->prefix.empty() ? "" : c->prefix + "/") + sub;
  return std::make_shared<storage::blob::S3Client>(*c);
}

// Writes `n` one-byte objects named FakeSha(1..n) with 8 connections; returns objects per second.
double Fill(storage::blob::S3Client& client, std::int64_t n) {
  std::atomic<std::int64_t> next{1};
  std::atomic<int> failed{0};
  std::string root = client.config().prefix + "/blobs/";
  auto a = Clock::now();
  std::vector<std::thread> pool;
  for (int t = 0; t < 8; ++t) {
    pool.emplace_back([&] {
      for (std::int64_t i = next++; i <= n; i = next++) {
        storage::blob::S3Request rq;
        rq.method = "PUT";
        rq.key = root + bench::FakeSha(i);
        rq.body = "x";
        rq.payload_sha256 = core::Sha256Hex("x");
        auto r = client.Send(rq);
        if (!r || r->status != 200) ++failed;
      }
    });
  }
  for (auto& t : pool) t.join();
  if (failed > 0) throw std::runtime_error(std::to_string(failed.load()) + " PUTs failed");
  return static_cast<double>(n) / (Micros(a, Clock::now()) / 1e6);
}

size_t Discard(char*, size_t size, size_t n, void* out) {
  *static_cast<std::size_t*>(out) += size * n;
  return size * n;
}

struct Bare {  // one libcurl easy handle, reused, signing with CURLOPT_AWS_SIGV4
  CURL* h = curl_easy_init();
  const storage::blob::S3Config& c;
  std::string sigv4;
  explicit Bare(const storage::blob::S3Config& config) : c(config), sigv4("aws:amz:" + config.region + ":s3") {}
  ~Bare() { curl_easy_cleanup(h); }
  long Send(const std::string& method, const std::string& path, const std::string& body,  // NOLINT(runtime/int)
            const std::vector<std::string>& extra, std::size_t* received) {
    curl_easy_reset(h);
    curl_slist* hs = nullptr;
    hs = curl_slist_append(hs, ("x-amz-content-sha256: " + core::Sha256Hex(body)).c_str());
    for (const auto& e : extra) hs = curl_slist_append(hs, e.c_str());
    std::string url = c.endpoint + "/" + c.bucket + (path[0] == '?' ? "" : "/") + path;
    curl_easy_setopt(h, CURLOPT_URL, url.c_str());
    curl_easy_setopt(h, CURLOPT_AWS_SIGV4, sigv4.c_str());
    curl_easy_setopt(h, CURLOPT_USERNAME, c.access_key.c_str());
    curl_easy_setopt(h, CURLOPT_PASSWORD, c.secret_key.c_str());
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method.c_str());
    if (!body.empty()) {
      curl_easy_setopt(h, CURLOPT_POSTFIELDS, body.data());
      curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
    }
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hs);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, Discard);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, received);
    long status = 0;  // NOLINT(runtime/int)
    if (curl_easy_perform(h) == CURLE_OK) curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    curl_slist_free_all(hs);
    return status;
  }
};

std::string Md5Base64(const std::string& s) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  EVP_Digest(s.data(), s.size(), md, &n, EVP_md5(), nullptr);
  unsigned char out[64];
  int len = EVP_EncodeBlock(out, md, static_cast<int>(n));
  return std::string(reinterpret_cast<char*>(out), static_cast<std::size_t>(len));
}

void Cleanup(const std::string& url, std::int64_t n, const fs::path& dir) {
  fs::remove_all(dir);
  fs::create_directories(dir);
  std::string run = "bench-" + core::RandomToken(6);
  auto client = ClientFor(url, run + "/limbo");
  auto baseline = ClientFor(url, run + "/bare");
  double put_rate = Fill(*client, n);
  Fill(*baseline, n);

  core::ManualClock clock{1'800'000'000'000};
  storage::sqlite::SqliteStore store((dir / "limbo.db").string());
  storage::blob::S3BlobStore blobs(client);
  storage::blob::ModelFiles models((dir / "models").string());
  domain::AccountService accounts(store, clock);
  domain::ContentService content(store, blobs, clock);
  domain::TrashService trash(store, blobs, models, clock);
  auto boot = accounts.Bootstrap("bench", "bench@example.com", "bench password long");
  auto owner = accounts.ResolveActor(*accounts.AuthenticateApiKey(boot->api_key), "bench").value();
  std::string pid = bench::MakeProjectWithImages(store, owner.workspace.id, "big", n, 1, "", clock.Now());
  if (!trash.TrashProject(owner, "big", true)) throw std::runtime_error("trash failed");
  auto d = trash.DeletePermanently(owner, {domain::ItemRef{domain::ItemType::kProject, pid, {}, {}}});
  if (d.done.size() != 1) throw std::runtime_error("purge failed");

  auto a = Clock::now();
  int steps = 0;
  while (trash.CleanupStep()->worked) ++steps;
  auto b = Clock::now();
  std::int64_t removed = 0;
  for (;;) {
    auto r = trash.CollectBlobs(5000);
    if (!r) throw std::runtime_error("collection failed: " + r.error().detail);
    if (*r == 0) break;
    removed += *r;
  }
  auto c = Clock::now();

  // The limit: the same number of objects removed by bare DeleteObjects requests of 1000 keys.
  Bare bare(baseline->config());
  std::string root = baseline->config().prefix + "/blobs/";
  auto e = Clock::now();
  for (std::int64_t from = 1; from <= n; from += 1000) {
    std::string xml = R"(<?xml version="1.0" encoding="UTF-8"?><Delete><Quiet>true</Quiet>)";
    for (std::int64_t i = from; i < std::min(n + 1, from + 1000); ++i) {
      xml += "<Object><Key>" + root + bench::FakeSha(i) + "</Key></Object>";
    }
    xml += "</Delete>";
    std::size_t got = 0;
    long st =
        bare.Send("POST", "?delete=", xml, {"Content-Type: application/xml", "Content-MD5: " + Md5Base64(xml)}, &got);
    if (st != 200) throw std::runtime_error("bare DeleteObjects: HTTP " + std::to_string(st));
  }
  auto f = Clock::now();
  auto left = storage::blob::ListKeys(*client, client->config().prefix + "/blobs/");
  auto left_bare = storage::blob::ListKeys(*baseline, root);
  if (!left || !left_bare || !left->empty() || !left_bare->empty()) throw std::runtime_error("objects left behind");
  double objects_us = Micros(b, c), bare_us = Micros(e, f);
  std::cout << "{\"scenario\":\"s3-cleanup\",\"size\":" << n << "," << Num("rowsPhaseUs", Micros(a, b)) << ","
            << Num("objectsPhaseUs", objects_us) << "," << Num("objectsPerSecond", removed / (objects_us / 1e6)) << ","
            << Num("bareDeleteObjectsUs", bare_us) << "," << Num("bareObjectsPerSecond", n / (bare_us / 1e6)) << ","
            << Num("ratioToBare", objects_us / std::max(bare_us, 1.0)) << ",\"transactions\":" << steps << ","
            << Num("setupPutsPerSecond", put_rate) << ",\"targetRatio\":1.5}" << std::endl;
  fs::remove_all(dir);
}

void Transfer(const std::string& url, std::int64_t n) {
  auto client = ClientFor(url, "bench-" + core::RandomToken(6));
  storage::blob::S3BlobStore blobs(client);
  constexpr std::size_t kSize = 1 << 20;
  std::vector<std::string> bodies;
  std::vector<std::string> shas;
  for (std::int64_t i = 0; i < n; ++i) {
    std::string b(kSize, '\0');
    for (std::size_t j = 0; j < kSize; ++j) b[j] = static_cast<char>((j * 131 + static_cast<std::size_t>(i) * 7) % 251);
    shas.push_back(core::Sha256Hex(b));
    bodies.push_back(std::move(b));
  }
  auto a = Clock::now();
  for (std::int64_t i = 0; i < n; ++i) {
    if (!blobs.Put(shas[i], bodies[i])) throw std::runtime_error("Put failed");
  }
  auto b = Clock::now();
  std::size_t got = 0;
  for (std::int64_t i = 0; i < n; ++i) {
    auto r = blobs.GetTo(shas[i], [&](std::string_view piece) {
      got += piece.size();
      return true;
    });
    if (!r) throw std::runtime_error("Get failed");
  }
  auto c = Clock::now();
  Bare bare(client->config());
  std::string root = client->config().prefix + "/bare/";
  for (std::int64_t i = 0; i < n; ++i) {
    std::size_t ignored = 0;
    if (bare.Send("PUT", root + shas[i], bodies[i], {"Content-Type: application/octet-stream"}, &ignored) != 200) {
      throw std::runtime_error("bare PUT failed");
    }
  }
  auto d = Clock::now();
  std::size_t bare_got = 0;
  for (std::int64_t i = 0; i < n; ++i) {
    if (bare.Send("GET", root + shas[i], "", {}, &bare_got) != 200) throw std::runtime_error("bare GET failed");
  }
  auto e = Clock::now();
  double mib = static_cast<double>(n * kSize) / (1 << 20);
  (void)blobs.RemoveMany(shas);
  std::cout << "{\"scenario\":\"s3-transfer\",\"objects\":" << n << ",\"objectBytes\":" << kSize << ","
            << Num("uploadMiBps", mib / (Micros(a, b) / 1e6)) << "," << Num("downloadMiBps", mib / (Micros(b, c) / 1e6))
            << "," << Num("bareCurlUploadMiBps", mib / (Micros(c, d) / 1e6)) << ","
            << Num("bareCurlDownloadMiBps", mib / (Micros(d, e) / 1e6)) << "}" << std::endl;
}

}  // namespace

int main(int argc, char** argv) {
  core::InitCrypto();
  if (argc < 2) {
    std::cerr << "usage: limbo_bench_s3 s3-cleanup|s3-transfer --blobs s3://... [--size N] [--dir D]\n";
    return 2;
  }
  std::string scenario = argv[1], url;
  std::int64_t size = 0;
  fs::path dir = fs::temp_directory_path() / ("limbo-bench-s3-" + core::RandomToken(6));
  for (int i = 2; i + 1 < argc; i += 2) {
    std::string k = argv[i];
    if (k == "--size") size = std::atoll(argv[i + 1]);
    if (k == "--dir") dir = argv[i + 1];
    if (k == "--blobs") url = argv[i + 1];
  }
  try {
    if (scenario == "s3-cleanup") {
      Cleanup(url, size > 0 ? size : 10000, dir);
    } else if (scenario == "s3-transfer") {
      Transfer(url, size > 0 ? size : 20);
    } else {
      std::cerr << "unknown scenario " << scenario << "\n";
      return 2;
    }
  } catch (const std::exception& e) {
    std::cerr << "limbo_bench_s3 " << scenario << ": " << e.what() << "\n";
    return 1;
  }
  return 0;
}
