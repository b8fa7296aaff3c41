#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "domain/entities.h"

namespace limbo::domain {

// Who belongs to a workspace, with which role, and the workspace's custom roles.
class MemberRows {
 public:
  virtual ~MemberRows() = default;

  virtual std::optional<Member> MemberOf(std::int64_t ws, const std::string& user_id) = 0;
  virtual std::vector<Member> List(std::int64_t ws) = 0;
  // Every workspace the user belongs to, with their role id in it.
  virtual std::vector<std::pair<Workspace, std::string>> WorkspacesOf(const std::string& user_id) = 0;
  virtual void Insert(std::int64_t ws, const std::string& user_id, const std::string& role_id, TimeMs at) = 0;
  virtual void UpdateRoleOf(std::int64_t ws, const std::string& user_id, const std::string& role_id) = 0;
  virtual void Delete(std::int64_t ws, const std::string& user_id) = 0;
  virtual int CountWithRole(std::int64_t ws, const std::string& role_id) = 0;

  virtual std::optional<Role> CustomRole(std::int64_t ws, const std::string& id) = 0;
  virtual std::vector<Role> CustomRoles(std::int64_t ws) = 0;
  virtual void InsertRole(std::int64_t ws, const Role& role) = 0;
  virtual void UpdateRole(std::int64_t ws, const Role& role) = 0;
  virtual void DeleteRole(std::int64_t ws, const std::string& id) = 0;
};

}  // namespace limbo::domain
