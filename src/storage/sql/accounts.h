#pragma once

#include "domain/rows/account_rows.h"
#include "storage/sql/db.h"

namespace limbo::storage::sql {

class Accounts final : public domain::AccountRows {
 public:
  explicit Accounts(Db& db) : db_(db) {}

  std::optional<domain::User> UserByEmail(const std::string& email) override;
  std::optional<domain::User> UserById(const std::string& id) override;
  void InsertUser(const domain::User& user) override;
  void UpdateUser(const domain::User& user) override;

  void InsertSession(const domain::Session& s) override;
  std::optional<domain::Session> SessionByHash(const std::string& id_hash) override;
  void SetSessionPasswordAt(const std::string& id_hash, domain::TimeMs at) override;
  void DeleteSession(const std::string& id_hash) override;
  void DeleteExpiredSessions(domain::TimeMs now) override;

  int CountLoginFailures(const std::string& key_hash, domain::TimeMs since) override;
  std::int64_t InsertLoginFailure(const std::string& key_hash, domain::TimeMs at) override;
  void DeleteLoginFailure(std::int64_t id) override;
  int PruneLoginFailures(domain::TimeMs before, int limit) override;

 private:
  Db& db_;
};

}  // namespace limbo::storage::sql
