#include "storage/sql/server.h"

namespace limbo::storage::sql {

using domain::TimeMs;

// Taken when free, expired, or already ours. Expiry is judged by the caller's clock; servers
// sharing a database keep their clocks in step (NTP), and the lease only avoids duplicate effort:
// every cleanup step is a serializable transaction that is correct on its own.
bool Server::TryTakeLease(const std::string& name, const std::string& holder, TimeMs now, TimeMs ttl) {
  return db_.Exec(
             "INSERT INTO leases(name, holder, expires_at) VALUES (?, ?, ?) ON CONFLICT (name) DO UPDATE SET "
             "holder = excluded.holder, expires_at = excluded.expires_at "
             "WHERE leases.holder = excluded.holder OR leases.expires_at <= ?",
             name, holder, now + ttl, now) == 1;
}

void Server::DropLease(const std::string& name, const std::string& holder, const std::string& prefix, TimeMs now) {
  db_.Exec("DELETE FROM leases WHERE name = ? AND holder = ?", name, holder);
  db_.Exec("DELETE FROM leases WHERE substr(name, 1, length(?)) = ? AND expires_at <= ?", prefix, prefix, now);
}

bool Server::AnyLeaseHeld(const std::string& prefix, TimeMs now) {
  return Exists(
      db_.Query("SELECT 1 FROM leases WHERE substr(name, 1, length(?)) = ? AND expires_at > ?", prefix, prefix, now));
}

std::string Server::ExportSnapshot() {
  if (db_.dialect() != Dialect::kPostgres) return "";
  return One<std::string>(db_.Query("SELECT pg_export_snapshot()"), [](const Rows& r) { return r.Text(0); })
      .value_or("");
}

std::optional<domain::LeaseRow> Server::Lease(const std::string& name) {
  return One<domain::LeaseRow>(db_.Query("SELECT holder, expires_at FROM leases WHERE name = ?", name),
                               [](const Rows& r) {
                                 return domain::LeaseRow{r.Text(0), r.Int(1)};
                               });
}

std::optional<std::int64_t> Server::GetMeta(const std::string& key) {
  return One<std::int64_t>(db_.Query("SELECT value FROM server_meta WHERE key = ?", key),
                           [](const Rows& r) { return r.Int(0); });
}

std::int64_t Server::RaiseMeta(const std::string& key, std::int64_t value) {
  return Scalar(
      db_.Query("INSERT INTO server_meta(key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET "
                "value = CASE WHEN server_meta.value > excluded.value THEN server_meta.value ELSE excluded.value END "
                "RETURNING value",
                key, value));
}

std::int64_t Server::AddMeta(const std::string& key, std::int64_t delta) {
  return Scalar(
      db_.Query("INSERT INTO server_meta(key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET "
                "value = server_meta.value + excluded.value RETURNING value",
                key, delta));
}

int Server::SchemaVersion() {
  return static_cast<int>(Scalar(db_.Query("SELECT MAX(version) FROM schema_migrations")));
}

}  // namespace limbo::storage::sql
