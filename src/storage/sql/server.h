#pragma once

#include "domain/rows/server_rows.h"
#include "storage/sql/db.h"

namespace limbo::storage::sql {

class Server final : public domain::ServerRows {
 public:
  explicit Server(Db& db) : db_(db) {}

  bool TryTakeLease(const std::string& name, const std::string& holder, domain::TimeMs now,
                    domain::TimeMs ttl) override;
  void DropLease(const std::string& name, const std::string& holder, const std::string& prefix,
                 domain::TimeMs now) override;
  bool AnyLeaseHeld(const std::string& prefix, domain::TimeMs now) override;
  std::string ExportSnapshot() override;
  std::optional<domain::LeaseRow> Lease(const std::string& name) override;
  std::optional<std::int64_t> GetMeta(const std::string& key) override;
  std::int64_t RaiseMeta(const std::string& key, std::int64_t value) override;
  std::int64_t AddMeta(const std::string& key, std::int64_t delta) override;
  int SchemaVersion() override;

 private:
  Db& db_;
};

}  // namespace limbo::storage::sql
