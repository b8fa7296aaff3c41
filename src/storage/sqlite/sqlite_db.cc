#include "storage/sqlite/sqlite_db.h"

namespace limbo::storage::sqlite {

Statement& SqliteDb::Bound(std::string_view sql, std::span<const sql::Value> args) {
  Statement& s = conn_.Prepare(sql);
  int i = 1;
  for (const auto& v : args) s.Bind(i++, v);
  return s;
}

sql::Rows SqliteDb::QueryValues(std::string_view sql, std::span<const sql::Value> args) {
  return sql::Rows(Bound(sql, args));
}

std::int64_t SqliteDb::ExecValues(std::string_view sql, std::span<const sql::Value> args) {
  Statement& s = Bound(sql, args);
  s.Run();
  std::int64_t changed = conn_.Changes();
  s.Reset();
  return changed;
}

std::int64_t SqliteDb::InsertValues(std::string_view sql, std::span<const sql::Value> args) {
  Statement& s = Bound(sql, args);
  s.Run();
  std::int64_t id = conn_.LastInsertRowId();
  s.Reset();
  return id;
}

}  // namespace limbo::storage::sqlite
