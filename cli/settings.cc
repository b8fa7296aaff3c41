#include "settings.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

namespace limbo::cli {
namespace {

bool Set(const std::optional<std::string>& value) { return value && !value->empty(); }

std::string ErrnoText() { return std::strerror(errno); }

}  // namespace

std::filesystem::path ConfigPath(const Environment& env) {
  std::filesystem::path base;
  if (Set(env.xdg_config_home) && std::filesystem::path(*env.xdg_config_home).is_absolute()) {
    base = *env.xdg_config_home;
  } else if (Set(env.home)) {
    base = std::filesystem::path(*env.home) / ".config";
  } else {
    base = ".config";
  }
  return base / "limbo" / "config.json";
}

Outcome<ConfigFile> ReadConfig(const std::filesystem::path& path) {
  std::ifstream in(path);
  if (!in) return ConfigFile{};
  std::stringstream text;
  text << in.rdbuf();
  auto json = nlohmann::json::parse(text.str(), nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded() || !json.is_object()) {
    return Fail(Failure::Error("invalid_config", "The config file " + path.string() + " is not a JSON object.",
                               "Fix or remove it, then run: limbo auth login"));
  }
  ConfigFile config;
  if (auto it = json.find("api_url"); it != json.end() && it->is_string()) config.api_url = it->get<std::string>();
  if (auto it = json.find("api_key"); it != json.end() && it->is_string()) config.api_key = it->get<std::string>();
  return config;
}

Outcome<bool> WriteConfig(const std::filesystem::path& path, const ConfigFile& config) {
  std::error_code ec;
  std::filesystem::create_directories(path.parent_path(), ec);
  if (ec)
    return Fail(
        Failure::Error("config_write_failed", "Cannot create " + path.parent_path().string() + ": " + ec.message()));
  ::chmod(path.parent_path().c_str(), 0700);

  nlohmann::json json = nlohmann::json::object();
  if (!config.api_url.empty()) json["api_url"] = config.api_url;
  if (!config.api_key.empty()) json["api_key"] = config.api_key;
  std::string text = json.dump(2) + "\n";

  std::filesystem::path temp = path;
  temp += ".tmp";
  int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return Fail(Failure::Error("config_write_failed", "Cannot write " + temp.string() + ": " + ErrnoText()));
  bool ok = ::fchmod(fd, 0600) == 0;  // the file may have existed with a wider mode
  for (size_t written = 0; ok && written < text.size();) {
    ssize_t n = ::write(fd, text.data() + written, text.size() - written);
    if (n < 0 && errno == EINTR) continue;
    ok = n > 0;
    if (ok) written += static_cast<size_t>(n);
  }
  ok = ::fsync(fd) == 0 && ok;
  ok = ::close(fd) == 0 && ok;
  if (!ok || ::rename(temp.c_str(), path.c_str()) != 0) {
    std::string reason = ErrnoText();
    ::unlink(temp.c_str());
    return Fail(Failure::Error("config_write_failed", "Cannot write " + path.string() + ": " + reason));
  }
  return true;
}

Outcome<Settings> LoadSettings(const Environment& env) {
  Settings settings;
  settings.config_path = ConfigPath(env);
  auto config = ReadConfig(settings.config_path);
  if (!config) return Fail(config.error());

  if (Set(env.api_url)) {
    settings.api_url = *env.api_url;
    settings.url_source = "LIMBO_API_URL";
  } else if (!config->api_url.empty()) {
    settings.api_url = config->api_url;
    settings.url_source = "config file";
  } else {
    settings.api_url = kDefaultApiUrl;
    settings.url_source = "default";
  }
  while (!settings.api_url.empty() && settings.api_url.back() == '/') settings.api_url.pop_back();

  if (Set(env.api_key)) {
    settings.api_key = *env.api_key;
    settings.key_source = "LIMBO_API_KEY";
  } else if (!config->api_key.empty()) {
    settings.api_key = config->api_key;
    settings.key_source = "config file";
  }
  return settings;
}

}  // namespace limbo::cli
