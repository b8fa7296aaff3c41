#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace limbo::http {

struct FilePart {
  std::string_view data;  // points into the body
  std::string filename;
  std::string content_type;  // the part's Content-Type, "" when it has none
};

// Finds the part named `field` in a multipart/form-data body. nullopt when the content type has no
// boundary, the body is malformed, or the part is absent.
std::optional<FilePart> FindMultipartField(std::string_view content_type, std::string_view body,
                                           std::string_view field);

struct ExtractedPart {
  std::uint64_t size = 0;
  std::string sha256;
  std::string filename;
  std::string content_type;  // the part's Content-Type, "" when it has none
};

// For a body on disk: finds the part named `field` as FindMultipartField does and writes its bytes to
// a new file `out_path`, hashing them on the way. nullopt when the part is absent, the body is
// malformed, or a file cannot be read or written (then `out_path` does not exist).
std::optional<ExtractedPart> ExtractMultipartField(std::string_view content_type, const std::string& body_path,
                                                   std::string_view field, const std::string& out_path);

}  // namespace limbo::http
