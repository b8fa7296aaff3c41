#include "storage/sql/api_keys.h"

namespace limbo::storage::sql {

using domain::ApiKey;
using domain::TimeMs;

namespace {

#define KEY_SELECT                                                                                    \
  "SELECT k.id, k.workspace_id, k.user_id, u.email, k.name, k.prefix, k.created_at, k.last_used_at, " \
  "k.revoked_at IS NOT NULL FROM api_keys k JOIN users u ON u.id = k.user_id "

ApiKey ReadKey(const Rows& r) {
  return ApiKey{r.Text(0), r.Int(1), r.Text(2), r.Text(3), r.Text(4), r.Text(5), r.Int(6), r.OptInt(7), r.Bool(8)};
}

}  // namespace

void ApiKeys::Insert(const ApiKey& k, const std::string& key_hash) {
  db_.Exec(
      "INSERT INTO api_keys(id, workspace_id, user_id, name, prefix, key_hash, created_at) "
      "VALUES (?, ?, ?, ?, ?, ?, ?)",
      k.id, k.workspace_id, k.user_id, k.name, k.prefix, key_hash, k.created_at);
}

std::optional<ApiKey> ApiKeys::ByHash(const std::string& key_hash) {
  return One<ApiKey>(db_.Query(KEY_SELECT "WHERE k.key_hash = ?", key_hash), ReadKey);
}

std::optional<ApiKey> ApiKeys::ById(std::int64_t ws, const std::string& id) {
  return One<ApiKey>(db_.Query(KEY_SELECT "WHERE k.workspace_id = ? AND k.id = ?", ws, id), ReadKey);
}

std::vector<ApiKey> ApiKeys::List(std::int64_t ws, const std::optional<std::string>& user_id) {
  // The user filter is bound twice: once to test for its absence, once to compare.
  return All<ApiKey>(db_.Query(KEY_SELECT "WHERE k.workspace_id = ? AND k.revoked_at IS NULL "
                                          "AND (CAST(? AS TEXT) IS NULL OR k.user_id = CAST(? AS TEXT)) "
                                          "ORDER BY k.created_at DESC",
                               ws, user_id, user_id),
                     ReadKey);
}

void ApiKeys::Revoke(const std::string& id, TimeMs at) {
  db_.Exec("UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL", at, id);
}

void ApiKeys::RevokeAllOf(std::int64_t ws, const std::string& user_id, TimeMs at) {
  db_.Exec("UPDATE api_keys SET revoked_at = ? WHERE workspace_id = ? AND user_id = ? AND revoked_at IS NULL", at, ws,
           user_id);
}

void ApiKeys::Touch(const std::string& id, TimeMs at) {
  db_.Exec("UPDATE api_keys SET last_used_at = ? WHERE id = ?", at, id);
}

}  // namespace limbo::storage::sql
