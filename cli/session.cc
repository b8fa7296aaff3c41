#include "session.h"

#include <algorithm>
#include <cctype>

#include "core/build_info.h"

namespace limbo::cli {

Outcome<Settings> Session::LoadedSettings() {
  if (!settings_) {
    auto loaded = LoadSettings(context_.env);
    if (!loaded) return Fail(loaded.error());
    settings_ = std::move(loaded).value();
  }
  return *settings_;
}

Outcome<const client::Client*> Session::Connect() {
  if (client_) return static_cast<const client::Client*>(client_.get());
  auto settings = LoadedSettings();
  if (!settings) return Fail(settings.error());
  if (settings->api_key.empty()) {
    return Fail(Failure{kExitAuth, "not_logged_in", "Not logged in: no API key is configured.",
                        "Run: limbo auth login --api-key KEY (or set LIMBO_API_KEY)", 0});
  }
  client::ClientOptions options;
  options.base_url = settings->api_url;
  options.api_key = settings->api_key;
  options.user_agent = std::string("limbo-cli/") + core::kVersion;
  client_ = std::make_unique<client::Client>(std::move(options));
  return static_cast<const client::Client*>(client_.get());
}

Outcome<std::string> Session::Workspace(const ObjectRef& ref) {
  if (!ref.workspace.empty()) {
    if (!common_.workspace.empty() && common_.workspace != ref.workspace) {
      return Fail(Failure::Error("conflicting_workspace", std::string("'").append(ref.ToString()) +
                                                              "' names workspace '" + ref.workspace +
                                                              "' but --workspace is '" + common_.workspace + "'."));
    }
    return ref.workspace;
  }
  if (!common_.workspace.empty()) return common_.workspace;
  if (key_workspace_) return *key_workspace_;
  auto client = Connect();
  if (!client) return Fail(client.error());
  auto root = (*client)->Get("/");
  if (!root) return Fail(Failure::FromApi(root.error()));
  if (!root->body.is_object() || !root->body.contains("workspace") || !root->body["workspace"].is_string()) {
    return Fail(Failure::Error("unexpected_response", "GET / did not name the API key's workspace."));
  }
  key_workspace_ = root->body["workspace"].get<std::string>();
  return *key_workspace_;
}

Outcome<ObjectRef> Session::Resolve(ObjectRef ref) {
  auto workspace = Workspace(ref);
  if (!workspace) return Fail(workspace.error());
  ref.workspace = *workspace;
  return ref;
}

Outcome<Target> Session::TargetOf(std::string_view text, RefKind kind) {
  auto parsed = ParseRef(text, kind);
  if (!parsed) return Fail(parsed.error());
  auto client = Connect();
  if (!client) return Fail(client.error());
  auto ref = Resolve(*parsed);
  if (!ref) return Fail(ref.error());
  return Target{*client, *ref};
}

Outcome<bool> Session::Confirm(const std::string& question, bool yes) {
  if (yes) return true;
  if (!context_.terminal.StdinIsTerminal()) {
    return Fail(Failure::Error("confirmation_required",
                               "Refusing to continue without confirmation: stdin is not a terminal.",
                               "Pass --yes to confirm."));
  }
  auto answer = context_.terminal.Ask(question + " [y/N] ");
  if (!answer) return false;
  std::string text = *answer;
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text == "y" || text == "yes";
}

int Session::Report(const Failure& failure) {
  context_.err << "Error: " << failure.message << '\n';
  if (!failure.hint.empty()) context_.err << "Hint: " << failure.hint << '\n';
  if (common_.json) {
    nlohmann::json error = {{"code", failure.code}, {"message", failure.message}};
    if (!failure.hint.empty()) error["hint"] = failure.hint;
    if (failure.status != 0) error["status"] = failure.status;
    PrintJson({{"error", error}});
  }
  return failure.exit_code;
}

void Session::PrintJson(const nlohmann::json& value) { context_.out << value.dump(2) << '\n'; }

}  // namespace limbo::cli
