#include "core/image_info.h"

#include <stb/stb_image.h>

#include <climits>
#include <cstdio>

namespace limbo::core {

namespace {
std::string DetectFormat(std::string_view b) {
  auto starts = [&](std::string_view magic) { return b.substr(0, magic.size()) == magic; };
  if (starts("\x89PNG\r\n\x1a\n")) return "png";
  if (starts("\xff\xd8\xff")) return "jpeg";
  if (starts("GIF87a") || starts("GIF89a")) return "gif";
  if (starts("BM")) return "bmp";
  return {};
}
}  // namespace

std::optional<ImageInfo> ProbeImage(std::string_view bytes) {
  std::string format = DetectFormat(bytes);
  if (format.empty() || bytes.size() > static_cast<std::size_t>(INT_MAX)) return std::nullopt;
  int w = 0, h = 0, comp = 0;
  if (!stbi_info_from_memory(reinterpret_cast<const stbi_uc*>(bytes.data()), static_cast<int>(bytes.size()), &w, &h,
                             &comp)) {
    return std::nullopt;
  }
  if (w <= 0 || h <= 0 || w > 100000 || h > 100000) return std::nullopt;
  return ImageInfo{w, h, format};
}

std::optional<ImageInfo> ProbeImageFile(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) return std::nullopt;
  char head[8] = {};
  std::size_t n = std::fread(head, 1, sizeof head, f);
  std::string format = DetectFormat(std::string_view(head, n));
  int w = 0, h = 0, comp = 0;
  bool ok = !format.empty() && std::fseek(f, 0, SEEK_SET) == 0 && stbi_info_from_file(f, &w, &h, &comp);
  std::fclose(f);
  if (!ok || w <= 0 || h <= 0 || w > 100000 || h > 100000) return std::nullopt;
  return ImageInfo{w, h, format};
}

}  // namespace limbo::core
