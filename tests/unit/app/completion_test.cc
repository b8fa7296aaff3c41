// The completion writer shared by limbod and limbo (src/completion): the exact scripts for a small
// tree, so that neither program's installed completion changes by accident.
#include "completion/completion.h"

#include <gtest/gtest.h>

namespace limbo::completion {
namespace {

struct Tree {
  CLI::App root{"t", "prog"};
  bool flag = false;
  Tree() {
    root.add_flag("--verbose", flag, "v");
    root.add_flag("--debug", flag, "")->group("");  // hidden
    CLI::App* run = root.add_subcommand("run", "Run");
    run->add_flag("--fast", flag, "f");
    run->add_subcommand("all", "All");
    root.add_subcommand("secret", "")->group("");  // hidden
  }
};

constexpr const char* kBashFilesAfterRun = R"(# bash completion for prog; load with: source <(prog completion bash)
_prog() {
  local cur="${COMP_WORDS[COMP_CWORD]}" cmd="" word i candidates
  for ((i = 1; i < COMP_CWORD; i++)); do
    word="${COMP_WORDS[i]}"
    case "$cmd/$word" in
      /run|/run/all) cmd="$cmd/$word" ;;
    esac
  done
  case "$cmd" in
    "") candidates="run --help --verbose" ;;
    "/run") candidates="all --help --fast" ;;
    "/run/all") candidates="--help" ;;
  esac
  COMPREPLY=($(compgen -W "$candidates" -- "$cur"))
  if [[ "$cmd" == /run && "$cur" != -* ]]; then COMPREPLY+=($(compgen -f -- "$cur")); fi
}
complete -o default -F _prog prog
)";

constexpr const char* kZshFilesEverywhere = R"(#compdef prog
# zsh completion for prog; load with: source <(prog completion zsh), or save as _prog in $fpath
_prog() {
  local cmd="" word i
  local -a candidates
  for ((i = 2; i < CURRENT; i++)); do
    word="${words[i]}"
    case "$cmd/$word" in
      (/run|/run/all) cmd="$cmd/$word" ;;
    esac
  done
  case "$cmd" in
    ("") candidates=(run --help --verbose) ;;
    ("/run") candidates=(all --help --fast) ;;
    ("/run/all") candidates=(--help) ;;
  esac
  compadd -- "${candidates[@]}"
  _files
}
if [[ "${funcstack[1]}" == "_prog" ]]; then _prog "$@"; else compdef _prog prog; fi
)";

std::string Replace(std::string text, const std::string& from, const std::string& to) {
  const size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

TEST(Completion, BashNamesEveryVisibleWordAndFilesAfterOneCommand) {
  Tree tree;
  EXPECT_EQ(Script(tree.root, "prog", "bash", "/run"), kBashFilesAfterRun);
}

TEST(Completion, BashWithFilesEverywhereLeavesThemToCompleteDefault) {
  Tree tree;
  EXPECT_EQ(
      Script(tree.root, "prog", "bash", std::nullopt),
      Replace(kBashFilesAfterRun,
              "  if [[ \"$cmd\" == /run && \"$cur\" != -* ]]; then COMPREPLY+=($(compgen -f -- \"$cur\")); fi\n", ""));
}

TEST(Completion, ZshOffersFilesEverywhereOrAfterOneCommand) {
  Tree tree;
  EXPECT_EQ(Script(tree.root, "prog", "zsh", std::nullopt), kZshFilesEverywhere);
  EXPECT_EQ(Script(tree.root, "prog", "zsh", "/run"),
            Replace(kZshFilesEverywhere, "  _files\n", "  if [[ \"$cmd\" == /run ]]; then _files; fi\n"));
}

TEST(Completion, TheCommandPrintsTheScriptOfTheTreeAsItIsWhenItRuns) {
  Tree tree;
  std::string printed;
  AddCommand(tree.root, "prog", "/run", [&printed](const std::string& script) { printed = script; });
  std::vector<std::string> args = {"bash", "completion"};  // CLI11 takes them in reverse
  tree.root.parse(args);
  // The completion subcommand itself is now part of the tree.
  std::string expected = Replace(kBashFilesAfterRun, "run --help --verbose", "run completion --help --verbose");
  expected = Replace(expected, "      /run|/run/all)", "      /completion|/run|/run/all)");
  expected = Replace(expected, "    \"/run\")", "    \"/completion\") candidates=\"--help\" ;;\n    \"/run\")");
  EXPECT_EQ(printed, expected);
}

}  // namespace
}  // namespace limbo::completion
