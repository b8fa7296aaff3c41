// Image header parsing: any uploaded bytes.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "core/image_info.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto info = limbo::core::ProbeImage(std::string_view(reinterpret_cast<const char*>(data), size));
  if (info && (info->width <= 0 || info->height <= 0 || info->format.empty())) std::abort();
  return 0;
}
