#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace limbo::client {

// One HTTP response. `body` is the parsed JSON, or null when the body is empty or not JSON
// (`raw` always holds the bytes).
struct Response {
  long status = 0;
  nlohmann::json body;
  std::string raw;
  // Header names are lower-cased; repeated headers (Set-Cookie) keep every occurrence in order.
  std::vector<std::pair<std::string, std::string>> headers;

  bool ok() const { return status >= 200 && status < 300; }
  // The first value of a header (name compared case-insensitively), or "" when absent.
  std::string Header(std::string_view name) const;
};

}  // namespace limbo::client
