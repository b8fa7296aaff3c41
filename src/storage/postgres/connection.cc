#include "storage/postgres/connection.h"

namespace limbo::storage::postgres {

Connection::Connection(const std::string& url) : conn_(url) {}

const std::string& Connection::Prepared(std::string_view sql) {
  auto it = names_.find(sql);
  if (it != names_.end()) return it->second;
  std::string name = "s" + std::to_string(names_.size() + 1);
  conn_.prepare(name, sql::ForDialect(sql, sql::Dialect::kPostgres));
  return names_.emplace(std::string(sql), std::move(name)).first->second;
}

}  // namespace limbo::storage::postgres
