#pragma once

#include <string>
#include <string_view>

#include "failure.h"

namespace limbo::cli {

enum class RefKind { kProject, kVersion, kWorkflow };

// A named object: `workspace/name[/version]`. `workspace` is empty when the text left it out
// (it then comes from --workspace or the API key's workspace). `name` is a project or
// workflow URL slug.
struct ObjectRef {
  std::string workspace;
  std::string name;
  std::string version;

  // "acme/cats/3", or "cats/3" while the workspace is unknown.
  std::string ToString() const;
};

// Projects and workflows: "workspace/name" or "name".
// Versions: "workspace/project/N" or "project/N" (N a positive integer).
Outcome<ObjectRef> ParseRef(std::string_view text, RefKind kind);

const char* KindName(RefKind kind);

}  // namespace limbo::cli
