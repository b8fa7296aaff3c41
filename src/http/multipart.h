#pragma once

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
std::optional<FilePart> FindMultipartField(std::string_view content_type, std::string_view body, std::string_view field);

}  // namespace limbo::http
