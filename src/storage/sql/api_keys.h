#pragma once

#include "domain/rows/api_key_rows.h"
#include "storage/sql/db.h"

namespace limbo::storage::sql {

class ApiKeys final : public domain::ApiKeyRows {
 public:
  explicit ApiKeys(Db& db) : db_(db) {}

  void Insert(const domain::ApiKey& key, const std::string& key_hash) override;
  std::optional<domain::ApiKey> ByHash(const std::string& key_hash) override;
  std::optional<domain::ApiKey> ById(std::int64_t ws, const std::string& id) override;
  std::vector<domain::ApiKey> List(std::int64_t ws, const std::optional<std::string>& user_id) override;
  void Revoke(const std::string& id, domain::TimeMs at) override;
  void RevokeAllOf(std::int64_t ws, const std::string& user_id, domain::TimeMs at) override;
  void Touch(const std::string& id, domain::TimeMs at) override;

 private:
  Db& db_;
};

}  // namespace limbo::storage::sql
