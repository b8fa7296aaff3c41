#include "storage/sql/db.h"

namespace limbo::storage::sql {

std::optional<std::string> Rows::OptText(int col) const {
  if (IsNull(col)) return std::nullopt;
  return Text(col);
}

std::optional<std::int64_t> Rows::OptInt(int col) const {
  if (IsNull(col)) return std::nullopt;
  return Int(col);
}

std::vector<std::string> Texts(Rows rows) {
  std::vector<std::string> out;
  while (rows.Next()) out.push_back(rows.Text(0));
  return out;
}

std::vector<std::int64_t> Ints(Rows rows) {
  std::vector<std::int64_t> out;
  while (rows.Next()) out.push_back(rows.Int(0));
  return out;
}

std::int64_t Scalar(Rows rows) { return rows.Next() && !rows.IsNull(0) ? rows.Int(0) : 0; }

bool Exists(Rows rows) { return rows.Next(); }

std::vector<std::string> IntTexts(const std::vector<std::int64_t>& ints) {
  std::vector<std::string> out;
  out.reserve(ints.size());
  for (auto i : ints) out.push_back(std::to_string(i));
  return out;
}

std::string JsonArray(const std::vector<std::string>& texts) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "[";
  for (const auto& t : texts) {
    if (out.size() > 1) out.push_back(',');
    out.push_back('"');
    for (char ch : t) {
      auto c = static_cast<unsigned char>(ch);
      if (c == '"' || c == '\\') {
        out.push_back('\\');
        out.push_back(ch);
      } else if (c < 0x20) {
        out += "\\u00";
        out.push_back(kHex[c >> 4]);
        out.push_back(kHex[c & 0xf]);
      } else {
        out.push_back(ch);
      }
    }
    out.push_back('"');
  }
  out.push_back(']');
  return out;
}

std::string ForDialect(std::string_view sql, Dialect dialect) {
  constexpr std::string_view kList = "list(?)";
  std::string out;
  out.reserve(sql.size() + 16);
  int n = 0;
  bool quoted = false;
  for (std::size_t i = 0; i < sql.size(); ++i) {
    char c = sql[i];
    if (c == '\'') quoted = !quoted;
    if (!quoted && sql.substr(i, kList.size()) == kList) {
      if (dialect == Dialect::kSqlite) {
        out += "json_each(?)";
      } else {
        out += "unnest(CAST($";
        out += std::to_string(++n);
        out += " AS text[])) AS value";
      }
      i += kList.size() - 1;
    } else if (!quoted && c == '?' && dialect == Dialect::kPostgres) {
      out += '$';
      out += std::to_string(++n);
    } else {
      out.push_back(c);
    }
  }
  return out;
}

}  // namespace limbo::storage::sql
