#include "storage/postgres/connection.h"

namespace limbo::storage::postgres {

Connection::Connection(const std::string& url) : conn_(url) {}

const std::string& Connection::Prepared(std::string_view sql) { return Prepare(names_, sql, ""); }

const std::string& Connection::PreparedReturningId(std::string_view sql) {
  return Prepare(returning_id_names_, sql, " RETURNING id");
}

const std::string& Connection::Prepare(Names& names, std::string_view sql, std::string_view suffix) {
  auto it = names.find(sql);
  if (it != names.end()) return it->second;
  // Appended, not `"s" + std::to_string(...)`: GCC 12 warns falsely (-Wrestrict) on a short literal
  // prepended to a temporary string.
  std::string name = "s";
  name += std::to_string(names_.size() + returning_id_names_.size() + 1);
  std::string text(sql);
  text += suffix;
  conn_.prepare(name, sql::ForDialect(text, sql::Dialect::kPostgres));
  return names.emplace(std::string(sql), std::move(name)).first->second;
}

}  // namespace limbo::storage::postgres
