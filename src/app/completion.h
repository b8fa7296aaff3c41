// `limbod completion bash|zsh`: shell completion scripts generated from the CLI11 tree, so they name
// every subcommand and flag of this build (the package installs them; docs/OPERATIONS.md).
#pragma once

#include <CLI/CLI.hpp>
#include <string>

namespace limbo::app {

// The completion script of `root` (named `program`) for "bash" or "zsh".
std::string CompletionScript(const CLI::App& root, const std::string& program, const std::string& shell);

// Adds the subcommand `completion SHELL`, which prints the script for the tree as it is when it runs.
CLI::App* AddCompletionCommand(CLI::App& root, const std::string& program);

}  // namespace limbo::app
