#include "domain/auth_cache.h"

namespace limbo::domain {

namespace {

template <class Map, class T>
std::optional<T> Find(Map& map, const std::string& key, std::int64_t generation) {
  auto it = map.find(key);
  if (it == map.end()) return std::nullopt;
  if (it->second.generation != generation) {
    map.erase(it);
    return std::nullopt;
  }
  return it->second.value;
}

template <class Map, class E>
void Put(Map& map, const std::string& key, E entry, std::size_t max) {
  if (map.size() >= max && map.find(key) == map.end()) map.clear();
  map.insert_or_assign(key, std::move(entry));
}

}  // namespace

std::optional<Principal> AuthCache::FindPrincipal(const std::string& digest, std::int64_t generation) {
  std::lock_guard lock(mu_);
  return Find<decltype(principals_), Principal>(principals_, digest, generation);
}

void AuthCache::PutPrincipal(const std::string& digest, std::int64_t generation, const Principal& p) {
  std::lock_guard lock(mu_);
  Put(principals_, digest, Entry<Principal>{generation, p}, kMaxEntries);
}

void AuthCache::TouchKey(const std::string& digest, TimeMs at) {
  std::lock_guard lock(mu_);
  auto it = principals_.find(digest);
  if (it != principals_.end() && it->second.value.api_key) it->second.value.api_key->last_used_at = at;
}

std::optional<Actor> AuthCache::FindActor(const std::string& key, std::int64_t generation) {
  std::lock_guard lock(mu_);
  return Find<decltype(actors_), Actor>(actors_, key, generation);
}

void AuthCache::PutActor(const std::string& key, std::int64_t generation, const Actor& a) {
  std::lock_guard lock(mu_);
  Put(actors_, key, Entry<Actor>{generation, a}, kMaxEntries);
}

}  // namespace limbo::domain
