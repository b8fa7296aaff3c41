#include "domain/listing_cache.h"

namespace limbo::domain {

std::shared_ptr<const ListingCache::Page> ListingCache::Find(const std::string& key, TimeMs now) {
  std::lock_guard lock(mu_);
  auto it = pages_.find(key);
  if (it == pages_.end()) return nullptr;
  if (now >= it->second->valid_until) {
    bytes_ -= it->first.size() + it->second->body.size();
    pages_.erase(it);
    return nullptr;
  }
  return it->second;
}

void ListingCache::Put(const std::string& key, std::shared_ptr<const Page> page) {
  std::size_t size = key.size() + page->body.size();
  if (size > kMaxBytes / 4) return;  // a page this large is not worth keeping
  std::lock_guard lock(mu_);
  if (auto it = pages_.find(key); it != pages_.end()) {
    bytes_ -= it->first.size() + it->second->body.size();
    pages_.erase(it);
  }
  if (pages_.size() >= kMaxEntries || bytes_ + size > kMaxBytes) {
    pages_.clear();
    bytes_ = 0;
  }
  pages_.emplace(key, std::move(page));
  bytes_ += size;
}

}  // namespace limbo::domain
