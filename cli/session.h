#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <ostream>
#include <string>

#include "client/client.h"
#include "failure.h"
#include "object_ref.h"
#include "settings.h"
#include "terminal.h"

namespace limbo::cli {

// What one process run may touch, injected by main().
struct Context {
  Environment env;
  Terminal& terminal;
  std::ostream& out;
  std::ostream& err;
};

// Options every verb has.
struct CommonOptions {
  bool json = false;
  std::string workspace;
};

// The one object a command acts on, with the client to reach it.
struct Target {
  const client::Client* client = nullptr;
  ObjectRef ref;  // workspace filled in
};

// One command's connection to the server: settings, the client, the workspace, and how
// results and failures are printed (tables and text, or JSON with --json).
class Session {
 public:
  Session(Context& context, const CommonOptions& common) : context_(context), common_(common) {}

  // The settings (config file and environment); a broken config file is a failure.
  Outcome<Settings> LoadedSettings();
  // A client with the API key; failing with exit code 2 when there is no key.
  Outcome<const client::Client*> Connect();
  // The workspace for `ref`: its own, else --workspace, else the API key's (GET /).
  Outcome<std::string> Workspace(const ObjectRef& ref);
  Outcome<std::string> Workspace() { return Workspace(ObjectRef{}); }
  // `ref` with its workspace filled in.
  Outcome<ObjectRef> Resolve(ObjectRef ref);
  // Parses `text` as a reference of `kind`, connects, and resolves its workspace: the preamble of
  // every command that acts on one object. Failures come in that order.
  Outcome<Target> TargetOf(std::string_view text, RefKind kind);

  // Asks "question [y/N]" unless `yes`; refuses (exit 1) when stdin is not a terminal.
  // True when the user agreed.
  Outcome<bool> Confirm(const std::string& question, bool yes);

  // Prints the failure (stderr; also stdout as JSON with --json) and returns its exit code.
  int Report(const Failure& failure);
  int Report(const client::ApiError& error) { return Report(Failure::FromApi(error)); }
  void PrintJson(const nlohmann::json& value);

  bool json() const { return common_.json; }
  std::ostream& out() { return context_.out; }
  std::ostream& err() { return context_.err; }
  Terminal& terminal() { return context_.terminal; }
  const Environment& env() const { return context_.env; }

 private:
  Context& context_;
  const CommonOptions& common_;
  std::optional<Settings> settings_;
  std::unique_ptr<client::Client> client_;
  std::optional<std::string> key_workspace_;
};

}  // namespace limbo::cli
