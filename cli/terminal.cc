#include "terminal.h"

#include <termios.h>
#include <unistd.h>

#include <iostream>

namespace limbo::cli {

bool ProcessTerminal::StdinIsTerminal() const { return ::isatty(STDIN_FILENO) == 1; }
bool ProcessTerminal::StdoutIsTerminal() const { return ::isatty(STDOUT_FILENO) == 1; }

std::optional<std::string> ProcessTerminal::Ask(const std::string& question) {
  std::cerr << question << std::flush;
  std::string line;
  if (!std::getline(std::cin, line)) return std::nullopt;
  return line;
}

std::optional<std::string> ProcessTerminal::AskSecret(const std::string& question) {
  if (!StdinIsTerminal()) return Ask(question);
  termios saved{};
  ::tcgetattr(STDIN_FILENO, &saved);
  termios quiet = saved;
  quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
  ::tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
  auto answer = Ask(question);
  ::tcsetattr(STDIN_FILENO, TCSANOW, &saved);
  std::cerr << '\n';
  return answer;
}

}  // namespace limbo::cli
