#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "domain/blob_store.h"

namespace limbo::storage::blob {

// Blobs as files under `root`, named by their SHA-256 in lowercase hex in two levels of fan-out
// folders: root/ab/cd/abcd…. Writes go to a temporary file, are fsynced, then renamed into place.
class FileBlobStore final : public domain::BlobStore {
 public:
  explicit FileBlobStore(std::string root);

  core::Status Put(const std::string& sha256, std::string_view bytes) override;
  core::Status PutFile(const std::string& sha256, const std::string& path) override;
  bool Exists(const std::string& sha256) const override;
  core::Result<std::string> Get(const std::string& sha256) const override;
  // pread on a descriptor opened now.
  core::Result<std::unique_ptr<domain::BlobReader>> OpenRange(const std::string& sha256, std::uint64_t offset,
                                                              std::uint64_t length) const override;
  std::string PathOf(const std::string& sha256) const override;
  core::Status Remove(const std::string& sha256) override;
  core::Status Probe() override;
  std::vector<std::string> List() const override;

  // Deletes temporary files (older than an hour) left by writes that a crash interrupted.
  int RemoveStaleTemporaries();

 private:
  std::string root_;
};

// True for exactly 64 lowercase hex characters (guards every path built from a name).
bool IsSha256Hex(std::string_view s);

}  // namespace limbo::storage::blob
