#pragma once

#include "storage/sql/db.h"
#include "storage/sqlite/connection.h"

namespace limbo::storage::sqlite {

// The shared SQL's executor over an open SQLite transaction. SQLite locks the whole database for a
// writer, so there are no row locks to take.
class SqliteDb final : public sql::Db {
 public:
  explicit SqliteDb(Connection& conn) : conn_(conn) {}

  sql::Dialect dialect() const override { return sql::Dialect::kSqlite; }
  bool locks_rows() const override { return false; }
  sql::Rows QueryValues(std::string_view sql, std::span<const sql::Value> args) override;
  std::int64_t ExecValues(std::string_view sql, std::span<const sql::Value> args) override;
  std::int64_t InsertValues(std::string_view sql, std::span<const sql::Value> args) override;

 private:
  Statement& Bound(std::string_view sql, std::span<const sql::Value> args);
  // Runs a statement that returns no rows: the new row's id, or how many rows it changed.
  std::int64_t RunBound(std::string_view sql, std::span<const sql::Value> args, bool want_rowid);

  Connection& conn_;
};

}  // namespace limbo::storage::sqlite
