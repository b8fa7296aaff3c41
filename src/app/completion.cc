#include "app/completion.h"

#include <iostream>

#include "completion/completion.h"

namespace limbo::app {

// limbod's arguments are mostly paths (--config, --data-dir, backup files): file names everywhere.
CLI::App* AddCompletionCommand(CLI::App& root, const std::string& program) {
  return completion::AddCommand(root, program, std::nullopt,
                                [](const std::string& script) { std::cout << script << std::flush; });
}

}  // namespace limbo::app
