// `completion bash|zsh` for both programs (limbod and limbo): shell completion scripts generated from
// the CLI11 tree, so they name every subcommand and flag of this build (the package installs them;
// docs/OPERATIONS.md, docs/CLI.md).
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <optional>
#include <string>

namespace limbo::completion {

// Where the shell also offers file names: after every command (nullopt), or only after the one
// command path given ("/image/upload").
using FilesAfter = std::optional<std::string>;

// The completion script of `root` (named `program`) for "bash" or "zsh". Hidden subcommands and
// options (empty group) are left out.
std::string Script(const CLI::App& root, const std::string& program, const std::string& shell,
                   const FilesAfter& files_after);

// Adds the subcommand `completion SHELL`, which gives `print` the script for the tree as it is when
// it runs.
CLI::App* AddCommand(CLI::App& root, const std::string& program, FilesAfter files_after,
                     std::function<void(const std::string&)> print);

}  // namespace limbo::completion
