#include "storage/sqlite/connection.h"

namespace limbo::storage::sqlite {

namespace {
[[noreturn]] void Throw(sqlite3* db, int rc, std::string_view context) {
  std::string msg(context);
  msg += ": ";
  msg += db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  throw SqliteError(db ? sqlite3_extended_errcode(db) : rc, msg);
}
}  // namespace

Connection::Connection(const std::string& path) {
  int rc =
      sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    std::string msg = "open " + path + ": " + (db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc));
    sqlite3_close(db_);
    db_ = nullptr;
    throw SqliteError(rc, msg);
  }
  sqlite3_extended_result_codes(db_, 1);
  sqlite3_busy_timeout(db_, 5000);
  Exec("PRAGMA journal_mode=WAL");
  Exec("PRAGMA synchronous=NORMAL");
  Exec("PRAGMA foreign_keys=ON");
  Exec("PRAGMA temp_store=MEMORY");
}

Connection::~Connection() {
  cache_.clear();
  if (db_) sqlite3_close(db_);
}

void Connection::Exec(std::string_view sql) {
  std::string s(sql);
  char* err = nullptr;
  int rc = sqlite3_exec(db_, s.c_str(), nullptr, nullptr, &err);
  if (rc != SQLITE_OK) {
    std::string msg = err ? err : sqlite3_errstr(rc);
    sqlite3_free(err);
    throw SqliteError(sqlite3_extended_errcode(db_), "exec: " + msg);
  }
}

void Connection::Run(std::string_view sql) {
  Statement& s = Prepare(sql);
  s.Run();
  s.Reset();
}

Statement& Connection::Prepare(std::string_view sql) {
  auto it = cache_.find(sql);
  if (it == cache_.end()) {
    auto stmt = std::make_unique<Statement>(db_, sql::ForDialect(sql, sql::Dialect::kSqlite));
    it = cache_.emplace(std::string(sql), std::move(stmt)).first;
  } else {
    it->second->Reset();
  }
  return *it->second;
}

Statement::Statement(sqlite3* db, std::string_view sql) : db_(db) {
  int rc = sqlite3_prepare_v3(db, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT, &stmt_, nullptr);
  if (rc != SQLITE_OK) Throw(db, rc, "prepare");
}

Statement::~Statement() { sqlite3_finalize(stmt_); }

Statement& Statement::Bind(int i, std::int64_t v) {
  used_ = true;
  if (int rc = sqlite3_bind_int64(stmt_, i, v); rc != SQLITE_OK) Throw(db_, rc, "bind");
  return *this;
}

Statement& Statement::Bind(int i, double v) {
  used_ = true;
  if (int rc = sqlite3_bind_double(stmt_, i, v); rc != SQLITE_OK) Throw(db_, rc, "bind");
  return *this;
}

Statement& Statement::Bind(int i, std::string_view v) {
  used_ = true;
  if (int rc = sqlite3_bind_text(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT); rc != SQLITE_OK) {
    Throw(db_, rc, "bind");
  }
  return *this;
}

Statement& Statement::Bind(int i, const sql::Value& v) {
  switch (v.kind()) {
    case sql::Value::Kind::kNull:
      return BindNull(i);
    case sql::Value::Kind::kInt:
    case sql::Value::Kind::kBool:
      return Bind(i, v.integer());
    case sql::Value::Kind::kDouble:
      return Bind(i, v.real());
    case sql::Value::Kind::kText:
      return Bind(i, v.text());
    case sql::Value::Kind::kTextList:
      return Bind(i, sql::JsonArray(v.list()));  // read by json_each
  }
  return *this;
}

Statement& Statement::BindNull(int i) {
  used_ = true;
  if (int rc = sqlite3_bind_null(stmt_, i); rc != SQLITE_OK) Throw(db_, rc, "bind");
  return *this;
}

bool Statement::Step() {
  used_ = true;
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  sqlite3_reset(stmt_);
  Throw(db_, rc, "step");
}

void Statement::Run() {
  while (Step()) {
  }
}

void Statement::Reset() {
  if (!used_) return;  // a statement is reset after each use and again before the next: once is enough
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
  used_ = false;
}

std::string Statement::Text(int col) const {
  auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, col));
  if (!p) return {};
  return std::string(p, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, col)));
}

// sqlite3_column_blob hands out the record's bytes as they are; sqlite3_column_text would first copy
// a text that is not NUL-terminated in the page (most are) into a buffer of its own.
std::string_view Statement::View(int col) const {
  const void* p = sqlite3_column_blob(stmt_, col);
  if (!p) return {};
  return {static_cast<const char*>(p), static_cast<std::size_t>(sqlite3_column_bytes(stmt_, col))};
}

std::optional<std::string> Statement::OptText(int col) const {
  if (IsNull(col)) return std::nullopt;
  return Text(col);
}

std::optional<std::int64_t> Statement::OptInt(int col) const {
  if (IsNull(col)) return std::nullopt;
  return Int(col);
}

}  // namespace limbo::storage::sqlite
