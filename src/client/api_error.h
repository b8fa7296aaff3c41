#pragma once

#include <string>

#include "client/result.h"

namespace limbo::client {

struct Response;

// Why a request failed. `status` is the HTTP status, or 0 when no response arrived at all
// (then `code` is "network_error" and `message` says what the transport reported).
struct ApiError {
  int status = 0;
  std::string code;
  std::string message;
  std::string hint;

  // Builds the error from a non-2xx response: the server's {"error": {...}} when present,
  // otherwise a generic "http_<status>" code.
  static ApiError FromResponse(const Response& response);
  static ApiError Network(std::string message);

  bool IsNetwork() const { return status == 0; }
};

template <class T>
using Result = Expected<T, ApiError>;

}  // namespace limbo::client
