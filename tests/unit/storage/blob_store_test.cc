// The blob store port on both implementations: the folder (FileBlobStore) and S3 (S3BlobStore against
// the tests' Swift server, when LIMBO_TEST_S3_DIR names it; its cases skip otherwise). Plus the S3
// client's URL parsing, canonical encoding, retries and the error of a store that is down.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <thread>

#include "core/crypto.h"
#include "domain/entities.h"
#include "storage/blob/blob_stores.h"
#include "storage/blob/file_blob_store.h"
#include "storage/blob/model_files.h"
#include "storage/blob/s3_blob_store.h"

namespace limbo::storage::blob {
namespace {

namespace fs = std::filesystem;

// The KEY=VALUE lines `scripts/s3-server.sh env` prints, or {} when no S3 server is configured.
std::map<std::string, std::string> S3TestEnv() {
  std::map<std::string, std::string> out;
  const char* dir = std::getenv("LIMBO_TEST_S3_DIR");
  if (!dir || !*dir) return out;
  std::ifstream in(std::string(dir) + "/env");
  std::string line;
  while (std::getline(in, line)) {
    auto eq = line.find('=');
    if (eq != std::string::npos) out[line.substr(0, eq)] = line.substr(eq + 1);
  }
  return out;
}

std::string TestPrefix() { return "unit-" + core::RandomToken(10); }

// An S3 client for the tests' server under a fresh prefix.
std::shared_ptr<S3Client> TestClient(const std::string& prefix) {
  auto env = S3TestEnv();
  auto c = ParseS3Url("s3://" + env["LIMBO_TEST_S3_BUCKET"] + "/" + prefix +
                      "?endpoint=" + UriEncode(env["LIMBO_TEST_S3_ENDPOINT"]) + "&region=" + env["AWS_DEFAULT_REGION"]);
  EXPECT_TRUE(c) << c.error().message;
  c->access_key = env["AWS_ACCESS_KEY_ID"];
  c->secret_key = env["AWS_SECRET_ACCESS_KEY"];
  return std::make_shared<S3Client>(*c);
}

struct Backend {
  std::string name;
};
void PrintTo(const Backend& b, std::ostream* os) { *os << b.name; }

class BlobStoreTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    core::InitCrypto();
    dir_ = fs::temp_directory_path() / ("limbo-blob-" + core::RandomToken(8));
    if (GetParam().name == "file") {
      store_ = std::make_unique<FileBlobStore>(dir_.string() + "/blobs");
    } else {
      if (S3TestEnv().empty()) GTEST_SKIP() << "no S3 server (LIMBO_TEST_S3_DIR); the s3.* entries run these";
      client_ = TestClient(TestPrefix());
      store_ = std::make_unique<S3BlobStore>(client_);
    }
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  std::string Sorted(std::vector<std::string> v) {
    std::sort(v.begin(), v.end());
    std::string out;
    for (auto& s : v) out += s.substr(0, 8) + ",";
    return out;
  }
  fs::path dir_;
  std::shared_ptr<S3Client> client_;
  std::unique_ptr<domain::BlobStore> store_;
};

TEST_P(BlobStoreTest, PutGetExistsListRemove) {
  std::string a = "first blob", b(300000, 'b');
  for (std::size_t i = 0; i < b.size(); ++i) b[i] = static_cast<char>(i * 7 % 251);
  std::string sa = core::Sha256Hex(a), sb = core::Sha256Hex(b);
  EXPECT_FALSE(store_->Exists(sa));
  ASSERT_TRUE(store_->Put(sa, a));
  ASSERT_TRUE(store_->Put(sa, a));  // the same bytes again: nothing changes
  ASSERT_TRUE(store_->Put(sb, b));
  EXPECT_TRUE(store_->Exists(sa));
  EXPECT_EQ(*store_->Get(sa), a);
  EXPECT_EQ(*store_->Get(sb), b);
  auto listed = store_->ListAll();
  ASSERT_TRUE(listed);
  EXPECT_EQ(Sorted(*listed), Sorted({sa, sb}));
  ASSERT_TRUE(store_->Remove(sa));
  ASSERT_TRUE(store_->Remove(sa));  // a missing blob is not an error
  EXPECT_FALSE(store_->Exists(sa));
  auto gone = store_->Get(sa);
  ASSERT_FALSE(gone);
  EXPECT_EQ(gone.error().code, "blob_missing");
  EXPECT_EQ(Sorted(store_->List()), Sorted({sb}));
}

TEST_P(BlobStoreTest, PutFileStreamsAFileAndGetToHandsTheBytesOut) {
  fs::create_directories(dir_);
  std::string body(2 * 1024 * 1024 + 17, 'x');  // above curl's 1 MiB Expect: 100-continue threshold
  for (std::size_t i = 0; i < body.size(); ++i) body[i] = static_cast<char>((i * 31 + i / 1000) % 256);
  std::string path = (dir_ / "upload").string();
  std::ofstream(path, std::ios::binary) << body;
  std::string sha = core::Sha256Hex(body);
  ASSERT_TRUE(store_->PutFile(sha, path));
  EXPECT_TRUE(fs::exists(path));  // the caller's file stays
  std::string got;
  int pieces = 0;
  ASSERT_TRUE(store_->GetTo(sha, [&](std::string_view piece) {
    got.append(piece);
    ++pieces;
    return true;
  }));
  EXPECT_EQ(got.size(), body.size());
  EXPECT_TRUE(got == body);
  if (GetParam().name == "s3") {
    EXPECT_GT(pieces, 1);  // streamed, not one buffer
  }
}

// Everything a reader gives, in pieces of at most `piece` bytes.
core::Result<std::string> ReadAll(domain::BlobReader& r, std::size_t piece = 10000) {
  std::string out, buf(piece, '\0');
  while (true) {
    LIMBO_TRY(std::size_t n, r.Read(buf.data(), buf.size()));
    if (n == 0) return out;
    EXPECT_LE(n, piece);
    out.append(buf.data(), n);
  }
}

TEST_P(BlobStoreTest, OpenRangeReadsAnyRangePieceByPiece) {
  std::string body(3 * 1024 * 1024 + 5, '\0');  // more than the S3 reader buffers (256 KiB)
  for (std::size_t i = 0; i < body.size(); ++i) body[i] = static_cast<char>((i * 131 + i / 977) % 256);
  std::string sha = core::Sha256Hex(body);
  ASSERT_TRUE(store_->Put(sha, body));
  const std::uint64_t n = body.size();
  struct Case {
    std::uint64_t offset, length;
  };
  for (Case c : std::vector<Case>{{0, n}, {0, 1}, {0, 16}, {1, 1}, {n - 1, 1}, {1000, 70000}, {2000000, n}, {5, n}}) {
    auto r = store_->OpenRange(sha, c.offset, c.length);
    ASSERT_TRUE(r) << r.error().message;
    auto got = ReadAll(**r, 65536);
    ASSERT_TRUE(got) << got.error().message;
    std::string want = body.substr(c.offset, c.length);  // cut at the end, like the reader
    EXPECT_EQ(got->size(), want.size()) << c.offset << "+" << c.length;
    EXPECT_TRUE(*got == want) << c.offset << "+" << c.length;
  }
  auto none = store_->OpenRange(sha, 10, 0);
  ASSERT_TRUE(none);
  EXPECT_EQ(*ReadAll(**none), "");
  // A reader left half-way stops its read; the store serves the next one.
  for (int i = 0; i < 5; ++i) {
    auto r = store_->OpenRange(sha, 0, n);
    ASSERT_TRUE(r);
    char buf[4096];
    ASSERT_TRUE((*r)->Read(buf, sizeof buf));
  }
  auto again = store_->OpenRange(sha, n - 100, 100);
  ASSERT_TRUE(again);
  EXPECT_TRUE(*ReadAll(**again) == body.substr(n - 100));
}

TEST_P(BlobStoreTest, OpenRangeOfAMissingBlobIsBlobMissing) {
  auto r = store_->OpenRange(core::Sha256Hex("never written"), 0, 10);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, "blob_missing");
  auto bad = store_->OpenRange("../../etc/passwd", 0, 10);
  EXPECT_FALSE(bad);
}

TEST_P(BlobStoreTest, RemoveManyRemovesABatchAndIgnoresMissingOnes) {
  std::vector<std::string> shas;
  for (int i = 0; i < 25; ++i) {
    std::string bytes = "blob " + std::to_string(i);
    shas.push_back(core::Sha256Hex(bytes));
    ASSERT_TRUE(store_->Put(shas.back(), bytes));
  }
  std::vector<std::string> gone(shas.begin(), shas.begin() + 20);
  gone.push_back(core::Sha256Hex("never written"));
  ASSERT_TRUE(store_->RemoveMany(gone));
  EXPECT_EQ(Sorted(*store_->ListAll()), Sorted({shas.begin() + 20, shas.end()}));
  ASSERT_TRUE(store_->RemoveMany({}));
}

TEST_P(BlobStoreTest, ProbeWritesAndLeavesNothing) {
  ASSERT_TRUE(store_->Probe());
  EXPECT_TRUE(store_->ListAll()->empty());
}

TEST_P(BlobStoreTest, BadNamesAreRefused) {
  EXPECT_FALSE(store_->Put("../../etc/passwd", "x"));
  EXPECT_FALSE(store_->Exists("ABC"));
  EXPECT_TRUE(store_->Remove("../x"));  // nothing to remove
}

INSTANTIATE_TEST_SUITE_P(Stores, BlobStoreTest, ::testing::Values(Backend{"file"}, Backend{"s3"}),
                         [](const auto& p) { return p.param.name; });

class S3Only : public ::testing::Test {
 protected:
  void SetUp() override {
    core::InitCrypto();
    if (S3TestEnv().empty()) GTEST_SKIP() << "no S3 server (LIMBO_TEST_S3_DIR)";
  }
};

TEST_F(S3Only, ListingIsPagedWithAContinuationToken) {
  auto client = TestClient(TestPrefix());
  S3BlobStore store(client);
  std::vector<std::string> shas;
  for (int i = 0; i < 7; ++i) {
    std::string bytes = "paged " + std::to_string(i);
    shas.push_back(core::Sha256Hex(bytes));
    ASSERT_TRUE(store.Put(shas.back(), bytes));
  }
  std::sort(shas.begin(), shas.end());
  // Two keys a page: four requests, each after the first signed with the previous page's token.
  auto keys = ListKeys(*client, client->config().prefix + "/blobs/", 2);
  ASSERT_TRUE(keys) << keys.error().detail;
  ASSERT_EQ(keys->size(), 7u);
  for (std::size_t i = 0; i < 7; ++i) EXPECT_EQ((*keys)[i], client->config().prefix + "/blobs/" + shas[i]);
}

TEST_F(S3Only, ModelFilesAreObjectsUnderModels) {
  auto client = TestClient(TestPrefix());
  S3ModelArtifacts models(client);
  domain::Job job;
  job.id = "j_abc123";
  ASSERT_TRUE(models.Write(job, R"({"model":1})"));
  EXPECT_EQ(models.List(), std::vector<std::string>{"j_abc123"});
  models.Remove("j_abc123");
  EXPECT_TRUE(models.List().empty());
}

TEST_F(S3Only, AWrongSecretIsUnavailableNotAnEmptyStore) {
  auto client = TestClient(TestPrefix());
  S3Config bad = client->config();
  bad.secret_key = "wrong";
  S3BlobStore store(std::make_shared<S3Client>(bad));
  auto put = store.Put(core::Sha256Hex("x"), "x");
  ASSERT_FALSE(put);
  EXPECT_EQ(put.error().code, "blob_store_unavailable");
  EXPECT_NE(put.error().detail.find("403"), std::string::npos) << put.error().detail;
  EXPECT_EQ(put.error().detail.find("wrong"), std::string::npos);  // the secret is never in a message
  EXPECT_FALSE(store.ListAll());
}

// A store that does not answer: every call fails fast with `blob_store_unavailable` (503 to clients).
TEST(S3Client, AStoreThatIsDownIsUnavailable) {
  int s = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(s, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  socklen_t len = sizeof addr;
  ::getsockname(s, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(s);  // nothing listens on that port now
  S3Config c = *ParseS3Url("s3://bucket?endpoint=http://127.0.0.1:" + std::to_string(ntohs(addr.sin_port)));
  c.access_key = "k";
  c.secret_key = "s";
  S3BlobStore store(std::make_shared<S3Client>(c));
  for (auto st : {store.Put(core::Sha256Hex("x"), "x"), store.Probe(), store.Remove(core::Sha256Hex("x"))}) {
    ASSERT_FALSE(st);
    EXPECT_EQ(st.error().kind, core::ErrorKind::kUnavailable);
    EXPECT_EQ(st.error().code, "blob_store_unavailable");
    EXPECT_NE(st.error().detail.find("4 attempts"), std::string::npos) << st.error().detail;
  }
  auto got = store.Get(core::Sha256Hex("x"));
  ASSERT_FALSE(got);
  EXPECT_EQ(got.error().code, "blob_store_unavailable");
  EXPECT_FALSE(store.ListAll());
  EXPECT_FALSE(store.Exists(core::Sha256Hex("x")));
}

// A tiny HTTP server that answers each request with the next status of a script (then 200), and
// remembers the request lines.
class ScriptedServer {
 public:
  explicit ScriptedServer(std::vector<int> statuses) : statuses_(std::move(statuses)) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    socklen_t len = sizeof addr;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    ::listen(fd_, 8);
    thread_ = std::thread([this] { Run(); });
  }
  ~ScriptedServer() {
    stop_ = true;
    ::shutdown(fd_, SHUT_RDWR);
    ::close(fd_);
    thread_.join();
  }
  int port() const { return port_; }
  std::vector<std::string> requests() {
    std::lock_guard<std::mutex> lock(mu_);
    return requests_;
  }

 private:
  void Run() {
    std::size_t n = 0;
    while (!stop_) {
      int c = ::accept(fd_, nullptr, nullptr);
      if (c < 0) return;
      std::string in;
      char buf[4096];
      while (true) {  // one request per connection, until its headers (and a short body) have come
        auto end = in.find("\r\n\r\n");
        if (end != std::string::npos) {
          auto cl = in.find("Content-Length: ");
          std::size_t want = cl == std::string::npos ? 0 : std::stoul(in.substr(cl + 16));
          if (in.size() >= end + 4 + want) break;
        }
        ssize_t k = ::read(c, buf, sizeof buf);
        if (k <= 0) break;
        in.append(buf, static_cast<std::size_t>(k));
      }
      {
        std::lock_guard<std::mutex> lock(mu_);
        requests_.push_back(in.substr(0, in.find("\r\n")));
      }
      int status = n < statuses_.size() ? statuses_[n] : 200;
      ++n;
      std::string out = "HTTP/1.1 " + std::to_string(status) + " X\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
      (void)!::write(c, out.data(), out.size());
      ::close(c);
    }
  }
  std::vector<int> statuses_;
  int fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread thread_;
  std::mutex mu_;
  std::vector<std::string> requests_;
};

TEST(S3Client, RetriesFiveHundredsWithBackoffThenSucceeds) {
  ScriptedServer server({503, 500});
  S3Config c = *ParseS3Url("s3://bucket/p?endpoint=http://127.0.0.1:" + std::to_string(server.port()));
  c.access_key = "k";
  c.secret_key = "s";
  S3BlobStore store(std::make_shared<S3Client>(c));
  ASSERT_TRUE(store.Put(core::Sha256Hex("x"), "x"));
  auto reqs = server.requests();
  ASSERT_EQ(reqs.size(), 3u);
  EXPECT_EQ(reqs[0], "PUT /bucket/p/blobs/" + core::Sha256Hex("x") + " HTTP/1.1");
}

TEST(S3Client, GivesUpAfterItsAttempts) {
  ScriptedServer server({503, 503, 503, 503, 503});
  S3Config c = *ParseS3Url("s3://bucket?endpoint=http://127.0.0.1:" + std::to_string(server.port()));
  c.access_key = "k";
  c.secret_key = "s";
  S3BlobStore store(std::make_shared<S3Client>(c));
  auto st = store.Remove(core::Sha256Hex("x"));
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().code, "blob_store_unavailable");
  EXPECT_EQ(server.requests().size(), 4u);
}

TEST(S3Client, SendsTheQueryInCanonicalForm) {
  ScriptedServer server({});
  S3Config c = *ParseS3Url("s3://bucket/a/b?endpoint=http://127.0.0.1:" + std::to_string(server.port()));
  c.access_key = "k";
  c.secret_key = "s";
  S3Client client(c);
  (void)ListKeys(client, "a/b/blobs/", 5);
  S3BlobStore store(std::make_shared<S3Client>(c));
  (void)store.RemoveMany({core::Sha256Hex("x")});
  auto reqs = server.requests();
  ASSERT_EQ(reqs.size(), 2u);
  EXPECT_EQ(reqs[0], "GET /bucket?list-type=2&max-keys=5&prefix=a%2Fb%2Fblobs%2F HTTP/1.1");
  EXPECT_EQ(reqs[1], "POST /bucket?delete= HTTP/1.1");
}

TEST(S3Url, ParsesBucketPrefixEndpointAndRegion) {
  auto c = ParseS3Url("s3://my-bucket/limbo/prod/?endpoint=https%3A%2F%2Fs3.example.com%3A9000&region=eu-west-1");
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->bucket, "my-bucket");
  EXPECT_EQ(c->prefix, "limbo/prod");
  EXPECT_EQ(c->endpoint, "https://s3.example.com:9000");
  EXPECT_EQ(c->region, "eu-west-1");
  auto plain = ParseS3Url("s3://b?endpoint=http://127.0.0.1:9000/");
  ASSERT_TRUE(plain);
  EXPECT_EQ(plain->endpoint, "http://127.0.0.1:9000");
  EXPECT_EQ(plain->prefix, "");
  EXPECT_EQ(plain->region, "us-east-1");
}

TEST(S3Url, RefusesBadUrlsWithAClearMessage) {
  for (const char* bad : {"s3://", "s3://b", "s3://b?endpoint=", "s3://b?endpoint=ftp://x", "s3://B?endpoint=http://x",
                          "s3://b/a b?endpoint=http://x", "s3://b?endpoint=http://x/path",
                          "s3://b?endpoint=http://u:p@x", "s3://b?endpoint=http://x&secret=y", "http://b"}) {
    auto c = ParseS3Url(bad);
    ASSERT_FALSE(c) << bad;
    EXPECT_EQ(c.error().kind, core::ErrorKind::kInvalid) << bad;
    EXPECT_NE(c.error().message.find("--blobs"), std::string::npos) << c.error().message;
  }
}

TEST(S3Url, CredentialsComeFromTheEnvironmentOnly) {
  ::unsetenv("AWS_ACCESS_KEY_ID");
  ::setenv("AWS_SECRET_ACCESS_KEY", "sekrit", 1);
  auto missing = OpenBlobStores("s3://b?endpoint=http://127.0.0.1:1", "/tmp");
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message.find("AWS_ACCESS_KEY_ID"), std::string::npos) << missing.error().message;
  ::setenv("AWS_ACCESS_KEY_ID", "id", 1);
  ::setenv("AWS_SESSION_TOKEN", "tok", 1);
  auto ok = OpenBlobStores("s3://b/p?endpoint=http://127.0.0.1:1", "/tmp");
  ASSERT_TRUE(ok) << ok.error().message;
  EXPECT_EQ(ok->files, nullptr);
  EXPECT_EQ(ok->description.find("sekrit"), std::string::npos);
  EXPECT_EQ(ok->description, "s3://b/p at http://127.0.0.1:1 (us-east-1)");
  ::unsetenv("AWS_ACCESS_KEY_ID");
  ::unsetenv("AWS_SECRET_ACCESS_KEY");
  ::unsetenv("AWS_SESSION_TOKEN");
  EXPECT_FALSE(OpenBlobStores("gs://b", "/tmp"));
  auto dir = fs::temp_directory_path() / ("limbo-blobs-" + core::RandomToken(6));
  auto file = OpenBlobStores("file:" + dir.string(), dir.string());
  ASSERT_TRUE(file);
  EXPECT_NE(file->files, nullptr);
  fs::remove_all(dir);
}

TEST(S3Url, UriEncodeIsCanonical) {
  EXPECT_EQ(UriEncode("a/b c~d-e_f.g"), "a%2Fb%20c~d-e_f.g");
  EXPECT_EQ(UriEncode("+=&\xff"), "%2B%3D%26%FF");
}

}  // namespace
}  // namespace limbo::storage::blob
