// `limbod completion bash|zsh` (the writer, shared with the `limbo` CLI, is src/completion).
#pragma once

#include <CLI/CLI.hpp>
#include <string>

namespace limbo::app {

// Adds the subcommand `completion SHELL`, which prints the script for the tree as it is when it runs.
CLI::App* AddCompletionCommand(CLI::App& root, const std::string& program);

}  // namespace limbo::app
