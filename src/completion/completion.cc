#include "completion/completion.h"

#include <map>
#include <memory>
#include <sstream>
#include <vector>

namespace limbo::completion {
namespace {

using Words = std::map<std::string, std::vector<std::string>>;

// Every subcommand path ("", "/serve", "/member/add") with the words that may follow it; hidden
// subcommands and options (empty group) are left out.
void Collect(const CLI::App& app, const std::string& path, Words& words) {
  std::vector<std::string>& here = words[path];
  for (const CLI::App* sub : app.get_subcommands([](const CLI::App* s) { return !s->get_group().empty(); })) {
    here.push_back(sub->get_name());
    Collect(*sub, path + "/" + sub->get_name(), words);
  }
  for (const CLI::Option* option : app.get_options()) {
    if (option->get_group().empty()) continue;
    for (const std::string& name : option->get_lnames()) here.push_back("--" + name);
  }
}

std::string Join(const std::vector<std::string>& words) {
  std::string out;
  for (const auto& word : words) out += (out.empty() ? "" : " ") + word;
  return out;
}

std::string Paths(const Words& words) {
  std::string out;
  for (const auto& [path, _] : words) {
    if (!path.empty()) out += (out.empty() ? "" : "|") + path;
  }
  return out;
}

// Without `files_after`, `complete -o default` already falls back to file names.
std::string Bash(const Words& words, const std::string& program, const FilesAfter& files_after) {
  std::ostringstream out;
  out << "# bash completion for " << program << "; load with: source <(" << program << " completion bash)\n"
      << "_" << program << "() {\n"
      << "  local cur=\"${COMP_WORDS[COMP_CWORD]}\" cmd=\"\" word i candidates\n"
      << "  for ((i = 1; i < COMP_CWORD; i++)); do\n"
      << "    word=\"${COMP_WORDS[i]}\"\n"
      << "    case \"$cmd/$word\" in\n"
      << "      " << Paths(words) << ") cmd=\"$cmd/$word\" ;;\n"
      << "    esac\n"
      << "  done\n"
      << "  case \"$cmd\" in\n";
  for (const auto& [path, list] : words) out << "    \"" << path << "\") candidates=\"" << Join(list) << "\" ;;\n";
  out << "  esac\n"
      << "  COMPREPLY=($(compgen -W \"$candidates\" -- \"$cur\"))\n";
  if (files_after) {
    out << "  if [[ \"$cmd\" == " << *files_after
        << " && \"$cur\" != -* ]]; then COMPREPLY+=($(compgen -f -- \"$cur\")); fi\n";
  }
  out << "}\n"
      << "complete -o default -F _" << program << " " << program << "\n";
  return out.str();
}

std::string Zsh(const Words& words, const std::string& program, const FilesAfter& files_after) {
  std::ostringstream out;
  out << "#compdef " << program << "\n"
      << "# zsh completion for " << program << "; load with: source <(" << program << " completion zsh), or save as _"
      << program << " in $fpath\n"
      << "_" << program << "() {\n"
      << "  local cmd=\"\" word i\n"
      << "  local -a candidates\n"
      << "  for ((i = 2; i < CURRENT; i++)); do\n"
      << "    word=\"${words[i]}\"\n"
      << "    case \"$cmd/$word\" in\n"
      << "      (" << Paths(words) << ") cmd=\"$cmd/$word\" ;;\n"
      << "    esac\n"
      << "  done\n"
      << "  case \"$cmd\" in\n";
  for (const auto& [path, list] : words) out << "    (\"" << path << "\") candidates=(" << Join(list) << ") ;;\n";
  out << "  esac\n"
      << "  compadd -- \"${candidates[@]}\"\n";
  if (files_after) {
    out << "  if [[ \"$cmd\" == " << *files_after << " ]]; then _files; fi\n";
  } else {
    out << "  _files\n";
  }
  out << "}\n"
      << "if [[ \"${funcstack[1]}\" == \"_" << program << "\" ]]; then _" << program << " \"$@\"; else compdef _"
      << program << " " << program << "; fi\n";
  return out.str();
}

}  // namespace

std::string Script(const CLI::App& root, const std::string& program, const std::string& shell,
                   const FilesAfter& files_after) {
  Words words;
  Collect(root, "", words);
  return shell == "zsh" ? Zsh(words, program, files_after) : Bash(words, program, files_after);
}

CLI::App* AddCommand(CLI::App& root, const std::string& program, FilesAfter files_after,
                     std::function<void(const std::string&)> print) {
  auto shell = std::make_shared<std::string>();
  CLI::App* sub = root.add_subcommand("completion", "Print a shell completion script (bash or zsh)");
  sub->add_option("shell", *shell, "bash or zsh")->required()->check(CLI::IsMember({"bash", "zsh"}));
  sub->footer("Examples:\n  source <(" + program + " completion bash)\n  " + program +
              " completion zsh > \"${fpath[1]}/_" + program + "\"");
  sub->callback([&root, program, files_after = std::move(files_after), print = std::move(print), shell] {
    print(Script(root, program, *shell, files_after));
  });
  return sub;
}

}  // namespace limbo::completion
