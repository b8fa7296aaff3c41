#pragma once

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.h"

namespace limbo::domain {

// A range of a blob's bytes, read piece by piece as the reader asks for them (a download takes them
// at the client's pace; nothing holds the whole range). One reader per download; not thread-safe.
// Destroying it before the end stops the read (an object store's transfer is aborted).
class BlobReader {
 public:
  virtual ~BlobReader() = default;
  // Up to `max` next bytes into `buf`: how many, 0 at the end of the range, or the store's error when
  // it failed after the range was opened.
  virtual core::Result<std::size_t> Read(char* buf, std::size_t max) = 0;
};

// A reader over bytes in memory (the default OpenRange's, and tests').
class StringBlobReader final : public BlobReader {
 public:
  explicit StringBlobReader(std::string bytes) : bytes_(std::move(bytes)) {}
  core::Result<std::size_t> Read(char* buf, std::size_t max) override {
    std::size_t n = std::min(max, bytes_.size() - off_);
    if (n > 0) std::memcpy(buf, bytes_.data() + off_, n);
    off_ += n;
    return n;
  }

 private:
  std::string bytes_;
  std::size_t off_ = 0;
};

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
  // Opens bytes [offset, offset + length) of a blob (cut at its end) for reading piece by piece.
  // Failures before the first byte come here (blob_missing, blob_store_unavailable); later ones from
  // BlobReader::Read. The default reads the whole blob with Get.
  virtual core::Result<std::unique_ptr<BlobReader>> OpenRange(const std::string& sha256, std::uint64_t offset,
                                                              std::uint64_t length) const {
    auto bytes = Get(sha256);
    if (!bytes) return bytes.error();
    std::uint64_t from = std::min<std::uint64_t>(offset, bytes->size());
    std::uint64_t n = std::min<std::uint64_t>(length, bytes->size() - from);
    return std::unique_ptr<BlobReader>(std::make_unique<StringBlobReader>(bytes->substr(from, n)));
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
