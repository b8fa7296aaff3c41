// limbod's configuration by flags, LIMBO_* environment variables and a TOML file (docs/OPERATIONS.md,
// "Configuration"). Built over the CLI11 option tree once every subcommand is defined, so a flag added
// later gets its environment variable and its file key without any code of its own.
#pragma once

#include <CLI/CLI.hpp>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace limbo::app {

// Where an option's effective value came from.
struct Setting {
  std::string key;      // the long flag name without dashes: "sweep-interval"
  std::string env;      // LIMBO_SWEEP_INTERVAL
  std::string value;    // as TOML: "60s", 4, true, ["a", "b"]; secrets masked
  std::string source;   // "flag", "env LIMBO_X", "file PATH:LINE", "default"
  std::string help;     // the option's help text
  bool hidden = false;  // an option --help does not list
};

// "LIMBO_" + the flag's long name in capitals, dashes as underscores: --sweep-interval ->
// LIMBO_SWEEP_INTERVAL.
std::string EnvName(const std::string& long_name);

// True for keys whose values are secrets: names containing token, password, secret or key.
bool IsSecretKey(const std::string& key);

// The text with the password of any scheme://user:password@ URL and of any password=... masked.
std::string MaskSecrets(const std::string& text);

class Config {
 public:
  // Call once every subcommand and option is defined. Adds --config FILE to each subcommand that takes
  // --data, the subcommands `config check` and `config example`, and the environment variable's name to
  // each option's help.
  // `service` is the subcommand whose configuration `config check` reports (limbod: "serve").
  Config(CLI::App& root, std::string service);

  // Parses the command line, then fills each option of the chosen subcommand that was not given as a
  // flag from its LIMBO_* variable, else from the --config file, else leaves its default. Returns an exit
  // code when the program should end now (help, version, an invalid configuration, `config check`),
  // nothing when the chosen subcommand should run. CLI11 runs subcommand callbacks inside its parse,
  // before the variables and the file are applied: run a subcommand after Parse returns (`if (*sub)`),
  // not from a callback, or it sees flags only.
  std::optional<int> Parse(int argc, const char* const* argv);

  // The effective configuration of the last parsed subcommand, in option order.
  const std::vector<Setting>& settings() const { return settings_; }

 private:
  struct FileValue;
  enum class Mode { kRun, kCheck, kExample };
  std::optional<int> ParseArgs(std::vector<std::string> args, Mode mode);
  void PrintCheck(const CLI::App& leaf) const;
  void PrintExample() const;
  void Resolve(CLI::App& leaf, bool flags_only);
  void LoadFile(const std::string& path, std::map<std::string, FileValue>& out) const;

  CLI::App& root_;
  std::string service_;
  CLI::App* check_ = nullptr;
  CLI::App* example_ = nullptr;
  std::map<const CLI::Option*, std::string> help_;  // each option's help before the variable's name
  std::string program_;
  std::vector<Setting> settings_;
  std::vector<std::string> keys_;  // every configurable key of every subcommand
};

}  // namespace limbo::app
