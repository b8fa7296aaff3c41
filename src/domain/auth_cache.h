#pragma once

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "domain/actor.h"

namespace limbo::domain {

// What authentication found, remembered per credential digest (API key or session) and per
// (principal, workspace) so that a request need not read the key, user, workspace, member and role
// rows again. Every entry carries the auth generation (server_meta 'auth_generation', moved by
// database triggers with every change to those rows, on any server) it was read at, and is used
// only by a lookup that has just read the same generation in its own transaction: a revoked key,
// a changed role or a removed member is never honoured after the change committed. Bounded: at
// kMaxEntries entries a map starts over. Thread-safe.
class AuthCache {
 public:
  static constexpr std::size_t kMaxEntries = 4096;

  std::optional<Principal> FindPrincipal(const std::string& digest, std::int64_t generation);
  void PutPrincipal(const std::string& digest, std::int64_t generation, const Principal& p);
  // Records a key's last use in its entry (the row was written; the generation does not move).
  void TouchKey(const std::string& digest, TimeMs at);

  std::optional<Actor> FindActor(const std::string& key, std::int64_t generation);
  void PutActor(const std::string& key, std::int64_t generation, const Actor& a);

 private:
  template <class T>
  struct Entry {
    std::int64_t generation;
    T value;
  };
  std::mutex mu_;
  std::unordered_map<std::string, Entry<Principal>> principals_;  // GUARDED_BY(mu_)
  std::unordered_map<std::string, Entry<Actor>> actors_;          // GUARDED_BY(mu_)
};

}  // namespace limbo::domain
