#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace limbo::core {

struct ImageInfo {
  int width = 0;
  int height = 0;
  std::string format;  // "png", "jpeg", "gif", "bmp"
};

// Reads only the header of an encoded image; nullopt when the bytes are not a supported image.
std::optional<ImageInfo> ProbeImage(std::string_view bytes);

}  // namespace limbo::core
