#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "domain/entities.h"

namespace limbo::domain {

// A leadership lease's row.
struct LeaseRow {
  std::string holder;
  TimeMs expires_at = 0;  // on the holder's SystemNow()
};

// What the servers on one database share beyond the workspaces' data.
class ServerRows {
 public:
  virtual ~ServerRows() = default;

  // Leadership lease: true when `holder` now holds `name` until now + ttl.
  virtual bool TryTakeLease(const std::string& name, const std::string& holder, TimeMs now, TimeMs ttl) = 0;
  // Deletes the lease `name` if `holder` holds it, and every lease of `prefix` (e.g. "backup:")
  // that expired before `now`.
  virtual void DropLease(const std::string& name, const std::string& holder, const std::string& prefix, TimeMs now) = 0;
  // Whether a lease whose name starts with `prefix` is held at `now` (several may be, each with a
  // name of its own).
  virtual bool AnyLeaseHeld(const std::string& prefix, TimeMs now) = 0;
  // PostgreSQL: exports this transaction's snapshot for another session (`pg_dump --snapshot`), so
  // both read the same rows. SQLite: "" (a copy is made with VACUUM INTO instead).
  virtual std::string ExportSnapshot() = 0;
  // Who holds (or last held) the lease; nullopt when nobody ever took it.
  virtual std::optional<LeaseRow> Lease(const std::string& name) = 0;

  // Server-wide numbers kept with the data (`server_meta`): the dev clock's offset and the newest
  // time the data has seen (domain::ServerTime). A missing key reads as nullopt.
  virtual std::optional<std::int64_t> GetMeta(const std::string& key) = 0;
  // Stores max(stored, value) and returns it.
  virtual std::int64_t RaiseMeta(const std::string& key, std::int64_t value) = 0;
  // Adds delta to the stored value (0 when missing) and returns the sum.
  virtual std::int64_t AddMeta(const std::string& key, std::int64_t delta) = 0;

  // The newest migration recorded in the database (a newer server may have applied more).
  virtual int SchemaVersion() = 0;
};

}  // namespace limbo::domain
