#include "failure.h"

namespace limbo::cli {

Failure Failure::FromApi(const client::ApiError& error) {
  Failure failure{kExitError, error.code, error.message, error.hint, error.status};
  if (error.status == 401) {
    failure.exit_code = kExitAuth;
    if (failure.hint.empty())
      failure.hint = "Log in with a valid key: limbo auth login --api-key KEY (or set LIMBO_API_KEY)";
  } else if (error.status == 404) {
    failure.exit_code = kExitNotFound;
  } else if (error.IsNetwork()) {
    failure.message = "Cannot reach the server: " + error.message;
    if (failure.hint.empty()) failure.hint = "Is limbod running? Set the URL with --api-url or LIMBO_API_URL.";
  }
  return failure;
}

}  // namespace limbo::cli
