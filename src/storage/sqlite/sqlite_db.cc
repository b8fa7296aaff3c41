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

std::int64_t SqliteDb::RunBound(std::string_view sql, std::span<const sql::Value> args, bool want_rowid) {
  Statement& s = Bound(sql, args);
  s.Run();
  std::int64_t out = want_rowid ? conn_.LastInsertRowId() : conn_.Changes();
  s.Reset();
  return out;
}

std::int64_t SqliteDb::ExecValues(std::string_view sql, std::span<const sql::Value> args) {
  return RunBound(sql, args, false);
}

std::int64_t SqliteDb::InsertValues(std::string_view sql, std::span<const sql::Value> args) {
  return RunBound(sql, args, true);
}

}  // namespace limbo::storage::sqlite
