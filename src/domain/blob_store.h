#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace limbo::domain {

// Content-addressed files (T13). Thread-safe.
class BlobStore {
 public:
  virtual ~BlobStore() = default;
  // Writes atomically (temp file, fsync, rename); a file already there is left as it is.
  virtual core::Status Put(const std::string& sha256, std::string_view bytes) = 0;
  // The same from a file whose bytes hash to `sha256` (an upload streamed to disk): fsyncs it and
  // hard-links it into place, copying only when it lives on another file system. `path` stays; the
  // caller removes it.
  virtual core::Status PutFile(const std::string& sha256, const std::string& path) = 0;
  virtual bool Exists(const std::string& sha256) const = 0;
  virtual core::Result<std::string> Get(const std::string& sha256) const = 0;
  virtual std::string PathOf(const std::string& sha256) const = 0;
  // Removes the file; a missing file is not an error.
  virtual core::Status Remove(const std::string& sha256) = 0;
  // Writes and removes a small file where blobs go: whether the store can take a write now.
  virtual core::Status Probe() = 0;
  // Every blob file on disk (for fsck).
  virtual std::vector<std::string> List() const = 0;
};

}  // namespace limbo::domain
