#include <map>
#include <sstream>

#include "verb.h"

namespace limbo::cli {
namespace {

struct CompletionOptions : CommonOptions {
  std::string shell;
};

// Every command path ("", "/trash", "/trash/list") with the words that may follow it.
void Collect(const CLI::App& app, const std::string& path, std::map<std::string, std::vector<std::string>>& words) {
  std::vector<std::string>& here = words[path];
  for (const CLI::App* sub : app.get_subcommands({})) {
    here.push_back(sub->get_name());
    Collect(*sub, path + "/" + sub->get_name(), words);
  }
  for (const CLI::Option* option : app.get_options()) {
    for (const std::string& name : option->get_lnames()) here.push_back("--" + name);
  }
}

std::string Join(const std::vector<std::string>& words) {
  std::string out;
  for (const auto& word : words) out += (out.empty() ? "" : " ") + word;
  return out;
}

std::string PathPattern(const std::map<std::string, std::vector<std::string>>& words) {
  std::string out;
  for (const auto& [path, _] : words) {
    if (!path.empty()) out += (out.empty() ? "" : "|") + path;
  }
  return out;
}

std::string Bash(const std::map<std::string, std::vector<std::string>>& words) {
  std::ostringstream out;
  out << "# bash completion for limbo; load with: source <(limbo completion bash)\n"
      << "_limbo() {\n"
      << "  local cur=\"${COMP_WORDS[COMP_CWORD]}\" cmd=\"\" word i candidates\n"
      << "  for ((i = 1; i < COMP_CWORD; i++)); do\n"
      << "    word=\"${COMP_WORDS[i]}\"\n"
      << "    case \"$cmd/$word\" in\n"
      << "      " << PathPattern(words) << ") cmd=\"$cmd/$word\" ;;\n"
      << "    esac\n"
      << "  done\n"
      << "  case \"$cmd\" in\n";
  for (const auto& [path, list] : words) out << "    \"" << path << "\") candidates=\"" << Join(list) << "\" ;;\n";
  out << "  esac\n"
      << "  COMPREPLY=($(compgen -W \"$candidates\" -- \"$cur\"))\n"
      << "  if [[ \"$cmd\" == /image/upload && \"$cur\" != -* ]]; then COMPREPLY+=($(compgen -f -- \"$cur\")); fi\n"
      << "}\n"
      << "complete -o default -F _limbo limbo\n";
  return out.str();
}

std::string Zsh(const std::map<std::string, std::vector<std::string>>& words) {
  std::ostringstream out;
  out << "#compdef limbo\n"
      << "# zsh completion for limbo; load with: source <(limbo completion zsh), or save as _limbo in $fpath\n"
      << "_limbo() {\n"
      << "  local cmd=\"\" word i\n"
      << "  local -a candidates\n"
      << "  for ((i = 2; i < CURRENT; i++)); do\n"
      << "    word=\"${words[i]}\"\n"
      << "    case \"$cmd/$word\" in\n"
      << "      (" << PathPattern(words) << ") cmd=\"$cmd/$word\" ;;\n"
      << "    esac\n"
      << "  done\n"
      << "  case \"$cmd\" in\n";
  for (const auto& [path, list] : words) out << "    (\"" << path << "\") candidates=(" << Join(list) << ") ;;\n";
  out << "  esac\n"
      << "  compadd -- \"${candidates[@]}\"\n"
      << "  if [[ \"$cmd\" == /image/upload ]]; then _files; fi\n"
      << "}\n"
      << "if [[ \"${funcstack[1]}\" == \"_limbo\" ]]; then _limbo \"$@\"; else compdef _limbo limbo; fi\n";
  return out.str();
}

}  // namespace

void AddCompletionCommand(CLI::App& app, Registry& registry) {
  auto options = std::make_shared<CompletionOptions>();
  CLI::App* verb = app.add_subcommand("completion", "Print a shell completion script (bash or zsh)");
  verb->add_option("shell", options->shell, "bash or zsh")->required()->check(CLI::IsMember({"bash", "zsh"}));
  verb->footer("Examples:\n  source <(limbo completion bash)\n  limbo completion zsh > \"${fpath[1]}/_limbo\"");
  verb->callback([&app, &registry, options] {
    std::map<std::string, std::vector<std::string>> words;
    Collect(app, "", words);
    registry.context.out << (options->shell == "bash" ? Bash(words) : Zsh(words));
    registry.exit_code = kExitOk;
  });
}

}  // namespace limbo::cli
