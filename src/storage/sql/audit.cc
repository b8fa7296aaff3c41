#include "storage/sql/audit.h"

#include <limits>

namespace limbo::storage::sql {

using domain::AuditEvent;

void Audit::Insert(const AuditEvent& e) {
  db_.Exec(
      "INSERT INTO audit_events(workspace_id, at, actor_id, actor_name, action, item_type, item_id, item_name) "
      "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
      e.workspace_id, e.at, e.actor_id, e.actor_name, e.action, e.item_type, e.item_id, e.item_name);
}

std::vector<AuditEvent> Audit::Page(std::int64_t ws, int limit, std::optional<std::int64_t> before_id) {
  return All<AuditEvent>(
      db_.Query("SELECT id, workspace_id, at, actor_id, actor_name, action, item_type, item_id, item_name "
                "FROM audit_events WHERE workspace_id = ? AND id < ? ORDER BY id DESC LIMIT ?",
                ws, before_id.value_or(std::numeric_limits<std::int64_t>::max()), limit),
      [](const Rows& r) {
        return AuditEvent{r.Int(0),  r.Int(1),  r.Int(2),  r.OptText(3), r.Text(4),
                          r.Text(5), r.Text(6), r.Text(7), r.Text(8)};
      });
}

}  // namespace limbo::storage::sql
