// limbo: the command-line client of a Limbo server. `limbo <noun> <verb>`; see docs/CLI.md.

#include <CLI/CLI.hpp>
#include <cstdlib>
#include <iostream>

#include "core/build_info.h"
#include "verb.h"

namespace {

std::optional<std::string> GetEnv(const char* name) {
  const char* value = std::getenv(name);
  if (value == nullptr) return std::nullopt;
  return std::string(value);
}

}  // namespace

int main(int argc, char** argv) {
  using namespace limbo::cli;
  Environment env{.xdg_config_home = GetEnv("XDG_CONFIG_HOME"),
                  .home = GetEnv("HOME"),
                  .api_url = GetEnv("LIMBO_API_URL"),
                  .api_key = GetEnv("LIMBO_API_KEY")};
  ProcessTerminal terminal;
  Context context{env, terminal, std::cout, std::cerr};
  int exit_code = kExitOk;
  Registry registry{context, exit_code};

  CLI::App app{
      "limbo: the command-line client of a Limbo server.\n"
      "Deleting moves projects, versions, training runs and workflows to the workspace Trash, where\n"
      "they stay "
      "restorable; permanent deletion exists only in the web app.",
      "limbo"};
  app.set_version_flag("--version", limbo::core::VersionText("limbo"));
  app.set_help_all_flag("--help-all", "Print the help of every command");
  app.require_subcommand(1);
  app.footer(
      "Exit codes: 0 ok, 1 error, 2 authentication, 3 not found.\n"
      "Settings: limbo auth login, or LIMBO_API_URL and LIMBO_API_KEY. Run 'limbo NOUN --help' for more.");

  AddAuthCommands(app, registry);
  AddWorkspaceCommands(app, registry);
  AddProjectCommands(app, registry);
  AddVersionCommands(app, registry);
  AddWorkflowCommands(app, registry);
  AddImageCommands(app, registry);
  AddTrainCommands(app, registry);
  AddTrashCommands(app, registry);
  AddCompletionCommand(app, registry);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    return app.exit(error) == 0 ? kExitOk : kExitError;
  } catch (const std::exception& error) {
    // Answers are read defensively; this is the last guard against one this version cannot read.
    std::cerr << "Error: unexpected answer or internal error: " << error.what() << '\n';
    return kExitError;
  }
  return exit_code;
}
