#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"

namespace limbo::core {

// The images Limbo takes: PNG, JPEG (baseline and progressive), GIF (every frame) and BMP.
inline constexpr std::int64_t kDefaultMaxImagePixels = 100'000'000;
// Decoding holds at most this many bytes per pixel, plus twice the file's size, plus kDecodeSlackBytes
// (see InspectImage).
inline constexpr std::int64_t kDecodeBytesPerPixel = 40;
inline constexpr std::int64_t kDecodeSlackBytes = 1 << 20;
// An animated GIF's frames may hold this many times max_pixels together (each frame's canvas is
// checked against max_pixels itself).
inline constexpr std::int64_t kGifFramePixelsFactor = 10;

struct ImageInfo {
  int width = 0;
  int height = 0;
  std::string format;             // "png", "jpeg", "gif", "bmp"
  int frames = 1;                 // more than one only for an animated GIF
  std::int64_t decode_bytes = 0;  // the most memory the decoder held at once
};

// Decodes the whole image to know that it is a well-formed PNG, JPEG, GIF or BMP; the dimensions
// come from the decoder. The pixel count (width x height) is checked against `max_pixels` from the
// header, before any pixel memory is allocated (an animated GIF's frames together may hold
// kGifFramePixelsFactor x max_pixels, checked as they decode), and decoding
// may allocate at most kDecodeBytesPerPixel x pixels + 2 x size + kDecodeSlackBytes: a
// decompression bomb fails instead of growing. Errors:
//   415 unsupported_media_type  not one of the four formats
//   415 invalid_image           the format's signature, but truncated, corrupt or lying about its size
//   413 image_too_large         more pixels than `max_pixels`
// Thread-safe.
Result<ImageInfo> InspectImage(std::string_view bytes, std::int64_t max_pixels);
// The same for a file (an upload spooled to disk); reads it in small pieces, never whole.
Result<ImageInfo> InspectImageFile(const std::string& path, std::int64_t max_pixels);

// The format the first bytes' signature names ("png", "jpeg", "gif", "bmp"), or "" for none of them.
// It says nothing of the rest of the file: InspectImage does.
std::string DetectImageFormat(std::string_view first_bytes);
// The same for the first bytes of a file; "" when it cannot be read.
std::string DetectImageFileFormat(const std::string& path);

// The format a declared media type names ("image/png" -> "png", "image/jpg" -> "jpeg", parameters
// ignored); "" for another image/* type; nullopt when it declares no image type at all
// (empty, application/octet-stream, multipart/..., ...).
std::optional<std::string> ImageFormatOfMediaType(std::string_view media_type);
// "image/png" for "png", etc.
std::string MediaTypeOfImageFormat(std::string_view format);

}  // namespace limbo::core
