#pragma once

#include <pqxx/pqxx>

#include "storage/postgres/connection.h"
#include "storage/sql/db.h"

namespace limbo::storage::postgres {

// The shared SQL's executor over an open PostgreSQL transaction: statements run prepared on the
// session. `writable` is false inside Store::Read (a READ ONLY transaction that takes no row locks).
class PostgresDb final : public sql::Db {
 public:
  PostgresDb(Connection& conn, pqxx::transaction_base& tx, bool writable) : conn_(conn), tx_(tx), writable_(writable) {}

  sql::Dialect dialect() const override { return sql::Dialect::kPostgres; }
  bool locks_rows() const override { return writable_; }
  sql::Rows QueryValues(std::string_view sql, std::span<const sql::Value> args) override;
  std::int64_t ExecValues(std::string_view sql, std::span<const sql::Value> args) override;
  std::int64_t InsertValues(std::string_view sql, std::span<const sql::Value> args) override;

  // Text goes to PostgreSQL as valid UTF-8 without NUL bytes (which it cannot hold, and which libpq
  // would cut a parameter at): anything else is replaced by U+FFFD, so a lookup by such a key finds
  // nothing instead of failing or matching a prefix.
  static std::string ValidText(std::string_view s);

 private:
  // Runs the statement prepared on the session under the name `statement` (Connection::Prepared).
  pqxx::result Run(const std::string& statement, std::span<const sql::Value> args);

  Connection& conn_;
  pqxx::transaction_base& tx_;
  const bool writable_;
};

}  // namespace limbo::storage::postgres
