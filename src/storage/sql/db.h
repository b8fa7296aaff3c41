#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace limbo::storage::sql {

// The SQL both backends run is written once, in this directory, in the subset of SQL that SQLite
// and PostgreSQL both accept, with one convention for parameters:
//   - `?` is a parameter, numbered left to right (PostgreSQL's `$n` are made from them);
//   - `(SELECT value FROM list(?))` reads a parameter holding a list of texts as a one-column table
//     (SQLite's json_each, PostgreSQL's unnest of a text[]); write it exactly so, never aliased;
//   - where a type cannot be inferred (a parameter in a select list, `? IS NULL`), cast it:
//     `CAST(? AS BIGINT)`, `CAST(? AS TEXT)`;
//   - booleans are read with Rows::Bool (PostgreSQL has a type for them, SQLite has integers).
// What truly differs is asked of the Db: its dialect() for a fragment only one database knows, and
// locks_rows() for `FOR UPDATE` (PostgreSQL write transactions; SQLite holds the whole database).
enum class Dialect { kSqlite, kPostgres };

// A value bound to one `?`. It refers to the caller's text, which must outlive the call.
class Value {
 public:
  enum class Kind { kNull, kInt, kDouble, kBool, kText, kTextList };

  Value(std::nullopt_t) {}                                // NOLINT: values convert implicitly, so calls read like SQL
  Value(std::int64_t v) : kind_(Kind::kInt), int_(v) {}   // NOLINT
  Value(int v) : kind_(Kind::kInt), int_(v) {}            // NOLINT
  Value(bool v) : kind_(Kind::kBool), int_(v ? 1 : 0) {}  // NOLINT
  Value(double v) : kind_(Kind::kDouble), double_(v) {}   // NOLINT
  Value(std::string_view v) : kind_(Kind::kText), text_(v) {}                      // NOLINT
  Value(const std::string& v) : kind_(Kind::kText), text_(v) {}                    // NOLINT
  Value(const char* v) : kind_(Kind::kText), text_(v) {}                           // NOLINT
  Value(const std::vector<std::string>& v) : kind_(Kind::kTextList), list_(&v) {}  // NOLINT
  template <class T>
  Value(const std::optional<T>& v) : Value(v ? Value(*v) : Value(std::nullopt)) {}  // NOLINT

  Kind kind() const { return kind_; }
  std::int64_t integer() const { return int_; }
  double real() const { return double_; }
  std::string_view text() const { return text_; }
  const std::vector<std::string>& list() const { return *list_; }

 private:
  Kind kind_ = Kind::kNull;
  std::int64_t int_ = 0;
  double double_ = 0;
  std::string_view text_;
  const std::vector<std::string>* list_ = nullptr;
};

// A backend's result being read. Columns are read by position, in the order of the SELECT.
class Cursor {
 public:
  virtual ~Cursor() = default;
  virtual bool Next() = 0;
  virtual bool IsNull(int col) const = 0;
  virtual std::int64_t Int(int col) const = 0;
  virtual double Double(int col) const = 0;
  virtual bool Bool(int col) const = 0;         // NULL reads as false
  virtual std::string Text(int col) const = 0;  // NULL reads as ""
  // The text in place, valid until the next Next() or Release(); NULL reads as "". For a page
  // whose values are copied once into their destination, without a temporary string per column.
  virtual std::string_view View(int col) const = 0;
  // Called once when the rows are no longer read (a cached statement is reset for its next use).
  virtual void Release() {}
};

// The rows of one statement, read one at a time: `while (rows.Next()) ... rows.Text(0) ...`.
class Rows {
 public:
  // A cursor the backend keeps (a cached statement) or one handed over.
  explicit Rows(Cursor& borrowed) : cursor_(&borrowed) {}
  explicit Rows(std::unique_ptr<Cursor> owned) : cursor_(owned.get()), owned_(std::move(owned)) {}
  Rows(Rows&& other) noexcept : cursor_(std::exchange(other.cursor_, nullptr)), owned_(std::move(other.owned_)) {}
  Rows& operator=(Rows&&) = delete;
  ~Rows() {
    if (cursor_ != nullptr) cursor_->Release();
  }

  bool Next() { return cursor_->Next(); }
  bool IsNull(int col) const { return cursor_->IsNull(col); }
  std::int64_t Int(int col) const { return cursor_->Int(col); }
  double Double(int col) const { return cursor_->Double(col); }
  bool Bool(int col) const { return cursor_->Bool(col); }  // NULL reads as false
  std::string Text(int col) const { return cursor_->Text(col); }
  std::string_view View(int col) const { return cursor_->View(col); }
  std::optional<std::string> OptText(int col) const;
  std::optional<std::int64_t> OptInt(int col) const;

 private:
  Cursor* cursor_;
  std::unique_ptr<Cursor> owned_;
};

// One open transaction of a backend. Statements are prepared once per connection and reused.
class Db {
 public:
  virtual ~Db() = default;

  virtual Dialect dialect() const = 0;
  // Whether `SELECT ... FOR UPDATE` locks rows here (a PostgreSQL write transaction).
  virtual bool locks_rows() const = 0;

  virtual Rows QueryValues(std::string_view sql, std::span<const Value> args) = 0;
  // Runs a statement that returns no rows; returns how many rows it changed.
  virtual std::int64_t ExecValues(std::string_view sql, std::span<const Value> args) = 0;
  // Runs an INSERT of one row into a table with an integer `id` and returns the new id (SQLite's
  // last rowid, which costs half of a RETURNING there; PostgreSQL's `RETURNING id`).
  virtual std::int64_t InsertValues(std::string_view sql, std::span<const Value> args) = 0;

  template <class... Args>
  Rows Query(std::string_view sql, const Args&... args) {
    const Value values[] = {Value(args)..., Value(std::nullopt)};
    return QueryValues(sql, std::span<const Value>(values, sizeof...(Args)));
  }
  template <class... Args>
  std::int64_t Exec(std::string_view sql, const Args&... args) {
    const Value values[] = {Value(args)..., Value(std::nullopt)};
    return ExecValues(sql, std::span<const Value>(values, sizeof...(Args)));
  }
  template <class... Args>
  std::int64_t Insert(std::string_view sql, const Args&... args) {
    const Value values[] = {Value(args)..., Value(std::nullopt)};
    return InsertValues(sql, std::span<const Value>(values, sizeof...(Args)));
  }
};

// ---- Reading results ---------------------------------------------------------------------------

// The first row read by `read(rows)`, or nullopt.
template <class T, class F>
std::optional<T> One(Rows rows, F read) {
  if (!rows.Next()) return std::nullopt;
  return read(rows);
}

template <class T, class F>
std::vector<T> All(Rows rows, F read) {
  std::vector<T> out;
  while (rows.Next()) out.push_back(read(rows));
  return out;
}

// The first column of every row.
std::vector<std::string> Texts(Rows rows);
std::vector<std::int64_t> Ints(Rows rows);
// The first column of the first row; 0 when there is no row or it is NULL.
std::int64_t Scalar(Rows rows);
// Whether there is a row.
bool Exists(Rows rows);

// Integers as a list parameter's texts, read back with `(SELECT CAST(value AS BIGINT) FROM list(?))`.
std::vector<std::string> IntTexts(const std::vector<std::int64_t>& ints);

// A JSON array of the texts (how SQLite receives a list parameter).
std::string JsonArray(const std::vector<std::string>& texts);

// Hashing for maps keyed by SQL text that are searched with a string_view (no copy per lookup).
struct TextHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

// The statement as the backend runs it: `?` numbered as `$1...` and `list(?)` expanded for
// PostgreSQL; `list(?)` as json_each for SQLite. Quoted text is left alone.
std::string ForDialect(std::string_view sql, Dialect dialect);

}  // namespace limbo::storage::sql
