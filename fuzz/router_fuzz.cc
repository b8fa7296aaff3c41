// The router's path parsing: a raw request target through ParseTarget, then Router::Match over the
// real route table. Checks that a match binds every capture of its pattern.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <string>
#include <string_view>

#include "fuzz_app.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto& app = limbo::fuzz::App();
  std::string_view in(reinterpret_cast<const char*>(data), size);
  static const char* kMethods[] = {"GET", "POST", "PATCH", "DELETE"};
  std::string method = size > 0 ? kMethods[data[0] % 4] : "GET";
  std::string target(size > 0 ? in.substr(1) : in);
  std::string path;
  std::map<std::string, std::string> query;
  if (!limbo::http::ParseTarget(target, &path, &query)) return 0;
  auto m = app.api->router().Match(method, path);
  if (m.route) {
    for (const auto& seg : m.route->segments) {
      if (!seg.empty() && (seg[0] == ':' || seg[0] == '*') && !m.params.count(seg.substr(1))) std::abort();
    }
  }
  return 0;
}
