#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "failure.h"

namespace limbo::cli {

// The parts of the process environment the CLI reads, captured once in main().
struct Environment {
  std::optional<std::string> xdg_config_home;
  std::optional<std::string> home;
  std::optional<std::string> api_url;  // LIMBO_API_URL
  std::optional<std::string> api_key;  // LIMBO_API_KEY
};

// Where the server is and which key to use, with where each came from
// ("LIMBO_API_URL", "config file", "default", ...).
struct Settings {
  std::string api_url;
  std::string api_key;
  std::string url_source;
  std::string key_source;
  std::filesystem::path config_path;
};

inline constexpr const char* kDefaultApiUrl = "http://127.0.0.1:8080";

// $XDG_CONFIG_HOME/limbo/config.json, or ~/.config/limbo/config.json.
std::filesystem::path ConfigPath(const Environment& env);

// The config file's contents: {"api_url", "api_key"}; an absent file is empty, not an error.
struct ConfigFile {
  std::string api_url;
  std::string api_key;
};
Outcome<ConfigFile> ReadConfig(const std::filesystem::path& path);

// Writes the file atomically with mode 0600 (its folder 0700), whatever existed before.
Outcome<bool> WriteConfig(const std::filesystem::path& path, const ConfigFile& config);

// Environment variables win over the config file, which wins over the default URL.
Outcome<Settings> LoadSettings(const Environment& env);

}  // namespace limbo::cli
