#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <memory>
#include <string>

#include "session.h"

namespace limbo::cli {

// Where verbs report: the process context, and the exit code the chosen verb sets.
struct Registry {
  Context& context;
  int& exit_code;
};

// Adds `noun verb` with --json (and --workspace unless `with_workspace` is false) bound to
// `options`; after parsing, `run` gets a Session and its return value becomes the process exit
// code. `options` is usually a struct derived from CommonOptions that `run` also captures.
CLI::App* AddVerb(CLI::App& noun, Registry& registry, const std::string& name, const std::string& description,
                  std::shared_ptr<CommonOptions> options, std::function<int(Session&)> run, bool with_workspace = true);

// Adds --yes/-y.
void AddYesFlag(CLI::App& verb, bool& yes);

void AddAuthCommands(CLI::App& app, Registry& registry);
void AddWorkspaceCommands(CLI::App& app, Registry& registry);
void AddProjectCommands(CLI::App& app, Registry& registry);
void AddVersionCommands(CLI::App& app, Registry& registry);
void AddWorkflowCommands(CLI::App& app, Registry& registry);
void AddImageCommands(CLI::App& app, Registry& registry);
void AddTrainCommands(CLI::App& app, Registry& registry);
void AddTrashCommands(CLI::App& app, Registry& registry);
// `completion bash|zsh` describes `app` as it is when the command runs.
void AddCompletionCommand(CLI::App& app, Registry& registry);

}  // namespace limbo::cli
