#include "client/api_error.h"

#include "client/response.h"

namespace limbo::client {
namespace {

std::string StringField(const nlohmann::json& object, const char* name) {
  auto it = object.find(name);
  if (it == object.end() || !it->is_string()) return {};
  return it->get<std::string>();
}

}  // namespace

ApiError ApiError::FromResponse(const Response& response) {
  ApiError error;
  error.status = static_cast<int>(response.status);
  if (response.body.is_object()) {
    auto it = response.body.find("error");
    if (it != response.body.end() && it->is_object()) {
      error.code = StringField(*it, "code");
      error.message = StringField(*it, "message");
      error.hint = StringField(*it, "hint");
    }
  }
  if (error.code.empty()) error.code = "http_" + std::to_string(error.status);
  if (error.message.empty()) error.message = "The server answered HTTP " + std::to_string(error.status) + ".";
  return error;
}

ApiError ApiError::Network(std::string message) {
  return ApiError{.status = 0, .code = "network_error", .message = std::move(message), .hint = {}};
}

}  // namespace limbo::client
