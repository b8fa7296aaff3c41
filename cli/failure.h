#pragma once

#include <string>

#include "client/api_error.h"
#include "client/result.h"

namespace limbo::cli {

// Process exit codes, part of the CLI's contract with scripts.
enum ExitCode : int {
  kExitOk = 0,
  kExitError = 1,
  kExitAuth = 2,
  kExitNotFound = 3,
};

// Why a command failed, as the user will be told and the shell will see it.
struct Failure {
  int exit_code = kExitError;
  std::string code;  // machine code: the server's ("in_trash") or the CLI's ("not_logged_in")
  std::string message;
  std::string hint;
  int status = 0;  // HTTP status when the server answered

  static Failure Error(std::string code, std::string message, std::string hint = {}) {
    return Failure{kExitError, std::move(code), std::move(message), std::move(hint), 0};
  }
  static Failure NotFound(std::string code, std::string message, std::string hint = {}) {
    return Failure{kExitNotFound, std::move(code), std::move(message), std::move(hint), 0};
  }
  // 401 → authentication, 404 → not found, anything else (403 included) → error.
  static Failure FromApi(const client::ApiError& error);
};

template <class T>
using Outcome = client::Expected<T, Failure>;

inline client::Unexpected<Failure> Fail(Failure failure) { return client::Unexpected<Failure>(std::move(failure)); }

}  // namespace limbo::cli
