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
// The same for an image in a file, reading only as much of it as the header needs.
std::optional<ImageInfo> ProbeImageFile(const std::string& path);

}  // namespace limbo::core
