#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "domain/entities.h"

namespace limbo::domain {

// API keys; only their hashes are stored.
class ApiKeyRows {
 public:
  virtual ~ApiKeyRows() = default;

  virtual void Insert(const ApiKey& key, const std::string& key_hash) = 0;
  virtual std::optional<ApiKey> ByHash(const std::string& key_hash) = 0;
  virtual std::optional<ApiKey> ById(std::int64_t ws, const std::string& id) = 0;
  // The workspace's keys, or only those of `user_id`.
  virtual std::vector<ApiKey> List(std::int64_t ws, const std::optional<std::string>& user_id) = 0;
  virtual void Revoke(const std::string& id, TimeMs at) = 0;
  virtual void RevokeAllOf(std::int64_t ws, const std::string& user_id, TimeMs at) = 0;
  virtual void Touch(const std::string& id, TimeMs at) = 0;
};

}  // namespace limbo::domain
