#include "format.h"
#include "verb.h"

namespace limbo::cli {
namespace {

struct LoginOptions : CommonOptions {
  std::string api_key;
  std::string api_url;
};

std::string MaskKey(const std::string& key) { return key.size() <= 7 ? "***" : key.substr(0, 7) + "…"; }

int Login(Session& session, const LoginOptions& options) {
  const Environment& env = session.env();
  std::filesystem::path path = ConfigPath(env);
  auto existing = ReadConfig(path);  // a broken file is replaced, not an obstacle
  ConfigFile config = existing ? *existing : ConfigFile{};

  std::string url = options.api_url;
  if (url.empty() && env.api_url && !env.api_url->empty()) url = *env.api_url;
  if (url.empty()) url = config.api_url.empty() ? kDefaultApiUrl : config.api_url;
  while (!url.empty() && url.back() == '/') url.pop_back();

  std::string key = options.api_key;
  if (key.empty()) {
    auto typed = session.terminal().AskSecret("API key: ");
    if (typed) key = *typed;
  }
  while (!key.empty() && (key.back() == ' ' || key.back() == '\r')) key.pop_back();
  if (key.empty()) return session.Report(Failure::Error("missing_api_key", "No API key given.", "Pass --api-key KEY."));

  client::Client client(client::ClientOptions{.base_url = url, .api_key = key});
  auto root = client.Get("/");
  if (!root) {
    Failure failure = Failure::FromApi(root.error());
    if (root.error().status == 401) failure.message = "The server at " + url + " refused the API key.";
    return session.Report(failure);
  }
  std::string workspace = Text(root->body, "workspace", "");

  config.api_url = url;
  config.api_key = key;
  auto written = WriteConfig(path, config);
  if (!written) return session.Report(written.error());

  if (session.json()) {
    session.PrintJson({{"loggedIn", true}, {"apiUrl", url}, {"workspace", workspace}, {"configPath", path.string()}});
  } else {
    session.out() << "Logged in to workspace '" << workspace << "' at " << url << ".\n"
                  << "Saved to " << path.string() << ".\n";
  }
  if (env.api_key && !env.api_key->empty() && *env.api_key != key) {
    session.err() << "Note: LIMBO_API_KEY is set and takes precedence over the saved key.\n";
  }
  return kExitOk;
}

int Status(Session& session) {
  auto settings = session.LoadedSettings();
  if (!settings) return session.Report(settings.error());
  auto client = session.Connect();
  if (!client) return session.Report(client.error());
  auto root = (*client)->Get("/");
  if (!root) return session.Report(root.error());
  std::string workspace = Text(root->body, "workspace", "");
  if (session.json()) {
    session.PrintJson({{"authenticated", true},
                       {"apiUrl", settings->api_url},
                       {"apiUrlSource", settings->url_source},
                       {"apiKeyPrefix", MaskKey(settings->api_key)},
                       {"apiKeySource", settings->key_source},
                       {"workspace", workspace},
                       {"configPath", settings->config_path.string()}});
    return kExitOk;
  }
  session.out() << "Logged in to workspace '" << workspace << "'.\n"
                << "  API URL:  " << settings->api_url << "  (" << settings->url_source << ")\n"
                << "  API key:  " << MaskKey(settings->api_key) << "  (" << settings->key_source << ")\n"
                << "  Config:   " << settings->config_path.string() << '\n';
  return kExitOk;
}

int Logout(Session& session) {
  std::filesystem::path path = ConfigPath(session.env());
  auto existing = ReadConfig(path);
  ConfigFile config = existing ? *existing : ConfigFile{};
  bool had_key = !config.api_key.empty() || !existing;
  if (had_key) {
    config.api_key.clear();
    auto written = WriteConfig(path, config);
    if (!written) return session.Report(written.error());
  }
  bool env_key = session.env().api_key && !session.env().api_key->empty();
  if (session.json()) {
    session.PrintJson({{"loggedOut", true}, {"configPath", path.string()}, {"envKeyStillSet", env_key}});
  } else {
    session.out() << (had_key ? "Removed the API key from " + path.string() + ".\n"
                              : "No API key was saved; nothing to do.\n");
  }
  if (env_key) session.err() << "Note: LIMBO_API_KEY is still set in the environment.\n";
  return kExitOk;
}

}  // namespace

void AddAuthCommands(CLI::App& app, Registry& registry) {
  CLI::App* auth = app.add_subcommand("auth", "Log in and out, and show who you are");
  auth->require_subcommand(1);

  auto login = std::make_shared<LoginOptions>();
  CLI::App* verb = AddVerb(
      *auth, registry, "login", "Check an API key with the server and save it", login,
      [login](Session& s) { return Login(s, *login); }, false);
  verb->add_option("-k,--api-key", login->api_key, "API key (asked for when omitted)");
  verb->add_option("-u,--api-url", login->api_url,
                   std::string("Server URL (default: LIMBO_API_URL, the saved URL, or ") + kDefaultApiUrl + ")");
  verb->footer("Example: limbo auth login --api-key lk_... --api-url https://limbo.example.com");

  auto status = std::make_shared<CommonOptions>();
  AddVerb(*auth, registry, "status", "Show the server, the key in use and its workspace", status, Status, false);

  auto logout = std::make_shared<CommonOptions>();
  AddVerb(*auth, registry, "logout", "Remove the saved API key", logout, Logout, false);
}

}  // namespace limbo::cli
