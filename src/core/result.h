#pragma once

#include <string>
#include <utility>
#include <variant>

namespace limbo::core {

// The kind of an error decides how an interface reports it (the HTTP layer maps kinds to statuses);
// the code is the stable machine-readable name clients switch on.
enum class ErrorKind {
  kInvalid,       // the request is malformed or names a bad value
  kUnauthorized,  // no or wrong credentials
  kForbidden,     // authenticated, but not allowed
  kNotFound,      // nothing there, or not visible to the caller
  kConflict,      // the state of the data forbids it now
  kTooLarge,      // over a size limit
  kUnsupported,   // a media type we do not take
  kRateLimited,   // too many attempts
  kUnavailable,   // busy; retrying later can succeed
  kInternal,      // a defect or an environment failure
};

struct Error {
  ErrorKind kind = ErrorKind::kInternal;
  std::string code;     // snake_case, e.g. "in_trash"
  std::string message;  // one human sentence
  std::string hint;     // optional, for the user: what to do next; sent to clients
  // Internal detail for the operator (a driver's or the OS's words, an exception's text): logged by the
  // interface that reports the error, never sent to a client. Set it with WithDetail, not WithHint.
  std::string detail = {};

  static Error Invalid(std::string msg, std::string code = "invalid_request") {
    return {ErrorKind::kInvalid, std::move(code), std::move(msg), {}};
  }
  static Error NotFound(std::string msg, std::string code = "not_found") {
    return {ErrorKind::kNotFound, std::move(code), std::move(msg), {}};
  }
  static Error Forbidden(std::string msg, std::string code = "forbidden") {
    return {ErrorKind::kForbidden, std::move(code), std::move(msg), {}};
  }
  static Error Conflict(std::string msg, std::string code = "conflict") {
    return {ErrorKind::kConflict, std::move(code), std::move(msg), {}};
  }
  static Error Unauthorized(std::string msg, std::string code = "unauthorized") {
    return {ErrorKind::kUnauthorized, std::move(code), std::move(msg), {}};
  }
  static Error Internal(std::string msg, std::string code = "internal") {
    return {ErrorKind::kInternal, std::move(code), std::move(msg), {}};
  }
  Error&& WithHint(std::string h) && {
    hint = std::move(h);
    return std::move(*this);
  }
  Error&& WithDetail(std::string d) && {
    detail = std::move(d);
    return std::move(*this);
  }
};

// Unexpected<E> mirrors std::unexpected so Result can become std::expected in C++23.
struct Unexpected {
  Error error;
};
inline Unexpected Fail(Error e) { return Unexpected{std::move(e)}; }

// A value or an Error, with std::expected's member names.
template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::in_place_index<0>, std::move(value)) {}         // NOLINT(implicit)
  Result(Unexpected u) : v_(std::in_place_index<1>, std::move(u.error)) {}  // NOLINT(implicit)
  Result(Error e) : v_(std::in_place_index<1>, std::move(e)) {}             // NOLINT(implicit)

  bool has_value() const { return v_.index() == 0; }
  explicit operator bool() const { return has_value(); }
  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  const Error& error() const& { return std::get<1>(v_); }
  Error&& error() && { return std::get<1>(std::move(v_)); }

 private:
  std::variant<T, Error> v_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Unexpected u) : err_(std::move(u.error)), ok_(false) {}  // NOLINT(implicit)
  Result(Error e) : err_(std::move(e)), ok_(false) {}             // NOLINT(implicit)
  bool has_value() const { return ok_; }
  explicit operator bool() const { return ok_; }
  void value() const {}
  const Error& error() const& { return err_; }
  Error&& error() && { return std::move(err_); }

 private:
  Error err_;
  bool ok_ = true;
};

using Status = Result<void>;
inline Status Ok() { return {}; }

}  // namespace limbo::core

#define LIMBO_CONCAT_INNER(a, b) a##b
#define LIMBO_CONCAT(a, b) LIMBO_CONCAT_INNER(a, b)

// Returns the error of a Result expression from the enclosing function. The temporary's name is
// unique, so the macro nests (a Write whose function uses it again) without shadowing.
#define LIMBO_RETURN_IF_ERROR(expr) LIMBO_RETURN_IF_ERROR_IMPL(LIMBO_CONCAT(limbo_status_, __COUNTER__), expr)
#define LIMBO_RETURN_IF_ERROR_IMPL(tmp, expr)                                 \
  do {                                                                        \
    auto&& tmp = (expr);                                                      \
    if (!tmp.has_value()) return ::limbo::core::Fail(std::move(tmp).error()); \
  } while (0)
// Declares `lhs` from a Result's value, or returns its error.
#define LIMBO_TRY(lhs, expr) LIMBO_TRY_IMPL(LIMBO_CONCAT(limbo_result_, __LINE__), lhs, expr)
#define LIMBO_TRY_IMPL(tmp, lhs, expr)                                      \
  auto tmp = (expr);                                                        \
  if (!tmp.has_value()) return ::limbo::core::Fail(std::move(tmp).error()); \
  lhs = std::move(tmp).value()
