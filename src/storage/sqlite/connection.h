#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>

#include "storage/sql/db.h"

namespace limbo::storage::sqlite {

// Thrown by the wrapper for any SQLite failure; `busy()` tells a retryable lock conflict.
class SqliteError : public std::runtime_error {
 public:
  SqliteError(int code, const std::string& what) : std::runtime_error(what), code_(code) {}
  int code() const { return code_; }
  bool busy() const { return (code_ & 0xff) == SQLITE_BUSY || (code_ & 0xff) == SQLITE_LOCKED; }

 private:
  int code_;
};

class Statement;

// One SQLite connection with a cache of prepared statements. Not thread-safe: one thread at a time.
class Connection {
 public:
  explicit Connection(const std::string& path);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  void Exec(std::string_view sql);
  // One statement with no result rows (BEGIN, COMMIT, ROLLBACK), from the statement cache: Exec
  // parses its text again on every call.
  void Run(std::string_view sql);
  // A cached prepared statement, reset and with bindings cleared. `sql` follows the shared
  // conventions of storage/sql/db.h (`list(?)` becomes json_each).
  Statement& Prepare(std::string_view sql);
  std::int64_t LastInsertRowId() const { return sqlite3_last_insert_rowid(db_); }
  int Changes() const { return sqlite3_changes(db_); }
  sqlite3* raw() { return db_; }

 private:
  sqlite3* db_ = nullptr;
  std::unordered_map<std::string, std::unique_ptr<Statement>, sql::TextHash, std::equal_to<>> cache_;
};

// A prepared statement. Bind with 1-based indexes; Step() returns true while a row is available.
// It is also the cursor its rows are read through (sql::Rows).
class Statement final : public sql::Cursor {
 public:
  Statement(sqlite3* db, std::string_view sql);
  ~Statement() override;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  Statement& Bind(int i, std::int64_t v);
  Statement& Bind(int i, int v) { return Bind(i, static_cast<std::int64_t>(v)); }
  Statement& Bind(int i, bool v) { return Bind(i, static_cast<std::int64_t>(v ? 1 : 0)); }
  Statement& Bind(int i, double v);
  Statement& Bind(int i, std::string_view v);
  Statement& Bind(int i, const std::string& v) { return Bind(i, std::string_view(v)); }
  Statement& Bind(int i, const char* v) { return Bind(i, std::string_view(v)); }
  Statement& BindNull(int i);
  Statement& Bind(int i, const sql::Value& v);
  template <class T>
  Statement& Bind(int i, const std::optional<T>& v) {
    return v ? Bind(i, *v) : BindNull(i);
  }

  bool Step();
  // Runs a statement that returns no rows.
  void Run();
  void Reset();

  bool Next() override { return Step(); }
  void Release() override { Reset(); }
  bool IsNull(int col) const override { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }
  std::int64_t Int(int col) const override { return sqlite3_column_int64(stmt_, col); }
  double Double(int col) const override { return sqlite3_column_double(stmt_, col); }
  bool Bool(int col) const override { return Int(col) != 0; }  // NULL reads as 0
  std::string Text(int col) const override;
  std::string_view View(int col) const override;
  std::optional<std::string> OptText(int col) const;
  std::optional<std::int64_t> OptInt(int col) const;

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
  bool used_ = false;  // stepped or bound since the last Reset
};

}  // namespace limbo::storage::sqlite
