#pragma once

#include <functional>
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
  // The bytes handed to `sink` piece by piece as they are read (an object store streams them instead of
  // holding a whole object); `sink` returns false to stop. The default reads them whole with Get.
  virtual core::Status GetTo(const std::string& sha256, const std::function<bool(std::string_view)>& sink) const {
    auto bytes = Get(sha256);
    if (!bytes) return bytes.error();
    sink(*bytes);
    return core::Ok();
  }
  virtual std::string PathOf(const std::string& sha256) const = 0;
  // Removes the file; a missing file is not an error.
  virtual core::Status Remove(const std::string& sha256) = 0;
  // Removes several (an object store does it in one request per thousand); missing ones are not an
  // error. The default removes them one by one.
  virtual core::Status RemoveMany(const std::vector<std::string>& sha256s) {
    for (const auto& sha : sha256s) {
      if (core::Status s = Remove(sha); !s) return s;
    }
    return core::Ok();
  }
  // Writes and removes a small file where blobs go: whether the store can take a write now.
  virtual core::Status Probe() = 0;
  // Every blob file on disk (for fsck).
  virtual std::vector<std::string> List() const = 0;
  // The same, or the store's error when it cannot be listed (fsck must not take a store it cannot
  // reach for an empty one). The default is List.
  virtual core::Result<std::vector<std::string>> ListAll() const { return List(); }
};

}  // namespace limbo::domain
