#include "completion/completion.h"

#include "verb.h"

namespace limbo::cli {

// Only `image upload` takes file names.
void AddCompletionCommand(CLI::App& app, Registry& registry) {
  completion::AddCommand(app, "limbo", "/image/upload", [&registry](const std::string& script) {
    registry.context.out << script;
    registry.exit_code = kExitOk;
  });
}

}  // namespace limbo::cli
