#include "verb.h"

namespace limbo::cli {

CLI::App* AddVerb(CLI::App& noun, Registry& registry, const std::string& name, const std::string& description,
                  std::shared_ptr<CommonOptions> options, std::function<int(Session&)> run, bool with_workspace) {
  CLI::App* verb = noun.add_subcommand(name, description);
  verb->add_flag("--json", options->json, "Print JSON for machines instead of text for people");
  if (with_workspace)
    verb->add_option("-w,--workspace", options->workspace, "Workspace URL (default: the API key's workspace)");
  verb->callback([&registry, options, run = std::move(run)] {
    Session session(registry.context, *options);
    registry.exit_code = run(session);
  });
  return verb;
}

void AddYesFlag(CLI::App& verb, bool& yes) { verb.add_flag("-y,--yes", yes, "Do not ask for confirmation"); }

}  // namespace limbo::cli
