#include "storage/postgres/connection.h"

namespace limbo::storage::postgres {

Connection::Connection(const std::string& url) : conn_(url) {}

const std::string& Connection::Prepared(std::string_view sql) {
  auto it = names_.find(sql);
  if (it != names_.end()) return it->second;
  // Appended, not `"s" + std::to_string(...)`: GCC 12 warns falsely (-Wrestrict) on a short literal
  // prepended to a temporary string.
  std::string name = "s";
  name += std::to_string(names_.size() + 1);
  conn_.prepare(name, sql::ForDialect(sql, sql::Dialect::kPostgres));
  return names_.emplace(std::string(sql), std::move(name)).first->second;
}

}  // namespace limbo::storage::postgres
