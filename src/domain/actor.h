#pragma once

#include <optional>
#include <string>

#include "core/result.h"
#include "domain/entities.h"

namespace limbo::domain {

// Who is calling, before a workspace is chosen: a user proven by an API key or a browser session.
struct Principal {
  User user;
  std::optional<ApiKey> api_key;   // set when the caller used an API key
  std::optional<Session> session;  // set when the caller used a session cookie
};

// A principal acting inside one workspace with the role it has there.
struct Actor {
  User user;
  Workspace workspace;
  Role role;
  bool via_api_key = false;

  bool Can(Permission p) const { return role.permissions.Has(p); }
  core::Status Require(Permission p) const {
    if (Can(p)) return core::Ok();
    return core::Error::Forbidden("Your role in this workspace lacks the '" + std::string(PermissionName(p)) +
                                  "' permission.");
  }
};

// The system itself (automatic cleanup): every permission, no user.
Actor SystemActor(const Workspace& ws);

}  // namespace limbo::domain
