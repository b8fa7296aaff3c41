#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "domain/permissions.h"

namespace limbo::domain {

using core::TimeMs;

struct Workspace {
  std::int64_t id = 0;
  std::string url;
  std::string name;
  int retention_days = 30;
  std::int64_t storage_quota_bytes = 0;
  TimeMs created_at = 0;
};

// Counters maintained in the same transactions as the rows they count (never a scan).
struct Usage {
  // Every image and model file of the workspace, those of the Trash's items too.
  std::int64_t storage_bytes = 0;
  std::int64_t image_count = 0;
  std::int64_t trash_items = 0;
  std::int64_t trash_projects = 0;
  std::int64_t trash_versions = 0;
  std::int64_t trash_workflows = 0;
  std::int64_t trash_trainings = 0;
};

// Bytes held only by the Trash (no active project, version, run or the Asset Library holds them) and,
// among them, what Empty Trash would free now. docs/TRASH.md, "Storage figures".
struct TrashHeld {
  std::int64_t trash_only = 0;
  std::int64_t reclaimable = 0;
  TrashHeld operator-(const TrashHeld& o) const { return {trash_only - o.trash_only, reclaimable - o.reclaimable}; }
  bool operator==(const TrashHeld&) const = default;
};

struct User {
  std::string id;
  std::string email;
  std::string name;
  std::string password_hash;
  TimeMs created_at = 0;
};

struct Role {
  std::string id;  // "owner", "member" or "r_..."
  std::string name;
  PermissionSet permissions;
  bool builtin = false;
};

struct Member {
  std::string user_id;
  std::string email;
  std::string name;
  std::string role_id;
  TimeMs joined_at = 0;
};

// A pending invitation to a workspace (SPEC T17): the invited person accepts it in the web app with
// the token of its link, which only a browser session ever sees; only the token's SHA-256 is stored.
struct Invitation {
  std::string id;
  std::int64_t workspace_id = 0;
  std::string email;  // lower-cased
  std::string role_id;
  std::string invited_by;  // user id
  TimeMs created_at = 0;
  TimeMs expires_at = 0;
};

struct ApiKey {
  std::string id;
  std::int64_t workspace_id = 0;
  std::string user_id;
  std::string user_email;
  std::string name;
  std::string prefix;  // first characters of the key, safe to show
  TimeMs created_at = 0;
  std::optional<TimeMs> last_used_at;
  bool revoked = false;
};

struct Session {
  std::string id_hash;  // SHA-256 of the cookie value; the value itself is never stored
  std::string user_id;
  std::string csrf_token;
  TimeMs created_at = 0;
  TimeMs expires_at = 0;
  TimeMs password_at = 0;  // when its user last entered their password in it (sign-in, re-authentication)
};

struct Group {
  std::string id;
  std::string name;
  std::int64_t project_count = 0;  // active projects
};

struct Project {
  std::string id;
  std::int64_t workspace_id = 0;
  std::string url;
  std::string name;
  std::string type;
  std::string annotation;
  std::optional<std::string> group_id;
  std::string group_name;
  std::int64_t image_count = 0;
  std::int64_t image_bytes = 0;
  std::int64_t version_count = 0;  // active versions
  TimeMs created_at = 0;
  TimeMs updated_at = 0;
  std::string created_by;
  std::optional<std::int64_t> trash_item_id;  // null: active
};

struct Image {
  std::string id;
  std::int64_t workspace_id = 0;
  std::string name;
  std::string sha256;
  std::int64_t size_bytes = 0;
  int width = 0;
  int height = 0;
  TimeMs created_at = 0;
  std::vector<std::string> project_urls;  // active projects only
};

inline constexpr const char* kModelServing = "serving";
inline constexpr const char* kModelStopped = "stopped";

struct Model {
  std::int64_t version_id = 0;
  std::string state;  // serving | stopped
  std::string job_id;
  TimeMs created_at = 0;
};

struct Version {
  std::int64_t id = 0;  // internal row id
  std::string project_id;
  int number = 0;
  std::string name;
  std::int64_t image_count = 0;
  std::int64_t image_bytes = 0;
  TimeMs created_at = 0;
  std::optional<std::int64_t> trash_item_id;
  std::optional<Model> model;
};

enum class JobState { kQueued, kRunning, kFinished, kFailed, kCancelled };
const char* JobStateName(JobState s);
std::optional<JobState> ParseJobState(std::string_view s);

struct Job {
  std::string id;
  std::int64_t workspace_id = 0;
  std::string project_id;
  std::string project_url;
  std::int64_t version_id = 0;
  int version_number = 0;
  JobState state = JobState::kQueued;
  std::optional<std::string> cancel_reason;
  TimeMs created_at = 0;
  std::optional<TimeMs> started_at;
  std::optional<TimeMs> ended_at;
  TimeMs duration_ms = 0;                     // how long the trainer runs
  std::int64_t model_bytes = 0;               // the size of its model file, stored when it finished
  std::optional<std::int64_t> trash_item_id;  // set while the run is in the Trash on its own (T16)

  bool Active() const { return state == JobState::kQueued || state == JobState::kRunning; }
  // One credit per second of running time on the server clock; frozen once the job ends.
  double CreditsUsed(TimeMs now) const;
};

struct Workflow {
  std::string id;
  std::int64_t workspace_id = 0;
  std::string url;
  std::string name;
  std::string config_json;
  TimeMs created_at = 0;
  std::string created_by;
  std::optional<std::int64_t> trash_item_id;
};

enum class ItemType { kProject, kVersion, kWorkflow, kTraining };
inline constexpr int kItemTypeCount = 4;
const char* ItemTypeName(ItemType t);
std::optional<ItemType> ParseItemType(std::string_view s);

enum class TrashState { kInTrash, kPurging };
const char* TrashStateName(TrashState s);
std::optional<TrashState> ParseTrashState(std::string_view s);

struct TrashItem {
  std::int64_t id = 0;
  std::int64_t workspace_id = 0;
  ItemType type = ItemType::kProject;
  std::string object_id;  // project id, version row id, workflow id, or training (job) id
  std::string name;
  std::string url;                // the item's slug; for a version or training its project's slug
  std::string parent_project_id;  // versions and trainings
  int version_number = 0;         // versions and trainings
  std::string deleted_by;
  std::string deleted_by_name;
  TimeMs deleted_at = 0;
  TimeMs cleanup_at = 0;
  bool cleanup_delete_images = false;
  TrashState state = TrashState::kInTrash;
  std::int64_t size_bytes = 0;
  std::optional<std::string> group_id;
  // Filled by listings:
  std::string parent_name;
  bool parent_in_trash = false;  // a version's project, a training's project or version, is in the Trash
  bool url_taken = false;        // an active item of the same type now holds `url` (projects, workflows)
  std::string group_name;
  // Set only for purging items: whether the actor was a person (permanent deletion) or the system.
  std::string purge_actor_id;
  std::string purge_actor_name;
};

enum class TrashSort { kDeletedAt, kScheduledCleanupAt, kName };

// What the Trash will remove for good on one day (UTC), from the items' cleanup dates.
struct TrashDay {
  std::int64_t day = 0;  // days since 1970-01-01, UTC
  std::int64_t items = 0;
  std::int64_t bytes = 0;  // the sum of the items' sizeBytes (items may share stored bytes)
};

struct TrashQuery {
  std::int64_t workspace_id = 0;
  std::optional<ItemType> type;
  std::string q;
  TrashSort sort = TrashSort::kDeletedAt;
  int limit = 50;
  // Keyset position: the sort key and id of the last row of the previous page.
  std::optional<std::string> after_key;
  std::optional<std::int64_t> after_id;
};

// One page of a listing: its items and whether more follow them.
template <class T>
struct Page {
  std::vector<T> items;
  bool more = false;
};

// The page from `rows` read with a limit of `limit` + 1: the extra row, when there is one, only
// tells that more follow.
template <class T>
Page<T> PageOf(std::vector<T> rows, int limit) {
  Page<T> page{std::move(rows), false};
  if (static_cast<int>(page.items.size()) > limit) {
    page.items.resize(static_cast<std::size_t>(limit));
    page.more = true;
  }
  return page;
}

using TrashPage = Page<TrashItem>;

struct AuditEvent {
  std::int64_t id = 0;
  std::int64_t workspace_id = 0;
  TimeMs at = 0;
  std::optional<std::string> actor_id;  // null: the system
  std::string actor_name;
  std::string action;  // trash | restore | delete_permanently | empty_trash | auto_cleanup
  std::string item_type;
  std::string item_id;
  std::string item_name;
};

}  // namespace limbo::domain
