#pragma once

#include <pqxx/pqxx>
#include <string>
#include <unordered_map>

#include "storage/sql/db.h"

namespace limbo::storage::postgres {

// One PostgreSQL session with its prepared statements. Not thread-safe: one thread at a time.
class Connection {
 public:
  // `url` is a libpq connection string or URI (postgresql://user:pass@host:port/db).
  explicit Connection(const std::string& url);
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  pqxx::connection& raw() { return conn_; }
  // The name of the statement prepared for `sql` on this session, preparing it on first use. `sql`
  // follows the shared conventions of storage/sql/db.h (`?` becomes `$n`).
  const std::string& Prepared(std::string_view sql);
  // The same for `sql` + " RETURNING id" (sql::Db::Insert), looked up by `sql` itself: an insert
  // does not build the longer text again at every call.
  const std::string& PreparedReturningId(std::string_view sql);

 private:
  using Names = std::unordered_map<std::string, std::string, sql::TextHash, std::equal_to<>>;
  const std::string& Prepare(Names& names, std::string_view sql, std::string_view suffix);

  pqxx::connection conn_;
  Names names_;
  Names returning_id_names_;
};

}  // namespace limbo::storage::postgres
