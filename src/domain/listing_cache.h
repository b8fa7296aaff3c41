#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "domain/entities.h"

namespace limbo::domain {

// Rendered listing pages, keyed by everything their bytes depend on: the workspace and its Trash
// generation (moved by database triggers with every change a listing shows, on any server), the
// caller's view (role permissions, key or session) and the query. A page also depends on the time
// (days remaining), so it is kept only until the first moment one of its numbers would change.
// Bounded in entries and bytes: when full it starts over. Thread-safe.
class ListingCache {
 public:
  struct Page {
    std::string body;
    std::string etag;  // quoted, as the ETag header carries it
    TimeMs valid_until = 0;
  };
  static constexpr std::size_t kMaxEntries = 1024;
  static constexpr std::size_t kMaxBytes = 64 * 1024 * 1024;

  // The page stored under `key`, if it is still valid at `now`.
  std::shared_ptr<const Page> Find(const std::string& key, TimeMs now);
  void Put(const std::string& key, std::shared_ptr<const Page> page);

 private:
  std::mutex mu_;
  std::unordered_map<std::string, std::shared_ptr<const Page>> pages_;  // GUARDED_BY(mu_)
  std::size_t bytes_ = 0;                                               // GUARDED_BY(mu_)
};

}  // namespace limbo::domain
