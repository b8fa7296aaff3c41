// JSON request decoding end to end: a request line ("METHOD /target") then a JSON body, sent with the
// owner's API key through Api::Handle (routing, authentication, Ctx::Body, field readers, the trash
// restore item parser, the handlers). A 500 is a finding: a valid or invalid request never answers one.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "fuzz_app.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto& app = limbo::fuzz::App();
  std::string_view in(reinterpret_cast<const char*>(data), size);
  auto nl = in.find('\n');
  std::string_view line = in.substr(0, nl);
  std::string_view body = nl == std::string_view::npos ? std::string_view() : in.substr(nl + 1);
  auto sp = line.find(' ');
  if (sp == std::string_view::npos) return 0;
  std::string method(line.substr(0, sp));
  // Deleting would let an input revoke the fixture's key or remove its workspace for all later inputs.
  if (method != "GET" && method != "POST" && method != "PATCH") return 0;
  limbo::http::Request req;
  req.method = method;
  req.target = std::string(line.substr(sp + 1));
  if (!limbo::http::ParseTarget(req.target, &req.path, &req.query)) return 0;
  req.headers.emplace_back("authorization", "Bearer " + app.api_key);
  req.headers.emplace_back("content-type", "application/json");
  req.body = std::string(body);
  req.remote_addr = "127.0.0.1";
  auto res = app.api->Handle(req);
  if (res.status >= 500 && res.status != 503) std::abort();
  return 0;
}
