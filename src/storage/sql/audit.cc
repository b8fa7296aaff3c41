#include "storage/sql/audit.h"

#include <array>
#include <limits>
#include <string>

namespace limbo::storage::sql {

using domain::AuditEvent;

void Audit::Insert(const AuditEvent& e) {
  db_.Exec(
      "INSERT INTO audit_events(workspace_id, at, actor_id, actor_name, action, item_type, item_id, item_name) "
      "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
      e.workspace_id, e.at, e.actor_id, e.actor_name, e.action, e.item_type, e.item_id, e.item_name);
}

namespace {
// Inserts of 1, 2, 4, ... 128 events of one actor, instant and action, the items' fields as rows of a
// VALUES list: a few statements per batch, each prepared once per connection.
constexpr std::size_t kInsertSizes = 8;
const std::string& InsertOf(std::size_t log2) {
  static const std::array<std::string, kInsertSizes> kSql = [] {
    std::array<std::string, kInsertSizes> out;
    for (std::size_t k = 0; k < kInsertSizes; ++k) {
      std::string sql =
          "INSERT INTO audit_events(workspace_id, at, actor_id, actor_name, action, item_type, item_id, item_name) "
          "SELECT CAST(? AS BIGINT), CAST(? AS BIGINT), CAST(? AS TEXT), CAST(? AS TEXT), CAST(? AS TEXT), "
          "v.column1, v.column2, v.column3 FROM (VALUES ";
      for (std::size_t i = 0; i < (std::size_t{1} << k); ++i) sql += i == 0 ? "(?, ?, ?)" : ", (?, ?, ?)";
      sql += ") v";
      out[k] = std::move(sql);
    }
    return out;
  }();
  return kSql[log2];
}
}  // namespace

void Audit::InsertAll(const std::vector<AuditEvent>& events) {
  std::vector<Value> values;
  std::size_t i = 0;
  while (i < events.size()) {
    // The events that share the first one's workspace, instant, actor and action (all of them, from
    // a batch), up to the largest statement that fits.
    const AuditEvent& first = events[i];
    std::size_t same = i + 1;
    while (same < events.size() && same - i < (std::size_t{1} << (kInsertSizes - 1)) &&
           events[same].workspace_id == first.workspace_id && events[same].at == first.at &&
           events[same].actor_id == first.actor_id && events[same].actor_name == first.actor_name &&
           events[same].action == first.action) {
      ++same;
    }
    std::size_t k = kInsertSizes - 1;
    while ((std::size_t{1} << k) > same - i) --k;
    std::size_t n = std::size_t{1} << k;
    values.clear();
    values.insert(values.end(), {Value(first.workspace_id), Value(first.at), Value(first.actor_id),
                                 Value(first.actor_name), Value(first.action)});
    for (std::size_t j = i; j < i + n; ++j) {
      values.insert(values.end(), {Value(events[j].item_type), Value(events[j].item_id), Value(events[j].item_name)});
    }
    db_.ExecValues(InsertOf(k), values);
    i += n;
  }
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
