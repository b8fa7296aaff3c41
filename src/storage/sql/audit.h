#pragma once

#include "domain/rows/audit_rows.h"
#include "storage/sql/db.h"

namespace limbo::storage::sql {

class Audit final : public domain::AuditRows {
 public:
  explicit Audit(Db& db) : db_(db) {}

  void Insert(const domain::AuditEvent& e) override;
  void InsertAll(const std::vector<domain::AuditEvent>& events) override;
  std::vector<domain::AuditEvent> Page(std::int64_t ws, int limit, std::optional<std::int64_t> before_id) override;

 private:
  Db& db_;
};

}  // namespace limbo::storage::sql
