#include "http/json_mapping.h"

#include <spdlog/spdlog.h>

#include <charconv>
#include <cstring>

#include "core/time_format.h"
#include "http/json_writer.h"

namespace limbo::http {

using core::FormatIso8601;
using namespace limbo::domain;  // NOLINT: a mapping file

namespace {
Json OptTime(const std::optional<core::TimeMs>& t) { return t ? Json(FormatIso8601(*t)) : Json(nullptr); }

// Roboflow's `created` / `updated`: seconds since the epoch, fractional.
double EpochSeconds(core::TimeMs t) { return static_cast<double>(t) / 1000.0; }

// Limbo keeps no train/valid/test split: every image is counted under train.
Json SplitsJson(std::int64_t images) { return Json{{"train", images}, {"valid", 0}, {"test", 0}}; }
}  // namespace

Json ToJson(const Project& p, const std::string& ws_url) {
  Json group = nullptr;
  if (p.group_id) group = Json{{"id", *p.group_id}, {"name", p.group_name}};
  // `id` is "workspace/slug" as Roboflow's clients split it; the opaque id is `projectId`.
  // Limbo stores no annotations, so there are no classes and every image is unannotated.
  return Json{{"id", ws_url + "/" + p.url},
              {"projectId", p.id},
              {"url", p.url},
              {"name", p.name},
              {"type", p.type},
              {"annotation", p.annotation},
              {"group", group},
              {"images", p.image_count},
              {"imageBytes", p.image_bytes},
              {"versions", p.version_count},
              {"created", EpochSeconds(p.created_at)},
              {"updated", EpochSeconds(p.updated_at)},
              {"createdAt", FormatIso8601(p.created_at)},
              {"updatedAt", FormatIso8601(p.updated_at)},
              {"createdBy", p.created_by},
              {"classes", Json::object()},
              {"colors", Json::object()},
              {"public", false},
              {"multilabel", p.type == "multi-label-classification"},
              {"splits", SplitsJson(p.image_count)},
              {"unannotated", p.image_count}};
}

Json ToJson(const Version& v, const std::string& ws_url, const std::string& project_url) {
  Json model = nullptr;
  if (v.model) {
    std::string n = std::to_string(v.number);
    model = Json{{"id", project_url + "/" + n},
                 {"state", v.model->state},
                 {"endpoint", "/infer/" + ws_url + "/" + project_url + "/" + n},
                 {"jobId", v.model->job_id},
                 {"createdAt", FormatIso8601(v.model->created_at)}};
  }
  // A version is a frozen set of image links: no augmentation, no preprocessing, no exports.
  return Json{{"id", ws_url + "/" + project_url + "/" + std::to_string(v.number)},
              {"version", v.number},
              {"name", v.name},
              {"project", project_url},
              {"images", v.image_count},
              {"imageBytes", v.image_bytes},
              {"created", EpochSeconds(v.created_at)},
              {"createdAt", FormatIso8601(v.created_at)},
              {"augmentation", Json::object()},
              {"preprocessing", Json::object()},
              {"splits", SplitsJson(v.image_count)},
              {"exports", Json::array()},
              {"model", model}};
}

Json ToJson(const Image& img) {
  return Json{{"id", img.id},
              {"name", img.name},
              {"sha256", img.sha256},
              {"sizeBytes", img.size_bytes},
              {"width", img.width},
              {"height", img.height},
              {"projects", img.project_urls},
              {"createdAt", FormatIso8601(img.created_at)}};
}

Json ToJson(const Job& j, core::TimeMs now) {
  return Json{{"id", j.id},
              {"project", j.project_url},
              {"version", j.version_number},
              {"state", JobStateName(j.state)},
              {"creditsUsed", j.CreditsUsed(now)},
              {"cancelReason", j.cancel_reason ? Json(*j.cancel_reason) : Json(nullptr)},
              {"createdAt", FormatIso8601(j.created_at)},
              {"startedAt", OptTime(j.started_at)},
              {"endedAt", OptTime(j.ended_at)}};
}

Json TrainingJson(const Job& j, const Version& v, core::TimeMs now) {
  // A finished run leaves one model, named by the run (the model file is <trainingId>.json); the
  // version's model (`/infer/:ws/:project/:version`) is one of them.
  Json model_ids = Json::array();
  if (j.state == JobState::kFinished) model_ids.push_back(j.id);
  core::TimeMs start = j.started_at.value_or(j.created_at);
  return Json{{"trainingId", j.id},
              {"status", JobStateName(j.state)},
              {"modelType", kDemoModelType},
              {"modelGroup", kDemoModelGroup},
              {"modelIds", model_ids},
              {"start", start / core::kSecondMs},  // epoch seconds, as the official client reads times
              {"versionModel", v.model.has_value() && v.model->job_id == j.id},
              {"project", j.project_url},
              {"version", j.version_number},
              {"creditsUsed", j.CreditsUsed(now)},
              {"cancelReason", j.cancel_reason ? Json(*j.cancel_reason) : Json(nullptr)},
              {"modelBytes", j.model_bytes},
              {"createdAt", FormatIso8601(j.created_at)},
              {"startedAt", OptTime(j.started_at)},
              {"endedAt", OptTime(j.ended_at)}};
}

Json ToJson(const Workflow& w) {
  Json config = Json::parse(w.config_json, nullptr, false);
  if (config.is_discarded()) config = Json::object();
  return Json{
      {"id", w.id}, {"url", w.url}, {"name", w.name}, {"config", config}, {"createdAt", FormatIso8601(w.created_at)}};
}

Json ToJson(const Group& g) { return Json{{"id", g.id}, {"name", g.name}, {"projects", g.project_count}}; }

Json ToJson(const Role& r) {
  return Json{{"id", r.id}, {"name", r.name}, {"permissions", r.permissions.Names()}, {"builtin", r.builtin}};
}

Json ToJson(const Member& m, const Role& r) {
  return Json{{"userId", m.user_id}, {"email", m.email},   {"name", m.name},
              {"role", m.role_id},   {"roleName", r.name}, {"joinedAt", FormatIso8601(m.joined_at)},
              {"status", "active"}};
}

Json ToJson(const InvitationView& v) {
  return Json{{"email", v.invitation.email},
              {"role", v.invitation.role_id},
              {"roleName", v.role.name},
              {"status", "invited"},
              {"invitationId", v.invitation.id},
              {"invitedBy", Json{{"id", v.invitation.invited_by}, {"name", v.invited_by_name}}},
              {"workspace", Json{{"url", v.workspace.url}, {"name", v.workspace.name}}},
              {"createdAt", FormatIso8601(v.invitation.created_at)},
              {"expiresAt", FormatIso8601(v.invitation.expires_at)}};
}

std::string InviteUrl(const std::string& token) { return "/app/invite/" + token; }

Json ToJson(const ApiKey& k) {
  return Json{{"id", k.id},
              {"name", k.name},
              {"prefix", k.prefix},
              {"userId", k.user_id},
              {"userEmail", k.user_email},
              {"createdAt", FormatIso8601(k.created_at)},
              {"lastUsedAt", OptTime(k.last_used_at)}};
}

Json ToJson(const AuditEvent& e) {
  Json actor = nullptr;
  if (e.actor_id) actor = Json{{"id", *e.actor_id}, {"name", e.actor_name}};
  return Json{{"id", e.id},
              {"at", FormatIso8601(e.at)},
              {"actor", actor},
              {"action", e.action},
              {"item", Json{{"type", e.item_type}, {"id", e.item_id}, {"name", e.item_name}}}};
}

Json ToJson(const User& u) { return Json{{"id", u.id}, {"email", u.email}, {"name", u.name}}; }

Json WorkspaceSettingsJson(const Workspace& ws) {
  return Json{{"url", ws.url},
              {"name", ws.name},
              {"retentionDays", ws.retention_days},
              {"storageQuotaBytes", ws.storage_quota_bytes},
              {"created", FormatIso8601(ws.created_at)}};
}

namespace {

void WriteTime(JsonWriter& w, core::TimeMs t) { w.String(FormatIso8601(t)); }

void WriteOptTime(JsonWriter& w, const std::optional<core::TimeMs>& t) {
  if (t) {
    WriteTime(w, *t);
  } else {
    w.Null();
  }
}

void WriteSplits(JsonWriter& w, std::int64_t images) {
  w.BeginObject().Key("test").Int(0).Key("train").Int(images).Key("valid").Int(0).EndObject();
}

}  // namespace

// The keys of each object in the order nlohmann::json keeps them (sorted by bytes).
void WriteProjectJson(JsonWriter& w, const Project& p, const std::string& ws_url) {
  w.BeginObject();
  w.Key("annotation").String(p.annotation);
  w.Key("classes").BeginObject().EndObject();
  w.Key("colors").BeginObject().EndObject();
  w.Key("created").Double(EpochSeconds(p.created_at));
  w.Key("createdAt");
  WriteTime(w, p.created_at);
  w.Key("createdBy").String(p.created_by);
  w.Key("group");
  if (p.group_id) {
    w.BeginObject().Key("id").String(*p.group_id).Key("name").String(p.group_name).EndObject();
  } else {
    w.Null();
  }
  w.Key("id");
  std::string id;
  id.reserve(ws_url.size() + 1 + p.url.size());
  id.append(ws_url).append(1, '/').append(p.url);
  w.String(id);
  w.Key("imageBytes").Int(p.image_bytes);
  w.Key("images").Int(p.image_count);
  w.Key("multilabel").Bool(p.type == "multi-label-classification");
  w.Key("name").String(p.name);
  w.Key("projectId").String(p.id);
  w.Key("public").Bool(false);
  w.Key("splits");
  WriteSplits(w, p.image_count);
  w.Key("type").String(p.type);
  w.Key("unannotated").Int(p.image_count);
  w.Key("updated").Double(EpochSeconds(p.updated_at));
  w.Key("updatedAt");
  WriteTime(w, p.updated_at);
  w.Key("url").String(p.url);
  w.Key("versions").Int(p.version_count);
  w.EndObject();
}

void WriteVersionJson(JsonWriter& w, const Version& v, const std::string& ws_url, const std::string& project_url) {
  std::string n = std::to_string(v.number);
  w.BeginObject();
  w.Key("augmentation").BeginObject().EndObject();
  w.Key("created").Double(EpochSeconds(v.created_at));
  w.Key("createdAt");
  WriteTime(w, v.created_at);
  w.Key("exports").BeginArray().EndArray();
  w.Key("id").String(ws_url + "/" + project_url + "/" + n);
  w.Key("imageBytes").Int(v.image_bytes);
  w.Key("images").Int(v.image_count);
  w.Key("model");
  if (v.model) {
    w.BeginObject();
    w.Key("createdAt");
    WriteTime(w, v.model->created_at);
    w.Key("endpoint").String("/infer/" + ws_url + "/" + project_url + "/" + n);
    w.Key("id").String(project_url + "/" + n);
    w.Key("jobId").String(v.model->job_id);
    w.Key("state").String(v.model->state);
    w.EndObject();
  } else {
    w.Null();
  }
  w.Key("name").String(v.name);
  w.Key("preprocessing").BeginObject().EndObject();
  w.Key("project").String(project_url);
  w.Key("splits");
  WriteSplits(w, v.image_count);
  w.Key("version").Int(v.number);
  w.EndObject();
}

void WriteJobJson(JsonWriter& w, const Job& j, core::TimeMs now) {
  w.BeginObject();
  w.Key("cancelReason");
  if (j.cancel_reason) {
    w.String(*j.cancel_reason);
  } else {
    w.Null();
  }
  w.Key("createdAt");
  WriteTime(w, j.created_at);
  w.Key("creditsUsed").Double(j.CreditsUsed(now));
  w.Key("endedAt");
  WriteOptTime(w, j.ended_at);
  w.Key("id").String(j.id);
  w.Key("project").String(j.project_url);
  w.Key("startedAt");
  WriteOptTime(w, j.started_at);
  w.Key("state").String(JobStateName(j.state));
  w.Key("version").Int(j.version_number);
  w.EndObject();
}

std::string WorkspaceJsonText(const Workspace& ws, std::int64_t members, const std::vector<Project>& projects) {
  JsonWriter w;
  w.Reserve(256 + 600 * projects.size());
  w.BeginObject().Key("workspace").BeginObject();
  w.Key("created");
  WriteTime(w, ws.created_at);
  w.Key("members").Int(members);
  w.Key("name").String(ws.name);
  w.Key("projects").BeginArray();
  for (const auto& p : projects) WriteProjectJson(w, p, ws.url);
  w.EndArray();
  w.Key("retentionDays").Int(ws.retention_days);
  w.Key("storageQuotaBytes").Int(ws.storage_quota_bytes);
  w.Key("url").String(ws.url);
  w.EndObject().EndObject();
  return w.Take();
}

std::string ProjectDetailJsonText(const Workspace& ws, const ProjectDetail& d) {
  JsonWriter w;
  w.Reserve(768 + 512 * d.versions.size());
  w.BeginObject();
  w.Key("project");
  WriteProjectJson(w, d.project, ws.url);
  w.Key("versions").BeginArray();
  for (const auto& v : d.versions) WriteVersionJson(w, v, ws.url, d.project.url);
  w.EndArray();
  w.Key("workspace").BeginObject().Key("name").String(ws.name).Key("url").String(ws.url).EndObject();
  w.EndObject();
  return w.Take();
}

std::string UsageJsonText(const UsageReport& r) {
  JsonWriter w;
  w.Reserve(256);
  w.BeginObject();
  w.Key("activeBytes").Int(r.active_bytes);
  w.Key("figuresStale").Bool(r.figures_stale);
  w.Key("images").Int(r.usage.image_count);
  w.Key("reclaimableBytes").Int(r.reclaimable_bytes);
  w.Key("reclaimableStale").Bool(r.figures_stale);
  w.Key("storageBytes").Int(r.usage.storage_bytes);
  w.Key("storageQuotaBytes").Int(r.storage_quota_bytes);
  w.Key("trashBytes").Int(r.trash_only_bytes);
  w.Key("trashItems").Int(r.usage.trash_items);
  w.Key("trashOnlyBytes").Int(r.trash_only_bytes);
  w.EndObject();
  return w.Take();
}

std::string JobsJsonText(const std::vector<Job>& jobs, core::TimeMs now) {
  JsonWriter w;
  w.Reserve(16 + 256 * jobs.size());
  w.BeginObject().Key("jobs").BeginArray();
  for (const auto& j : jobs) WriteJobJson(w, j, now);
  w.EndArray().EndObject();
  return w.Take();
}

std::string TrashItemJsonText(const TrashItem& t, core::TimeMs now) {
  JsonWriter w;
  WriteTrashItemJson(w, t, now);
  return w.Take();
}

void WriteTrashItemJson(JsonWriter& w, const TrashItem& t, core::TimeMs now) {
  bool version = t.type == ItemType::kVersion;
  bool training = t.type == ItemType::kTraining;
  bool child = version || training;  // has a parent project (and, for a training, a version)
  const char* blocked = nullptr;
  if (child && t.parent_in_trash) {
    blocked = "parent_in_trash";
  } else if (!child && t.url_taken) {
    blocked = "restore_conflict";
  }
  w.BeginObject();
  w.Key("id").String(version ? std::to_string(t.version_number) : t.object_id);
  w.Key("type").String(ItemTypeName(t.type));
  w.Key("name").String(t.name);
  w.Key("url").String(t.url);
  w.Key("deletedAt").String(FormatIso8601(t.deleted_at));
  w.Key("scheduledCleanupAt").String(FormatIso8601(t.cleanup_at));
  w.Key("daysRemaining").Int(core::DaysRemaining(now, t.cleanup_at));
  w.Key("deletedBy").String(t.deleted_by);
  w.Key("deletedByName").String(t.deleted_by_name);
  w.Key("sizeBytes").Int(t.size_bytes);
  w.Key("cleanupDeleteImages").Bool(t.type == ItemType::kProject && t.cleanup_delete_images);
  auto opt = [&](const char* key, bool present, const std::string& v) {
    w.Key(key);
    present ? w.String(v) : w.Null();
  };
  opt("parentId", child, t.parent_project_id);
  opt("parentName", child, t.parent_name);
  opt("parentUrl", child, t.url);
  w.Key("parentInTrash").Bool(child && t.parent_in_trash);
  w.Key("restorable").Bool(blocked == nullptr);
  w.Key("blockedReason");
  blocked ? w.String(blocked) : w.Null();
  w.Key("location").BeginObject();
  if (child) {
    w.Key("project").BeginObject().Key("id").String(t.parent_project_id).Key("name").String(t.parent_name);
    w.Key("url").String(t.url).EndObject();
    if (training) w.Key("version").BeginObject().Key("number").Int(t.version_number).EndObject();
  } else if (t.group_id) {
    w.Key("group").BeginObject().Key("id").String(*t.group_id).Key("name").String(t.group_name).EndObject();
  } else {
    w.Key("group").Null();
  }
  w.EndObject();
  if (child) w.Key("version").Int(t.version_number);
  if (training) w.Key("trainingId").String(t.object_id);
  w.EndObject();
}

Json ItemRefJson(const ItemRef& r) {
  Json j{{"type", ItemTypeName(r.type)}, {"id", r.id}};
  if (r.parent_id) j["parentId"] = *r.parent_id;
  return j;
}

Json ErrorJson(const core::Error& e) {
  Json err{{"code", e.code}, {"message", e.message}};
  if (!e.hint.empty()) err["hint"] = e.hint;
  return Json{{"error", err}};
}

void LogServerError(const core::Error& e) {
  if (e.kind != core::ErrorKind::kInternal && e.kind != core::ErrorKind::kUnavailable) return;
  spdlog::error("{{\"event\":\"error\",\"code\":{},\"detail\":{}}}",
                Json(e.code).dump(-1, ' ', false, Json::error_handler_t::replace),
                Json(e.detail).dump(-1, ' ', false, Json::error_handler_t::replace));
}

Json BatchJson(const BatchResult& b, const char* done_key) {
  Json done = Json::array(), failed = Json::array();
  for (const auto& o : b.done) done.push_back(ItemRefJson(o.ref));
  for (const auto& o : b.failed) {
    Json j = ItemRefJson(o.ref);
    LogServerError(*o.error);
    j["error"] = ErrorJson(*o.error)["error"];
    failed.push_back(j);
  }
  return Json{{done_key, done}, {"failed", failed}};
}

namespace {
constexpr char kB64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
}

std::string EncodeCursor(const std::string& key, std::int64_t id) {
  std::string in = key + "|" + std::to_string(id), out;
  unsigned val = 0;
  int bits = -6;
  for (unsigned char c : in) {
    val = (val << 8) + c;
    bits += 8;
    while (bits >= 0) {
      out.push_back(kB64[(val >> bits) & 0x3F]);
      bits -= 6;
    }
  }
  if (bits > -6) out.push_back(kB64[((val << 8) >> (bits + 8)) & 0x3F]);
  return out;
}

bool DecodeCursor(const std::string& cursor, std::string* key, std::int64_t* id) {
  if (cursor.empty() || cursor.size() > 1024) return false;
  std::string out;
  unsigned val = 0;
  int bits = -8;
  for (char c : cursor) {
    const char* p = std::strchr(kB64, c);
    if (!p || c == '\0') return false;
    val = (val << 6) + static_cast<unsigned>(p - kB64);
    bits += 6;
    if (bits >= 0) {
      out.push_back(static_cast<char>((val >> bits) & 0xFF));
      bits -= 8;
    }
  }
  auto bar = out.rfind('|');
  if (bar == std::string::npos) return false;
  *key = out.substr(0, bar);
  std::string num = out.substr(bar + 1);
  if (num.empty() || num.size() > 19) return false;
  for (char c : num) {
    if (c < '0' || c > '9') return false;
  }
  // from_chars, not stoll: 19 digits can exceed int64 and stoll would throw.
  auto [end, ec] = std::from_chars(num.data(), num.data() + num.size(), *id);
  return ec == std::errc() && end == num.data() + num.size();
}

}  // namespace limbo::http
