// Multipart parsing: the first line is the Content-Type header, the rest the body.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "http/multipart.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  auto nl = in.find('\n');
  if (nl == std::string_view::npos) return 0;
  std::string_view body = in.substr(nl + 1);
  auto part = limbo::http::FindMultipartField(in.substr(0, nl), body, "file");
  // The part must point into the body it came from.
  if (part && !part->data.empty() &&
      (part->data.data() < body.data() || part->data.data() + part->data.size() > body.data() + body.size())) {
    std::abort();
  }
  return 0;
}
