#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "domain/blob_store.h"
#include "domain/model_artifacts.h"
#include "storage/blob/s3_client.h"

namespace limbo::storage::blob {

// Blobs as objects PREFIX/blobs/<sha256> in an S3-compatible bucket. An object is written whole by one
// PUT (S3 never shows a half-written object), so there are no temporaries to sweep. Every failure to
// reach the store is 503 `blob_store_unavailable`.
class S3BlobStore final : public domain::BlobStore {
 public:
  explicit S3BlobStore(std::shared_ptr<S3Client> client);
  // Waits (up to 2 s) for the GETs of readers already destroyed to end: they are cancelled, but one
  // waiting on a stalled store notices only at curl's next progress check.
  ~S3BlobStore() override;

  core::Status Put(const std::string& sha256, std::string_view bytes) override;
  core::Status PutFile(const std::string& sha256, const std::string& path) override;
  bool Exists(const std::string& sha256) const override;
  core::Result<std::string> Get(const std::string& sha256) const override;
  core::Status GetTo(const std::string& sha256, const std::function<bool(std::string_view)>& sink) const override;
  // A ranged GET on a thread of its own that waits while the reader is slower than the store (at
  // most 256 KiB buffered); the first bytes or the failure have arrived when it returns.
  core::Result<std::unique_ptr<domain::BlobReader>> OpenRange(const std::string& sha256, std::uint64_t offset,
                                                              std::uint64_t length) const override;
  // Objects have no path: always "".
  std::string PathOf(const std::string& sha256) const override;
  core::Status Remove(const std::string& sha256) override;
  core::Status RemoveMany(const std::vector<std::string>& sha256s) override;
  core::Status Probe() override;
  std::vector<std::string> List() const override;
  core::Result<std::vector<std::string>> ListAll() const override;

  std::string KeyOf(const std::string& sha256) const;

 private:
  core::Result<bool> Head(const std::string& key) const;
  std::shared_ptr<S3Client> client_;
  std::string root_;                                                                     // "PREFIX/" or ""
  std::shared_ptr<std::atomic<int>> downloads_ = std::make_shared<std::atomic<int>>(0);  // GET threads alive
};

// Model artifacts as objects PREFIX/models/<job id>.json.
class S3ModelArtifacts final : public domain::ModelArtifacts {
 public:
  explicit S3ModelArtifacts(std::shared_ptr<S3Client> client);
  core::Status Write(const domain::Job& job, const std::string& content) override;
  void Remove(const std::string& job_id) override;
  std::vector<std::string> List() const override;

 private:
  std::shared_ptr<S3Client> client_;
  std::string root_;
};

// Every key under `prefix` (ListObjectsV2, `page` keys per request), or the store's error.
core::Result<std::vector<std::string>> ListKeys(S3Client& client, const std::string& prefix, int page = 1000);
// The same with each object's size in bytes.
core::Result<std::vector<std::pair<std::string, std::int64_t>>> ListObjects(S3Client& client, const std::string& prefix,
                                                                            int page = 1000);

}  // namespace limbo::storage::blob
