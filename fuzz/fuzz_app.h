#pragma once

// A real Api (SQLite store in a private temporary folder, every route registered) for fuzz targets
// that drive requests end to end. Built once per process; the folder is removed at exit.

#include <string>

#include "http/api.h"

namespace limbo::fuzz {

struct FuzzApp {
  http::Api* api = nullptr;
  std::string api_key;  // owner of workspace "fz", which has project "p" (versions 1 and 2) and trashed items
};

// The process-wide instance; aborts when the fixture cannot be built (not an input's fault).
FuzzApp& App();

}  // namespace limbo::fuzz
