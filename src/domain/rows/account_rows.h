#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "domain/entities.h"

namespace limbo::domain {

// Users, their browser sessions and the sign-in throttle.
class AccountRows {
 public:
  virtual ~AccountRows() = default;

  virtual std::optional<User> UserByEmail(const std::string& email) = 0;
  virtual std::optional<User> UserById(const std::string& id) = 0;
  virtual void InsertUser(const User& user) = 0;
  virtual void UpdateUser(const User& user) = 0;

  virtual void InsertSession(const Session& s) = 0;
  virtual std::optional<Session> SessionByHash(const std::string& id_hash) = 0;
  // Records that the session's user entered their password again (sudo mode); no-op when it is gone.
  virtual void SetSessionPasswordAt(const std::string& id_hash, TimeMs at) = 0;
  virtual void DeleteSession(const std::string& id_hash) = 0;
  virtual void DeleteExpiredSessions(TimeMs now) = 0;

  // Failed sign-ins (and ones still being checked), in the database so that every server on it
  // counts them together and a restart forgets nothing. `key_hash` is chosen by AccountService (a
  // hash; never a plain email); times are the server clock.
  // Failures recorded under the key at or after `since`.
  virtual int CountLoginFailures(const std::string& key_hash, TimeMs since) = 0;
  // Records one; the id lets a sign-in that turns out right take it back.
  virtual std::int64_t InsertLoginFailure(const std::string& key_hash, TimeMs at) = 0;
  virtual void DeleteLoginFailure(std::int64_t id) = 0;
  // Deletes up to `limit` failures recorded before `before`, oldest first; returns how many.
  virtual int PruneLoginFailures(TimeMs before, int limit) = 0;
};

}  // namespace limbo::domain
