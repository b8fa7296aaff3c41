#pragma once

#include <string_view>
#include <vector>

namespace limbo::web {

struct EmbeddedFile {
  std::string_view path;  // relative to web/, e.g. "app.js"
  std::string_view data;
};

// Every file of the web app, embedded into the binary at build time.
const std::vector<EmbeddedFile>& Assets();

}  // namespace limbo::web
