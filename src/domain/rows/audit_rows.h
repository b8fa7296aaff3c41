#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "domain/entities.h"

namespace limbo::domain {

// The audit log (T15).
class AuditRows {
 public:
  virtual ~AuditRows() = default;

  virtual void Insert(const AuditEvent& e) = 0;
  // The events in order, many rows per statement.
  virtual void InsertAll(const std::vector<AuditEvent>& events) = 0;
  // Newest first, `limit` events older than `before_id` (or the newest ones).
  virtual std::vector<AuditEvent> Page(std::int64_t ws, int limit, std::optional<std::int64_t> before_id) = 0;
};

}  // namespace limbo::domain
