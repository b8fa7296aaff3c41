#include "storage/blob/s3_blob_store.h"

#include <openssl/evp.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <limits>
#include <mutex>
#include <optional>
#include <system_error>
#include <thread>

#include "core/crypto.h"
#include "storage/blob/file_blob_store.h"

namespace limbo::storage::blob {

using core::Error;
using core::Ok;
using core::Result;
using core::Status;

namespace {

std::string RootOf(const S3Client& c) { return c.config().prefix.empty() ? "" : c.config().prefix + "/"; }

// An answer the store gave that is not the one a request expects (a 403 of a wrong secret, a 404 of a
// missing bucket): as unavailable as no answer, with the store's words for the operator.
Error Unexpected(const std::string& what, const S3Response& r) {
  std::string code;
  auto b = r.body.find("<Code>");
  auto e = r.body.find("</Code>");
  if (b != std::string::npos && e != std::string::npos && e > b) code = r.body.substr(b + 6, e - b - 6);
  return S3Client::Unavailable(what + ": HTTP " + std::to_string(r.status) + (code.empty() ? "" : " " + code));
}

std::string Md5Base64(std::string_view bytes) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  EVP_Digest(bytes.data(), bytes.size(), md, &n, EVP_md5(), nullptr);
  unsigned char out[64];
  int len = EVP_EncodeBlock(out, md, static_cast<int>(n));
  return std::string(reinterpret_cast<char*>(out), static_cast<std::size_t>(len));
}

std::string XmlUnescape(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '&') {
      out.push_back(s[i]);
      continue;
    }
    auto semi = s.find(';', i);
    if (semi == std::string_view::npos) {
      out.push_back(s[i]);
      continue;
    }
    std::string_view ent = s.substr(i + 1, semi - i - 1);
    if (ent == "amp") {
      out.push_back('&');
    } else if (ent == "lt") {
      out.push_back('<');
    } else if (ent == "gt") {
      out.push_back('>');
    } else if (ent == "quot") {
      out.push_back('"');
    } else if (ent == "apos") {
      out.push_back('\'');
    } else {
      out.append(s.substr(i, semi - i + 1));
    }
    i = semi;
  }
  return out;
}

// The texts of every <tag>...</tag> in `xml`, in order.
std::vector<std::string> Elements(const std::string& xml, const std::string& tag) {
  std::vector<std::string> out;
  std::string open = "<" + tag + ">", close = "</" + tag + ">";
  for (std::size_t pos = xml.find(open); pos != std::string::npos; pos = xml.find(open, pos)) {
    pos += open.size();
    auto end = xml.find(close, pos);
    if (end == std::string::npos) break;
    out.push_back(XmlUnescape(std::string_view(xml).substr(pos, end - pos)));
    pos = end + close.size();
  }
  return out;
}

}  // namespace

Result<std::vector<std::string>> ListKeys(S3Client& client, const std::string& prefix, int page) {
  LIMBO_TRY(auto objects, ListObjects(client, prefix, page));
  std::vector<std::string> keys;
  keys.reserve(objects.size());
  for (auto& [k, size] : objects) keys.push_back(std::move(k));
  return keys;
}

Result<std::vector<std::pair<std::string, std::int64_t>>> ListObjects(S3Client& client, const std::string& prefix,
                                                                      int page) {
  std::vector<std::pair<std::string, std::int64_t>> keys;
  std::string token;
  while (true) {
    S3Request rq;
    // Canonical query: parameters sorted by name, values encoded ('/' as %2F).
    if (!token.empty()) rq.query += "continuation-token=" + UriEncode(token) + "&";
    rq.query += "list-type=2&max-keys=" + std::to_string(page) + "&prefix=" + UriEncode(prefix);
    LIMBO_TRY(S3Response r, client.Send(rq));
    if (r.status != 200) return Unexpected("ListObjectsV2 " + prefix, r);
    auto names = Elements(r.body, "Key");
    auto sizes = Elements(r.body, "Size");
    for (std::size_t i = 0; i < names.size(); ++i) {
      std::int64_t size = i < sizes.size() ? std::strtoll(sizes[i].c_str(), nullptr, 10) : 0;
      keys.emplace_back(std::move(names[i]), size);
    }
    auto truncated = Elements(r.body, "IsTruncated");
    auto next = Elements(r.body, "NextContinuationToken");
    if (truncated.empty() || truncated[0] != "true" || next.empty() || next[0].empty()) break;
    token = next[0];
  }
  return keys;
}

S3BlobStore::S3BlobStore(std::shared_ptr<S3Client> client) : client_(std::move(client)), root_(RootOf(*client_)) {}

S3BlobStore::~S3BlobStore() {
  for (int i = 0; i < 200 && downloads_->load() > 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
}

std::string S3BlobStore::KeyOf(const std::string& sha) const { return root_ + "blobs/" + sha; }

std::string S3BlobStore::PathOf(const std::string&) const { return ""; }

Status S3BlobStore::Put(const std::string& sha, std::string_view bytes) {
  if (!IsSha256Hex(sha)) return Error::Invalid("bad blob name");
  S3Request rq;
  rq.method = "PUT";
  rq.key = KeyOf(sha);
  rq.body = bytes;
  rq.payload_sha256 = sha;  // the name is the bytes' hash: the store checks it against what arrives
  rq.headers.push_back("Content-Type: application/octet-stream");
  LIMBO_TRY(S3Response r, client_->Send(rq));
  if (r.status != 200) return Unexpected("PUT " + rq.key, r);
  return Ok();
}

Status S3BlobStore::PutFile(const std::string& sha, const std::string& path) {
  if (!IsSha256Hex(sha)) return Error::Invalid("bad blob name");
  S3Request rq;
  rq.method = "PUT";
  rq.key = KeyOf(sha);
  rq.body_file = path;
  rq.payload_sha256 = sha;
  rq.headers.push_back("Content-Type: application/octet-stream");
  LIMBO_TRY(S3Response r, client_->Send(rq));
  if (r.status != 200) return Unexpected("PUT " + rq.key, r);
  return Ok();
}

Result<bool> S3BlobStore::Head(const std::string& key) const {
  S3Request rq;
  rq.method = "HEAD";
  rq.key = key;
  LIMBO_TRY(S3Response r, client_->Send(rq));
  if (r.status == 200) return true;
  if (r.status == 404) return false;
  return Unexpected("HEAD " + key, r);
}

bool S3BlobStore::Exists(const std::string& sha) const {
  if (!IsSha256Hex(sha)) return false;
  auto r = Head(KeyOf(sha));
  if (!r) {
    spdlog::warn("{{\"event\":\"blob_store_error\",\"detail\":\"{}\"}}", r.error().detail);
    return false;
  }
  return *r;
}

Result<std::string> S3BlobStore::Get(const std::string& sha) const {
  std::string out;
  LIMBO_RETURN_IF_ERROR(GetTo(sha, [&](std::string_view piece) {
    out.append(piece);
    return true;
  }));
  return out;
}

Status S3BlobStore::GetTo(const std::string& sha, const std::function<bool(std::string_view)>& sink) const {
  if (!IsSha256Hex(sha)) return Error::NotFound("No such blob.");
  S3Request rq;
  rq.key = KeyOf(sha);
  rq.sink = sink;
  LIMBO_TRY(S3Response r, client_->Send(rq));
  if (r.status == 404) return Error::Internal("The image's bytes are missing from storage.", "blob_missing");
  if (r.status != 200) return Unexpected("GET " + rq.key, r);
  return Ok();
}

namespace {

// At most this many bytes of a download wait between the store and the client (plus one piece of
// curl's, 16 KiB): the transfer waits while the client is slower than the store.
constexpr std::size_t kStreamBuffer = 256 * 1024;

// What a ranged GET's thread hands over to its reader.
struct RangeStream {
  std::mutex mu;
  std::condition_variable cv;
  std::deque<std::string> pieces;
  std::size_t front_off = 0;  // bytes of pieces.front() already read
  std::size_t buffered = 0;
  std::uint64_t wanted = 0;    // the range's length
  std::uint64_t received = 0;  // bytes the store sent, up to `wanted`
  bool complete = false;       // the whole range arrived (the rest of an answer longer than asked for is cut)
  bool done = false;           // the transfer is over
  std::optional<Error> error;  // why, when it failed
  std::atomic<bool> cancel{false};

  // The sink of the GET: false stops the transfer.
  bool Take(std::string_view piece) {
    std::unique_lock lock(mu);
    cv.wait(lock, [&] { return buffered < kStreamBuffer || cancel.load(); });
    if (cancel) return false;
    std::uint64_t room = wanted - received;
    bool over = piece.size() > room;
    if (over) piece = piece.substr(0, static_cast<std::size_t>(room));
    if (!piece.empty()) {
      pieces.emplace_back(piece);
      buffered += piece.size();
      received += piece.size();
    }
    complete = received == wanted;
    lock.unlock();
    cv.notify_all();
    return !over;
  }

  void Finish(Status outcome) {
    std::lock_guard lock(mu);
    if (!outcome && !complete) error = outcome.error();
    done = true;
    cv.notify_all();
  }
};

// Reads what the GET's thread receives, at the pace of its caller. Destroying it cancels the
// transfer; the thread holds the state and the client and ends on its own (at once when it waits
// for room, within about a second when it waits for the store).
class S3RangeReader final : public domain::BlobReader {
 public:
  explicit S3RangeReader(std::shared_ptr<RangeStream> st) : st_(std::move(st)) {}
  ~S3RangeReader() override {
    st_->cancel = true;
    st_->cv.notify_all();
  }
  S3RangeReader(const S3RangeReader&) = delete;
  S3RangeReader& operator=(const S3RangeReader&) = delete;

  Result<std::size_t> Read(char* buf, std::size_t max) override {
    RangeStream& s = *st_;
    std::unique_lock lock(s.mu);
    s.cv.wait(lock, [&] { return s.buffered > 0 || s.done; });
    if (s.buffered == 0) {
      if (s.error) return *s.error;
      return std::size_t{0};
    }
    std::size_t n = 0;
    while (n < max && !s.pieces.empty()) {
      const std::string& front = s.pieces.front();
      std::size_t k = std::min(max - n, front.size() - s.front_off);
      std::memcpy(buf + n, front.data() + s.front_off, k);
      n += k;
      s.front_off += k;
      if (s.front_off == front.size()) {
        s.pieces.pop_front();
        s.front_off = 0;
      }
    }
    s.buffered -= n;
    lock.unlock();
    s.cv.notify_all();
    return n;
  }

 private:
  std::shared_ptr<RangeStream> st_;
};

}  // namespace

Result<std::unique_ptr<domain::BlobReader>> S3BlobStore::OpenRange(const std::string& sha, std::uint64_t offset,
                                                                   std::uint64_t length) const {
  if (!IsSha256Hex(sha)) return Error::NotFound("No such blob.");
  if (length == 0) return std::unique_ptr<domain::BlobReader>(std::make_unique<domain::StringBlobReader>(""));
  auto st = std::make_shared<RangeStream>();
  st->wanted = length;
  S3Request rq;
  rq.key = KeyOf(sha);
  std::string range = "Range: bytes=" + std::to_string(offset) + "-";
  if (length <= std::numeric_limits<std::uint64_t>::max() - offset) range += std::to_string(offset + length - 1);
  rq.headers.push_back(std::move(range));
  rq.partial_only = offset > 0;  // from 0, a 200 with the whole object is cut to the range instead
  rq.cancel = &st->cancel;
  rq.unbounded = true;  // at the client's pace: 32 MiB at 100 KiB/s is more than the 5 min of other requests
  rq.sink = [st](std::string_view piece) { return st->Take(piece); };
  try {
    ++*downloads_;
    std::thread([st, client = client_, live = downloads_, rq = std::move(rq)] {
      auto r = client->Send(rq);
      Status outcome = Ok();
      if (!r) {
        outcome = r.error();
      } else if (r->status == 404) {
        outcome = Error::Internal("The image's bytes are missing from storage.", "blob_missing");
      } else if (r->status != 200 && r->status != 206) {
        outcome = Unexpected("GET " + rq.key, *r);
      }
      st->Finish(outcome);
      --*live;
    }).detach();
  } catch (const std::system_error& e) {
    --*downloads_;
    return S3Client::Unavailable(std::string("no thread for a download: ") + e.what());
  }
  // The answer's first bytes, or its failure: what the store said is known before a status is sent.
  std::unique_lock lock(st->mu);
  st->cv.wait(lock, [&] { return st->buffered > 0 || st->done; });
  if (st->buffered == 0 && st->error) return *st->error;
  lock.unlock();
  return std::unique_ptr<domain::BlobReader>(std::make_unique<S3RangeReader>(std::move(st)));
}

Status S3BlobStore::Remove(const std::string& sha) {
  if (!IsSha256Hex(sha)) return Ok();
  S3Request rq;
  rq.method = "DELETE";
  rq.key = KeyOf(sha);
  LIMBO_TRY(S3Response r, client_->Send(rq));
  if (r.status != 204 && r.status != 200 && r.status != 404) return Unexpected("DELETE " + rq.key, r);
  return Ok();
}

Status S3BlobStore::RemoveMany(const std::vector<std::string>& shas) {
  constexpr std::size_t kPerRequest = 1000;  // the most one DeleteObjects takes
  for (std::size_t from = 0; from < shas.size(); from += kPerRequest) {
    std::string xml = R"(<?xml version="1.0" encoding="UTF-8"?><Delete><Quiet>true</Quiet>)";
    int n = 0;
    for (std::size_t i = from; i < std::min(shas.size(), from + kPerRequest); ++i) {
      if (!IsSha256Hex(shas[i])) continue;
      xml += "<Object><Key>" + KeyOf(shas[i]) + "</Key></Object>";
      ++n;
    }
    if (n == 0) continue;
    xml += "</Delete>";
    S3Request rq;
    rq.method = "POST";
    rq.query = "delete=";
    rq.body = xml;
    rq.payload_sha256 = core::Sha256Hex(xml);
    rq.headers.push_back("Content-Type: application/xml");
    rq.headers.push_back("Content-MD5: " + Md5Base64(xml));
    LIMBO_TRY(S3Response r, client_->Send(rq));
    if (r.status != 200) return Unexpected("DeleteObjects", r);
    // Quiet mode lists only the keys that failed; a missing key is not one of them.
    auto failed = Elements(r.body, "Error");
    if (!failed.empty()) {
      return S3Client::Unavailable("DeleteObjects: " + std::to_string(failed.size()) +
                                   " keys failed, first: " + failed[0].substr(0, 300));
    }
  }
  return Ok();
}

Status S3BlobStore::Probe() {
  S3Request rq;
  rq.method = "PUT";
  rq.key = root_ + "probe/" + core::RandomToken(12);
  rq.body = "x";
  rq.payload_sha256 = core::Sha256Hex("x");
  LIMBO_TRY(S3Response r, client_->Send(rq));
  if (r.status != 200) return Unexpected("PUT " + rq.key, r);
  S3Request del;
  del.method = "DELETE";
  del.key = rq.key;
  LIMBO_TRY(S3Response d, client_->Send(del));
  if (d.status != 204 && d.status != 200 && d.status != 404) return Unexpected("DELETE " + del.key, d);
  return Ok();
}

Result<std::vector<std::string>> S3BlobStore::ListAll() const {
  std::string prefix = root_ + "blobs/";
  LIMBO_TRY(auto keys, ListKeys(*client_, prefix));
  std::vector<std::string> out;
  for (auto& k : keys) {
    std::string name = k.substr(prefix.size());
    if (IsSha256Hex(name)) out.push_back(std::move(name));
  }
  return out;
}

std::vector<std::string> S3BlobStore::List() const {
  auto r = ListAll();
  if (!r) {
    spdlog::warn("{{\"event\":\"blob_store_error\",\"detail\":\"{}\"}}", r.error().detail);
    return {};
  }
  return *r;
}

namespace {
bool SafeJobId(const std::string& id) {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
  }
  return true;
}
}  // namespace

S3ModelArtifacts::S3ModelArtifacts(std::shared_ptr<S3Client> client)
    : client_(std::move(client)), root_(RootOf(*client_) + "models/") {}

Status S3ModelArtifacts::Write(const domain::Job& job, const std::string& content) {
  if (!SafeJobId(job.id)) return Error::Internal("bad job id");
  S3Request rq;
  rq.method = "PUT";
  rq.key = root_ + job.id + ".json";
  rq.body = content;
  rq.payload_sha256 = core::Sha256Hex(content);
  rq.headers.push_back("Content-Type: application/json");
  LIMBO_TRY(S3Response r, client_->Send(rq));
  if (r.status != 200) return Unexpected("PUT " + rq.key, r);
  return Ok();
}

void S3ModelArtifacts::Remove(const std::string& job_id) {
  if (!SafeJobId(job_id)) return;
  S3Request rq;
  rq.method = "DELETE";
  rq.key = root_ + job_id + ".json";
  auto r = client_->Send(rq);
  if (!r) spdlog::warn("{{\"event\":\"blob_store_error\",\"detail\":\"{}\"}}", r.error().detail);
}

std::vector<std::string> S3ModelArtifacts::List() const {
  auto keys = ListKeys(*client_, root_);
  if (!keys) {
    spdlog::warn("{{\"event\":\"blob_store_error\",\"detail\":\"{}\"}}", keys.error().detail);
    return {};
  }
  std::vector<std::string> out;
  constexpr std::string_view kExt = ".json";
  for (const auto& k : *keys) {
    std::string name = k.substr(root_.size());
    if (name.size() <= kExt.size() || name.compare(name.size() - kExt.size(), kExt.size(), kExt) != 0) continue;
    std::string id = name.substr(0, name.size() - kExt.size());
    if (SafeJobId(id)) out.push_back(std::move(id));
  }
  return out;
}

}  // namespace limbo::storage::blob
