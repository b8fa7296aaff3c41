// Image validation: any uploaded bytes, decoded whole by the validator the upload path uses.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "core/image_info.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  // A small limit keeps each run fast and exercises the too-large path as well.
  constexpr std::int64_t kMaxPixels = 1 << 20;
  auto info = limbo::core::InspectImage(std::string_view(reinterpret_cast<const char*>(data), size), kMaxPixels);
  if (info) {
    if (info->width <= 0 || info->height <= 0 || info->format.empty()) std::abort();
    if (std::int64_t{info->width} * info->height > kMaxPixels) std::abort();
    if (std::int64_t{info->width} * info->height * info->frames > limbo::core::kGifFramePixelsFactor * kMaxPixels) {
      std::abort();
    }
    if (info->decode_bytes > limbo::core::kDecodeBytesPerPixel * info->width * info->height +
                                 2 * static_cast<std::int64_t>(size) + limbo::core::kDecodeSlackBytes) {
      std::abort();
    }
  } else if (info.error().code != "unsupported_media_type" && info.error().code != "invalid_image" &&
             info.error().code != "image_too_large") {
    std::abort();
  }
  return 0;
}
