#pragma once

#include <string>
#include <string_view>

namespace limbo::core {

// The version and the git commit this binary was built from (generated at build time; "unknown"
// outside a git checkout, "-modified" after it when the tree had uncommitted changes).
extern const char* const kVersion;
extern const char* const kCommit;

// "limbod 0.1.0 (commit 1ff05c4a1b2c)": what `--version` prints.
inline std::string VersionText(std::string_view program) {
  return std::string(program) + " " + kVersion + " (commit " + kCommit + ")";
}

}  // namespace limbo::core
