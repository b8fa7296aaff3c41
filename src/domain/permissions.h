#pragma once

#include <bitset>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace limbo::domain {

// The permission catalog of SPEC section 3. Identifiers are part of the API.
enum class Permission {
  kViewTrash,
  kTrashDataset,
  kRestoreDataset,
  kTrashVersion,
  kRestoreVersion,
  kTrashWorkflow,
  kRestoreWorkflow,
  kTrashTraining,
  kRestoreTraining,
  kCreateProject,
  kUploadImages,
  kGenerateVersion,
  kTrainModel,
  kManageWorkflows,
  kManageMembers,
  kManageRoles,
  kManageApiKeys,
  kManageWorkspace,
  kCount,
};

inline constexpr std::size_t kPermissionCount = static_cast<std::size_t>(Permission::kCount);

std::string_view PermissionName(Permission p);
std::optional<Permission> ParsePermission(std::string_view name);
// Group shown in the roles editor: "trash", "content" or "administration".
std::string_view PermissionGroup(Permission p);

class PermissionSet {
 public:
  PermissionSet() = default;
  static PermissionSet All();
  bool Has(Permission p) const { return bits_.test(static_cast<std::size_t>(p)); }
  void Add(Permission p) { bits_.set(static_cast<std::size_t>(p)); }
  std::vector<std::string> Names() const;
  // "a,b,c" (storage form) and back; unknown names are ignored when decoding.
  std::string Encode() const;
  static PermissionSet Decode(std::string_view csv);
  // The set as a short, exact key (for caches): equal keys, equal sets.
  std::string Key() const { return bits_.to_string(); }
  // Every permission of `other` is in this set.
  bool Contains(const PermissionSet& other) const { return (other.bits_ & ~bits_).none(); }
  // The permissions of this set that `held` lacks.
  std::vector<std::string> Missing(const PermissionSet& held) const;
  bool operator==(const PermissionSet&) const = default;

 private:
  std::bitset<kPermissionCount> bits_;
};

// The permanent-deletion level (SPEC 3, T17): `view_trash` with at least one `trash_*` permission,
// enough to delete something permanently. Granting it needs a browser session.
bool CanDeletePermanently(const PermissionSet& s);

inline constexpr std::string_view kOwnerRole = "owner";
inline constexpr std::string_view kMemberRole = "member";
// Built-in `member`: content permissions, no trash and no administration permissions.
PermissionSet MemberPermissions();

}  // namespace limbo::domain
