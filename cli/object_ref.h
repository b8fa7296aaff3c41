#pragma once

#include <string>
#include <string_view>

#include "failure.h"

namespace limbo::cli {

enum class RefKind { kProject, kVersion, kWorkflow, kTraining };

// A named object: `workspace/name[/version[/training]]`. `workspace` is empty when the text left
// it out (it then comes from --workspace or the API key's workspace). `name` is a project or
// workflow URL slug; `training` a training run's id.
struct ObjectRef {
  std::string workspace;
  std::string name;
  std::string version;
  std::string training;

  // "acme/cats/3", or "cats/3" while the workspace is unknown; "acme/cats/3/j_1" for a run.
  std::string ToString() const;
};

// Projects and workflows: "workspace/name" or "name".
// Versions: "workspace/project/N" or "project/N" (N a positive integer).
// Training runs: "workspace/project/N/ID" or "project/N/ID", or by id alone "workspace/ID" or "ID".
Outcome<ObjectRef> ParseRef(std::string_view text, RefKind kind);

const char* KindName(RefKind kind);

}  // namespace limbo::cli
