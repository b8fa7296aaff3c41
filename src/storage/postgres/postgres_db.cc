#include "storage/postgres/postgres_db.h"

#include <charconv>
#include <optional>
#include <vector>

namespace limbo::storage::postgres {

namespace {

// Length of the valid UTF-8 sequence starting at s[i] (no NUL, no overlongs, no surrogates), or 0.
std::size_t Utf8Sequence(std::string_view s, std::size_t i) {
  auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  auto cont = [&](std::size_t k) { return k < s.size() && (b(k) & 0xC0) == 0x80; };
  unsigned char c = b(i);
  if (c == 0) return 0;
  if (c < 0x80) return 1;
  if (c >= 0xC2 && c <= 0xDF) return cont(i + 1) ? 2 : 0;
  if (c >= 0xE0 && c <= 0xEF) {
    if (!cont(i + 1) || !cont(i + 2)) return 0;
    if (c == 0xE0 && b(i + 1) < 0xA0) return 0;   // overlong
    if (c == 0xED && b(i + 1) >= 0xA0) return 0;  // surrogate
    return 3;
  }
  if (c >= 0xF0 && c <= 0xF4) {
    if (!cont(i + 1) || !cont(i + 2) || !cont(i + 3)) return 0;
    if (c == 0xF0 && b(i + 1) < 0x90) return 0;   // overlong
    if (c == 0xF4 && b(i + 1) >= 0x90) return 0;  // above U+10FFFF
    return 4;
  }
  return 0;
}

// A text[] literal: {"a","b"} with quotes and backslashes escaped.
std::string ArrayLiteral(const std::vector<std::string>& texts) {
  std::string out = "{";
  for (const auto& t : texts) {
    if (out.size() > 1) out.push_back(',');
    out.push_back('"');
    for (char c : PostgresDb::ValidText(t)) {
      if (c == '"' || c == '\\') out.push_back('\\');
      out.push_back(c);
    }
    out.push_back('"');
  }
  out.push_back('}');
  return out;
}

std::optional<std::string> Param(const sql::Value& v) {
  switch (v.kind()) {
    case sql::Value::Kind::kNull:
      return std::nullopt;
    case sql::Value::Kind::kInt:
      return std::to_string(v.integer());
    case sql::Value::Kind::kBool:
      return v.integer() != 0 ? "true" : "false";
    case sql::Value::Kind::kDouble: {
      char buf[32];
      auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v.real());
      return std::string(buf, end);
    }
    case sql::Value::Kind::kText:
      return PostgresDb::ValidText(v.text());
    case sql::Value::Kind::kTextList:
      return ArrayLiteral(v.list());
  }
  return std::nullopt;
}

// Reads a pqxx result row by row.
class ResultCursor final : public sql::Cursor {
 public:
  explicit ResultCursor(pqxx::result res) : res_(std::move(res)) {}

  bool Next() override { return ++row_ < static_cast<long>(res_.size()); }
  bool IsNull(int col) const override { return Field(col).is_null(); }
  std::int64_t Int(int col) const override { return Field(col).as<std::int64_t>(); }
  double Double(int col) const override { return Field(col).as<double>(); }
  bool Bool(int col) const override {
    auto f = Field(col);
    if (f.is_null()) return false;
    std::string_view v(f.c_str(), f.size());
    return v == "t" || v == "true" || (!v.empty() && v != "0" && v != "f" && v != "false");
  }
  std::string Text(int col) const override {
    auto f = Field(col);
    return f.is_null() ? std::string() : std::string(f.c_str(), f.size());
  }
  std::string_view View(int col) const override {
    auto f = Field(col);
    return f.is_null() ? std::string_view() : std::string_view(f.c_str(), f.size());
  }

 private:
  pqxx::field Field(int col) const { return res_[static_cast<pqxx::result::size_type>(row_)][col]; }

  pqxx::result res_;
  long row_ = -1;
};

}  // namespace

std::string PostgresDb::ValidText(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    std::size_t n = Utf8Sequence(s, i);
    if (n == 0) break;
    i += n;
  }
  if (i == s.size()) return std::string(s);
  std::string out(s.substr(0, i));
  while (i < s.size()) {
    std::size_t n = Utf8Sequence(s, i);
    if (n == 0) {
      out += "\xEF\xBF\xBD";
      ++i;
    } else {
      out.append(s.substr(i, n));
      i += n;
    }
  }
  return out;
}

pqxx::result PostgresDb::Run(const std::string& statement, std::span<const sql::Value> args) {
  std::vector<std::optional<std::string>> params;
  params.reserve(args.size());
  for (const auto& v : args) params.push_back(Param(v));
  return tx_.exec_prepared(statement, pqxx::prepare::make_dynamic_params(params));
}

sql::Rows PostgresDb::QueryValues(std::string_view sql, std::span<const sql::Value> args) {
  return sql::Rows(std::make_unique<ResultCursor>(Run(conn_.Prepared(sql), args)));
}

std::int64_t PostgresDb::ExecValues(std::string_view sql, std::span<const sql::Value> args) {
  return static_cast<std::int64_t>(Run(conn_.Prepared(sql), args).affected_rows());
}

std::int64_t PostgresDb::InsertValues(std::string_view sql, std::span<const sql::Value> args) {
  auto res = Run(conn_.PreparedReturningId(sql), args);
  return res.empty() || res[0][0].is_null() ? 0 : res[0][0].as<std::int64_t>();
}

}  // namespace limbo::storage::postgres
