#include "domain/permissions.h"

#include <array>

namespace limbo::domain {

namespace {
struct Entry {
  std::string_view name;
  std::string_view group;
};
constexpr std::array<Entry, kPermissionCount> kCatalog = {{
    {"view_trash", "trash"},
    {"trash_dataset", "trash"},
    {"restore_dataset", "trash"},
    {"trash_version", "trash"},
    {"restore_version", "trash"},
    {"trash_workflow", "trash"},
    {"restore_workflow", "trash"},
    {"trash_training", "trash"},
    {"restore_training", "trash"},
    {"create_project", "content"},
    {"upload_images", "content"},
    {"generate_version", "content"},
    {"train_model", "content"},
    {"manage_workflows", "content"},
    {"manage_members", "administration"},
    {"manage_roles", "administration"},
    {"manage_api_keys", "administration"},
    {"manage_workspace", "administration"},
}};
}  // namespace

std::string_view PermissionName(Permission p) { return kCatalog[static_cast<std::size_t>(p)].name; }
std::string_view PermissionGroup(Permission p) { return kCatalog[static_cast<std::size_t>(p)].group; }

std::optional<Permission> ParsePermission(std::string_view name) {
  for (std::size_t i = 0; i < kCatalog.size(); ++i) {
    if (kCatalog[i].name == name) return static_cast<Permission>(i);
  }
  return std::nullopt;
}

PermissionSet PermissionSet::All() {
  PermissionSet s;
  s.bits_.set();
  return s;
}

std::vector<std::string> PermissionSet::Names() const {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < kPermissionCount; ++i) {
    if (bits_.test(i)) out.emplace_back(kCatalog[i].name);
  }
  return out;
}

std::string PermissionSet::Encode() const {
  std::string out;
  for (const auto& n : Names()) {
    if (!out.empty()) out.push_back(',');
    out += n;
  }
  return out;
}

PermissionSet PermissionSet::Decode(std::string_view csv) {
  PermissionSet s;
  while (!csv.empty()) {
    auto comma = csv.find(',');
    auto name = csv.substr(0, comma);
    if (auto p = ParsePermission(name)) s.Add(*p);
    if (comma == std::string_view::npos) break;
    csv.remove_prefix(comma + 1);
  }
  return s;
}

std::vector<std::string> PermissionSet::Missing(const PermissionSet& held) const {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < kPermissionCount; ++i) {
    if (bits_.test(i) && !held.bits_.test(i)) out.emplace_back(kCatalog[i].name);
  }
  return out;
}

bool CanDeletePermanently(const PermissionSet& s) {
  return s.Has(Permission::kViewTrash) && (s.Has(Permission::kTrashDataset) || s.Has(Permission::kTrashVersion) ||
                                           s.Has(Permission::kTrashWorkflow) || s.Has(Permission::kTrashTraining));
}

PermissionSet MemberPermissions() {
  PermissionSet s;
  for (auto p : {Permission::kCreateProject, Permission::kUploadImages, Permission::kGenerateVersion,
                 Permission::kTrainModel, Permission::kManageWorkflows}) {
    s.Add(p);
  }
  return s;
}

}  // namespace limbo::domain
