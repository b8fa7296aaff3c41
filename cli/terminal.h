#pragma once

#include <iosfwd>
#include <optional>
#include <string>

namespace limbo::cli {

// The interactive side of the process: whether stdin/stdout are terminals, and questions.
class Terminal {
 public:
  virtual ~Terminal() = default;
  virtual bool StdinIsTerminal() const = 0;
  virtual bool StdoutIsTerminal() const = 0;
  // Asks on stderr, reads one line from stdin; nullopt at end of input.
  virtual std::optional<std::string> Ask(const std::string& question) = 0;
  // Like Ask, without echoing what is typed when stdin is a terminal.
  virtual std::optional<std::string> AskSecret(const std::string& question) = 0;
};

// The real process terminal (file descriptors 0, 1, 2).
class ProcessTerminal : public Terminal {
 public:
  bool StdinIsTerminal() const override;
  bool StdoutIsTerminal() const override;
  std::optional<std::string> Ask(const std::string& question) override;
  std::optional<std::string> AskSecret(const std::string& question) override;
};

}  // namespace limbo::cli
