#include "domain/trash_service.h"

#include <algorithm>
#include <unordered_set>

#include "core/crypto.h"
#include "core/slug.h"
#include "domain/backup_hold.h"
#include "domain/content_service.h"
#include "domain/process_metrics.h"

namespace limbo::domain {

using core::Error;
using core::Fail;
using core::Ok;
using core::Result;
using core::Status;

const char* ItemTypeName(ItemType t) {
  switch (t) {
    case ItemType::kProject:
      return "project";
    case ItemType::kVersion:
      return "version";
    case ItemType::kWorkflow:
      return "workflow";
    case ItemType::kTraining:
      return "training";
  }
  return "project";
}

std::optional<ItemType> ParseItemType(std::string_view s) {
  if (s == "project" || s == "dataset") return ItemType::kProject;
  if (s == "version") return ItemType::kVersion;
  if (s == "workflow") return ItemType::kWorkflow;
  if (s == "training") return ItemType::kTraining;
  return std::nullopt;
}

const char* TrashStateName(TrashState s) { return s == TrashState::kInTrash ? "in_trash" : "purging"; }

std::optional<TrashState> ParseTrashState(std::string_view s) {
  if (s == "in_trash") return TrashState::kInTrash;
  if (s == "purging") return TrashState::kPurging;
  return std::nullopt;
}

namespace {
// The trash_* and restore_* permission of each item type, indexed by ItemType.
constexpr Permission kTrashPermission[kItemTypeCount] = {Permission::kTrashDataset, Permission::kTrashVersion,
                                                         Permission::kTrashWorkflow, Permission::kTrashTraining};
constexpr Permission kRestorePermission[kItemTypeCount] = {Permission::kRestoreDataset, Permission::kRestoreVersion,
                                                           Permission::kRestoreWorkflow, Permission::kRestoreTraining};
constexpr ItemType kAllTypes[kItemTypeCount] = {ItemType::kProject, ItemType::kVersion, ItemType::kWorkflow,
                                                ItemType::kTraining};
}  // namespace

Status RequireRestore(const Actor& a, ItemType t) { return a.Require(kRestorePermission[static_cast<int>(t)]); }

Status RequireTrash(const Actor& a, ItemType t) { return a.Require(kTrashPermission[static_cast<int>(t)]); }

namespace {

Error NotInTrash(ItemType type = ItemType::kProject) {
  // The official client's CLI keys its hints on "not in trash" for trainings.
  if (type == ItemType::kTraining) {
    return Error::NotFound("That training is not in trash (it is active, or it was permanently deleted).",
                           "not_in_trash");
  }
  return Error::NotFound("That item is not in the Trash (it was restored or permanently deleted).", "not_in_trash");
}

// The refusals of a restore, the same from one item's restore and from a batch's.
Error UrlConflict(ItemType type, const std::string& url) {
  return Error::Conflict("Another active " + std::string(ItemTypeName(type)) + " now uses the url '" + url + "'.",
                         "restore_conflict")
      .WithHint("Restore it under a new url by passing 'url'.");
}

Error VersionParentInTrash() {
  return Error::Conflict("The version's project is in the Trash.", "parent_in_trash")
      .WithHint("Restore the project first, then its versions.");
}

std::string TrainingName(const Job& j, const Version& v) { return "Training " + j.id + " of " + v.name; }

AuditEvent MakeEvent(const Actor& a, TimeMs at, const char* action, const TrashItem& t) {
  AuditEvent e;
  e.workspace_id = t.workspace_id;
  e.at = at;
  if (!a.user.id.empty()) e.actor_id = a.user.id;
  e.actor_name = a.user.id.empty() ? "system" : a.user.name;
  e.action = action;
  e.item_type = ItemTypeName(t.type);
  e.item_id = t.type == ItemType::kVersion ? t.parent_project_id + "/" + std::to_string(t.version_number) : t.object_id;
  e.item_name = t.type == ItemType::kVersion || t.type == ItemType::kTraining ? t.url + " / " + t.name : t.name;
  return e;
}

TrashItem NewItem(const Actor& a, ItemType type, TimeMs now) {
  TrashItem t;
  t.workspace_id = a.workspace.id;
  t.type = type;
  t.deleted_by = a.user.id;
  t.deleted_by_name = a.user.name;
  t.deleted_at = now;
  t.cleanup_at = now + static_cast<TimeMs>(a.workspace.retention_days) * core::kDayMs;
  return t;
}

// Batches go projects, versions, trainings, workflows: a parent comes back before what it holds.
int TypeOrder(ItemType t) {
  switch (t) {
    case ItemType::kProject:
      return 0;
    case ItemType::kVersion:
      return 1;
    case ItemType::kTraining:
      return 2;
    case ItemType::kWorkflow:
      return 3;
  }
  return 3;
}

}  // namespace

Result<TrashedResult> TrashService::TrashProject(const Actor& a, const std::string& url, bool delete_images) {
  LIMBO_RETURN_IF_ERROR(a.Require(Permission::kTrashDataset));
  TimeMs now = clock_.Now();
  TrashedResult out;
  std::int64_t credit_ms = 0;
  LIMBO_RETURN_IF_ERROR(store_.Write([&](Transaction& tx) -> Status {
    LIMBO_TRY(Project p, ContentService::ActiveProject(tx, a, url));
    auto ws = tx.workspaces().ById(a.workspace.id);  // retention as set now, not when the caller authenticated
    Actor fresh = a;
    if (ws) fresh.workspace = *ws;
    TrashItem t = NewItem(fresh, ItemType::kProject, now);
    t.object_id = p.id;
    t.name = p.name;
    t.url = p.url;
    t.cleanup_delete_images = delete_images;
    t.size_bytes = p.image_bytes;
    t.group_id = p.group_id;
    t.id = tx.trash().Insert(t);
    tx.projects().SetTrash(p.id, t.id);
    credit_ms = tx.jobs().CancelAllOfProject(p.id, "moved_to_trash", now);
    tx.versions().StopModelsOfProject(p.id, t.id);
    tx.workspaces().AddTrashCount(a.workspace.id, ItemType::kProject, 1, t.size_bytes);
    tx.workspaces().TouchReclaimable(a.workspace.id);
    tx.audit().Insert(MakeEvent(a, now, "trash", t));
    out.item = t;
    out.project = p;
    return Ok();
  }));
  CountCreditsMetered(credit_ms);
  return out;
}

Result<TrashedResult> TrashService::TrashVersion(const Actor& a, const std::string& project_url, int number) {
  LIMBO_RETURN_IF_ERROR(a.Require(Permission::kTrashVersion));
  TimeMs now = clock_.Now();
  TrashedResult out;
  std::int64_t credit_ms = 0;
  LIMBO_RETURN_IF_ERROR(store_.Write([&](Transaction& tx) -> Status {
    LIMBO_TRY(Project p, ContentService::ActiveProject(tx, a, project_url));
    LIMBO_TRY(Version v, ContentService::ActiveVersion(tx, p, number));
    auto ws = tx.workspaces().ById(a.workspace.id);
    Actor fresh = a;
    if (ws) fresh.workspace = *ws;
    TrashItem t = NewItem(fresh, ItemType::kVersion, now);
    t.object_id = std::to_string(v.id);
    t.name = v.name;
    t.url = p.url;
    t.parent_project_id = p.id;
    t.version_number = v.number;
    t.size_bytes = v.image_bytes;
    t.id = tx.trash().Insert(t);
    tx.versions().SetTrash(v.id, t.id);
    credit_ms = tx.jobs().CancelAllOf(v.id, "moved_to_trash", now);
    tx.versions().StopModelOf(v.id, t.id);
    tx.workspaces().AddTrashCount(a.workspace.id, ItemType::kVersion, 1, t.size_bytes);
    tx.workspaces().TouchReclaimable(a.workspace.id);  // its runs' model files: recounted
    tx.audit().Insert(MakeEvent(a, now, "trash", t));
    out.item = t;
    out.project = p;
    return Ok();
  }));
  CountCreditsMetered(credit_ms);
  return out;
}

Result<TrashedResult> TrashService::TrashWorkflow(const Actor& a, const std::string& url) {
  LIMBO_RETURN_IF_ERROR(a.Require(Permission::kTrashWorkflow));
  TimeMs now = clock_.Now();
  TrashedResult out;
  LIMBO_RETURN_IF_ERROR(store_.Write([&](Transaction& tx) -> Status {
    auto w = tx.workflows().ByUrl(a.workspace.id, url);
    if (!w) return Error::NotFound("Workflow '" + url + "' was not found.");
    if (w->trash_item_id) return Error::NotFound("Workflow '" + url + "' is in the Trash.", "in_trash");
    auto ws = tx.workspaces().ById(a.workspace.id);
    Actor fresh = a;
    if (ws) fresh.workspace = *ws;
    TrashItem t = NewItem(fresh, ItemType::kWorkflow, now);
    t.object_id = w->id;
    t.name = w->name;
    t.url = w->url;
    t.size_bytes = static_cast<std::int64_t>(w->config_json.size());
    t.id = tx.trash().Insert(t);
    tx.workflows().SetTrash(w->id, t.id);
    tx.workspaces().AddTrashCount(a.workspace.id, ItemType::kWorkflow, 1, t.size_bytes);
    tx.audit().Insert(MakeEvent(a, now, "trash", t));
    out.item = t;
    out.workflow = *w;
    return Ok();
  }));
  return out;
}

Result<TrainingTrashed> TrashService::TrashTraining(const Actor& a, const std::string& project_url, int number,
                                                    const std::optional<std::string>& training_id) {
  LIMBO_RETURN_IF_ERROR(a.Require(Permission::kTrashTraining));
  TimeMs now = clock_.Now();
  TrainingTrashed out;
  LIMBO_RETURN_IF_ERROR(store_.Write([&](Transaction& tx) -> Status {
    out = TrainingTrashed{};
    LIMBO_TRY(Project p, ContentService::ActiveProject(tx, a, project_url));
    LIMBO_TRY(Version v, ContentService::ActiveVersion(tx, p, number));
    std::string where = "version " + std::to_string(v.number) + " of '" + p.url + "'";
    std::string subject = "V" + where.substr(1);  // the same, opening a sentence
    auto runs = tx.jobs().OfVersion(v.id);
    std::optional<Job> job;
    if (training_id) {
      for (const auto& r : runs) {
        if (r.id == *training_id) job = r;
      }
      if (!job) return Error::NotFound("Training '" + *training_id + "' was not found on " + where + ".");
    } else {
      std::vector<Job> live;
      for (const auto& r : runs) {
        if (!r.trash_item_id) live.push_back(r);
      }
      if (live.size() > 1) {
        std::string ids;
        for (const auto& r : live) ids += (ids.empty() ? "" : ", ") + r.id;
        return Error::Conflict(subject + " has several trainings (MULTIPLE_TRAININGS): " + ids +
                                   ". Name the one to delete with 'trainingId'.",
                               "multiple_trainings");
      }
      if (live.size() == 1) {
        job = live.front();
      } else if (runs.size() == 1) {
        job = runs.front();  // its only run, already in the Trash
      } else {
        return Error::NotFound(subject + " has no training to delete.");
      }
    }
    out.training_id = job->id;
    if (job->trash_item_id) {
      out.already_in_trash = true;
      return Ok();
    }
    if (job->Active()) {
      return Error::Conflict("Training '" + job->id + "' is still in progress (" + JobStateName(job->state) +
                                 "); cancel it before moving it to the Trash.",
                             "training_in_progress")
          .WithHint("Cancel it with POST /:ws/:project/:version/train/cancel, then delete it.");
    }
    auto ws = tx.workspaces().ById(a.workspace.id);
    Actor fresh = a;
    if (ws) fresh.workspace = *ws;
    TrashItem t = NewItem(fresh, ItemType::kTraining, now);
    t.object_id = job->id;
    t.name = TrainingName(*job, v);
    t.url = p.url;
    t.parent_project_id = p.id;
    t.version_number = v.number;
    t.size_bytes = job->model_bytes;
    t.id = tx.trash().Insert(t);
    tx.jobs().SetTrash(job->id, t.id);
    // Its model is hidden with it; if it was the version's, the newest remaining finished run's
    // model takes over, in the same state, or the version has none.
    if (v.model && v.model->job_id == job->id) {
      if (auto next = tx.jobs().NewestFinishedOf(v.id, job->id)) {
        tx.versions().UpsertModel(Model{v.id, v.model->state, next->id, now});
      } else {
        tx.versions().DeleteModel(v.id);
      }
    }
    tx.workspaces().AddTrashCount(a.workspace.id, ItemType::kTraining, 1, t.size_bytes);
    // Its model file was active (its version and project are) and is now held only by the Trash,
    // which would remove it.
    tx.workspaces().AddTrashHeld(a.workspace.id, TrashHeld{job->model_bytes, job->model_bytes});
    tx.audit().Insert(MakeEvent(a, now, "trash", t));
    out.item = t;
    return Ok();
  }));
  return out;
}

Result<TrashListing> TrashService::List(const Actor& a, TrashQuery q) {
  LIMBO_RETURN_IF_ERROR(a.Require(Permission::kViewTrash));
  q.workspace_id = a.workspace.id;
  q.limit = std::clamp(q.limit, 1, kTrashPageMax);
  TrashListing out;
  out.now = clock_.Now();
  LIMBO_RETURN_IF_ERROR(store_.Read([&](Transaction& tx) -> Status {
    out.page = tx.trash().List(q);
    out.counts = tx.workspaces().GetUsage(a.workspace.id);
    return Ok();
  }));
  return out;
}

Result<TrashTimeline> TrashService::Timeline(const Actor& a) {
  LIMBO_RETURN_IF_ERROR(a.Require(Permission::kViewTrash));
  TrashTimeline out;
  out.now = clock_.Now();
  out.first_day = out.now / core::kDayMs;
  std::vector<TrashDay> counted;
  LIMBO_RETURN_IF_ERROR(store_.Read([&](Transaction& tx) -> Status {
    counted = tx.trash().CleanupByDay(a.workspace.id, 0, (out.first_day + kTimelineDays) * core::kDayMs);
    return Ok();
  }));
  out.days.resize(kTimelineDays);
  for (int i = 0; i < kTimelineDays; ++i) out.days[i].day = out.first_day + i;
  for (const auto& d : counted) {
    auto& slot = out.days[std::max<std::int64_t>(0, d.day - out.first_day)];
    slot.items += d.items;
    slot.bytes += d.bytes;
  }
  return out;
}

Result<std::int64_t> TrashService::ListingGeneration(const Actor& a) {
  LIMBO_RETURN_IF_ERROR(a.Require(Permission::kViewTrash));
  std::int64_t gen = 0;
  LIMBO_RETURN_IF_ERROR(store_.Read([&](Transaction& tx) -> Status {
    gen = tx.workspaces().TrashGeneration(a.workspace.id);
    return Ok();
  }));
  return gen;
}

Result<TrashItem> TrashService::FindItem(Transaction& tx, const Actor& a, const ItemRef& ref) {
  std::string object_id = ref.id;
  if (ref.type == ItemType::kVersion) {
    if (!ref.parent_id || ref.parent_id->empty()) {
      return Error::Invalid("A version is named by its number and its project's id in 'parentId'.");
    }
    int number = 0;
    try {
      std::size_t used = 0;
      number = std::stoi(ref.id, &used);
      if (used != ref.id.size()) return NotInTrash();
    } catch (...) {
      return NotInTrash();
    }
    auto p = tx.projects().ById(*ref.parent_id);
    if (!p || p->workspace_id != a.workspace.id) return NotInTrash();
    auto v = tx.versions().ByNumber(p->id, number);
    if (!v) return NotInTrash();
    object_id = std::to_string(v->id);
  }
  auto t = tx.trash().ByObject(a.workspace.id, ref.type, object_id);
  if (!t || t->state != TrashState::kInTrash) return NotInTrash(ref.type);
  return *t;
}

void TrashDeltas::ApplyTo(Transaction& tx, std::int64_t ws) const {
  for (auto type : kAllTypes) {
    int i = static_cast<int>(type);
    if (count[i] != 0 || bytes[i] != 0) tx.workspaces().AddTrashCount(ws, type, count[i], bytes[i]);
  }
  if (reclaimable_changed) tx.workspaces().TouchReclaimable(ws);
  tx.workspaces().AddTrashHeld(ws, held);
}

Status TrashService::RestoreIn(Transaction& tx, const Actor& a, const ItemRef& ref, TrashDeltas& deltas) {
  LIMBO_RETURN_IF_ERROR(RequireRestore(a, ref.type));
  LIMBO_TRY(TrashItem t, FindItem(tx, a, ref));
  return RestoreItemIn(tx, a, t, ref.new_url, deltas);
}

Status TrashService::RestoreItemIn(Transaction& tx, const Actor& a, const TrashItem& t,
                                   const std::optional<std::string>& new_url, TrashDeltas& deltas) {
  LIMBO_RETURN_IF_ERROR(RequireRestore(a, t.type));
  TimeMs now = clock_.Now();
  if (new_url) {
    if (t.type == ItemType::kVersion) return Error::Invalid("A version keeps its project's url; omit 'url'.");
    if (t.type == ItemType::kTraining) return Error::Invalid("A training keeps its version's url; omit 'url'.");
    if (!core::IsValidSlug(*new_url)) return Error::Invalid("Field 'url' is not a valid url.");
    if (core::IsReservedSlug(*new_url)) {
      return Error::Invalid("'" + *new_url + "' is a reserved word.", "reserved_url");
    }
  }
  std::string url = new_url.value_or(t.url);
  // `t` may have been read before this transaction (Restore All). When it is no longer in the
  // Trash, the url now taken may be its own, restored by someone else: that is `not_in_trash`,
  // never a conflict. Checked only on the way to a refusal, so a restore that goes through costs
  // nothing more.
  auto refuse = [&](Error e) -> Status {
    auto now_row = tx.trash().ById(t.id);
    if (!now_row || now_row->state != TrashState::kInTrash) return NotInTrash(t.type);
    return Fail(std::move(e));
  };
  auto conflict = [&] { return refuse(UrlConflict(t.type, url)); };
  switch (t.type) {
    case ItemType::kProject:
      if (tx.projects().ActiveUrlTaken(a.workspace.id, url)) return conflict();
      break;
    case ItemType::kWorkflow:
      if (tx.workflows().ActiveUrlTaken(a.workspace.id, url)) return conflict();
      break;
    case ItemType::kVersion: {
      auto p = tx.projects().ById(t.parent_project_id);
      if (!p || p->trash_item_id) return refuse(VersionParentInTrash());
      break;
    }
    case ItemType::kTraining: {
      // T16: only while its project and version are active.
      auto p = tx.projects().ById(t.parent_project_id);
      if (!p || p->trash_item_id) {
        return refuse(Error::Conflict("The training's project '" + t.url + "' is in trash.", "parent_in_trash")
                          .WithHint("Restore the project first, then the training."));
      }
      auto v = tx.versions().ByNumber(p->id, t.version_number);
      if (!v || v->trash_item_id) {
        return refuse(Error::Conflict("The training's version " + std::to_string(t.version_number) + " of '" + t.url +
                                          "' is in trash.",
                                      "parent_in_trash")
                          .WithHint("Restore the version first, then the training."));
      }
      break;
    }
  }
  // The compare-and-swap decides a race with a permanent deletion (T14).
  if (!tx.trash().Delete(t.id, TrashState::kInTrash)) return NotInTrash(t.type);
  switch (t.type) {
    case ItemType::kProject:
      // The new url first: the row becomes active only once no active project holds its url.
      if (url != t.url) tx.projects().SetUrl(t.object_id, url, now);
      tx.projects().SetTrash(t.object_id, std::nullopt);
      break;
    case ItemType::kWorkflow:
      if (url != t.url) tx.workflows().SetUrl(t.object_id, url);
      tx.workflows().SetTrash(t.object_id, std::nullopt);
      break;
    case ItemType::kVersion:
      tx.versions().SetTrash(std::stoll(t.object_id), std::nullopt);
      break;
    case ItemType::kTraining: {
      tx.jobs().SetTrash(t.object_id, std::nullopt);
      // Its model comes back without displacing the version's model, unless the version has none.
      auto job = tx.jobs().ById(t.workspace_id, t.object_id);
      auto v = tx.versions().ByNumber(t.parent_project_id, t.version_number);
      if (job && v && job->state == JobState::kFinished && !v->model) {
        tx.versions().UpsertModel(Model{v->id, kModelServing, job->id, now});
      }
      // Its project and version are active: its model file is active again.
      if (job) deltas.held = deltas.held - TrashHeld{job->model_bytes, job->model_bytes};
      break;
    }
  }
  tx.versions().RestartModelsStoppedBy(t.id);
  deltas.Add(t.type, -1, -t.size_bytes);
  // Which images a project or version brings back from the Trash is known only by a recount; a
  // training's model file is counted exactly above, and a workflow holds no stored bytes.
  if (t.type == ItemType::kProject || t.type == ItemType::kVersion) deltas.reclaimable_changed = true;
  tx.audit().Insert(MakeEvent(a, now, "restore", t));
  return Ok();
}

Status TrashService::RestoreTraining(const Actor& a, const std::string& project_url, int number,
                                     const std::string& training_id) {
  LIMBO_RETURN_IF_ERROR(RequireRestore(a, ItemType::kTraining));
  return store_.Write([&](Transaction& tx) -> Status {
    auto job = tx.jobs().ById(a.workspace.id, training_id);
    if (!job || job->project_url != project_url || job->version_number != number) {
      return Error::NotFound("Training '" + training_id + "' was not found on version " + std::to_string(number) +
                             " of '" + project_url + "'.");
    }
    TrashDeltas deltas;
    LIMBO_RETURN_IF_ERROR(
        RestoreIn(tx, a, ItemRef{ItemType::kTraining, training_id, std::nullopt, std::nullopt}, deltas));
    deltas.ApplyTo(tx, a.workspace.id);
    return Ok();
  });
}

Status TrashService::Restore(const Actor& a, const ItemRef& ref) {
  return store_.Write([&](Transaction& tx) -> Status {
    TrashDeltas deltas;
    LIMBO_RETURN_IF_ERROR(RestoreIn(tx, a, ref, deltas));
    deltas.ApplyTo(tx, a.workspace.id);
    return Ok();
  });
}

namespace {
ItemRef RefOf(const TrashItem& t) {
  ItemRef r;
  r.type = t.type;
  if (t.type == ItemType::kVersion) {
    r.id = std::to_string(t.version_number);
    r.parent_id = t.parent_project_id;
  } else {
    r.id = t.object_id;
  }
  return r;
}
}  // namespace

BatchResult TrashService::RunChunks(
    std::int64_t ws, const std::vector<ItemRef>& refs,
    const std::function<Status(Transaction&, std::size_t, std::size_t, std::vector<Status>&, TrashDeltas&)>& fn) {
  BatchResult out;
  constexpr std::size_t kChunk = 500;  // items per transaction; a failed item changes nothing
  for (std::size_t start = 0; start < refs.size(); start += kChunk) {
    std::size_t end = std::min(refs.size(), start + kChunk);
    std::vector<Status> outcomes;
    Status st = store_.Write([&](Transaction& tx) -> Status {
      outcomes.assign(end - start, Ok());
      TrashDeltas deltas;
      LIMBO_RETURN_IF_ERROR(fn(tx, start, end, outcomes, deltas));
      deltas.ApplyTo(tx, ws);
      return Ok();
    });
    for (std::size_t i = start; i < end; ++i) {
      if (!st) {
        out.failed.push_back(ItemOutcome{refs[i], st.error()});
      } else if (!outcomes[i - start]) {
        out.failed.push_back(ItemOutcome{refs[i], outcomes[i - start].error()});
      } else {
        out.done.push_back(ItemOutcome{refs[i], std::nullopt});
      }
    }
  }
  return out;
}

BatchResult TrashService::RunBatch(std::int64_t ws, std::vector<ItemRef> refs,
                                   const std::function<Status(Transaction&, std::size_t, TrashDeltas&)>& fn) {
  return RunChunks(ws, refs,
                   [&](Transaction& tx, std::size_t start, std::size_t end, std::vector<Status>& outcomes,
                       TrashDeltas& deltas) -> Status {
                     for (std::size_t i = start; i < end; ++i) outcomes[i - start] = fn(tx, i, deltas);
                     return Ok();
                   });
}

namespace {
// Projects first, then versions, trainings and workflows, so a project and its separately trashed
// versions and trainings come back together (T8, T16).
template <class T, class TypeOf>
void ProjectsFirst(std::vector<T>& v, TypeOf type_of) {
  auto before = [&](const T& x, const T& y) { return TypeOrder(type_of(x)) < TypeOrder(type_of(y)); };
  if (!std::is_sorted(v.begin(), v.end(), before)) std::stable_sort(v.begin(), v.end(), before);
}
}  // namespace

BatchResult TrashService::RestoreMany(const Actor& a, std::vector<ItemRef> refs) {
  ProjectsFirst(refs, [](const ItemRef& r) { return r.type; });
  return RunBatch(a.workspace.id, refs,
                  [&](Transaction& tx, std::size_t i, TrashDeltas& d) { return RestoreIn(tx, a, refs[i], d); });
}

Result<BatchResult> TrashService::RestoreAll(const Actor& a) {
  // The answer names every item in the Trash (those the caller may not restore as `forbidden`),
  // so it is a listing of the Trash and needs what listing needs.
  if (!a.Can(Permission::kViewTrash)) {
    return Error::Forbidden("Restore All needs the 'view_trash' permission; restore items by id instead.");
  }
  std::vector<TrashItem> items;
  LIMBO_RETURN_IF_ERROR(store_.Read([&](Transaction& tx) -> Status {
    items = tx.trash().InStateBrief(a.workspace.id, TrashState::kInTrash, 1000000);
    return Ok();
  }));
  ProjectsFirst(items, [](const TrashItem& t) { return t.type; });
  std::vector<ItemRef> refs;
  refs.reserve(items.size());
  for (const auto& t : items) refs.push_back(RefOf(t));
  // The rows were read before the batch: each chunk re-reads which are still in the Trash and answers
  // `not_in_trash` for the others.
  return RunChunks(a.workspace.id, refs,
                   [&](Transaction& tx, std::size_t start, std::size_t end, std::vector<Status>& outcomes,
                       TrashDeltas& d) -> Status {
                     // Items come sorted by type: each run of one type is restored set-based.
                     for (std::size_t i = start; i < end;) {
                       std::size_t j = i;
                       while (j < end && items[j].type == items[i].type) ++j;
                       LIMBO_RETURN_IF_ERROR(RestoreRunIn(tx, a, items, i, j, start, outcomes, d));
                       i = j;
                     }
                     return Ok();
                   });
}

Status TrashService::RestoreRunIn(Transaction& tx, const Actor& a, const std::vector<TrashItem>& items,
                                  std::size_t begin, std::size_t end, std::size_t first, std::vector<Status>& outcomes,
                                  TrashDeltas& deltas) {
  ItemType type = items[begin].type;
  auto outcome = [&](std::size_t i) -> Status& { return outcomes[i - first]; };
  if (Status allowed = RequireRestore(a, type); !allowed) {
    for (std::size_t i = begin; i < end; ++i) outcome(i) = allowed;
    return Ok();
  }
  if (type == ItemType::kTraining) {
    // A run's model may become its version's, which depends on the runs restored before it: one at
    // a time (runs in the Trash on their own are few).
    for (std::size_t i = begin; i < end; ++i) outcome(i) = RestoreItemIn(tx, a, items[i], std::nullopt, deltas);
    return Ok();
  }
  // The same rules as RestoreItemIn, decided for the whole run from a few reads in this transaction:
  // an item whose row left the Trash is `not_in_trash` (never a conflict with itself); then a url
  // taken by an active item (one restored before it in this run included) or a version's project in
  // the Trash refuses it; the others are restored with one statement per table.
  std::vector<std::int64_t> ids;
  std::vector<std::string> keys;  // urls (projects, workflows) or parent projects (versions)
  ids.reserve(end - begin);
  keys.reserve(end - begin);
  for (std::size_t i = begin; i < end; ++i) {
    ids.push_back(items[i].id);
    keys.push_back(type == ItemType::kVersion ? items[i].parent_project_id : items[i].url);
  }
  auto in_trash = tx.trash().InStateAmong(ids, TrashState::kInTrash);
  std::sort(in_trash.begin(), in_trash.end());
  std::vector<std::string> found;
  switch (type) {
    case ItemType::kProject:
      found = tx.projects().ActiveUrlsAmong(a.workspace.id, keys);  // taken urls
      break;
    case ItemType::kWorkflow:
      found = tx.workflows().ActiveUrlsAmong(a.workspace.id, keys);
      break;
    default:
      found = tx.projects().ActiveAmong(keys);  // active parents
      break;
  }
  std::sort(found.begin(), found.end());
  std::unordered_set<std::string> taken_here;  // urls of the items restored so far in this run
  std::vector<std::int64_t> restored_ids;
  std::vector<std::string> object_ids;
  std::vector<std::int64_t> version_ids;
  std::vector<AuditEvent> events;
  TimeMs now = clock_.Now();
  for (std::size_t i = begin; i < end; ++i) {
    const TrashItem& t = items[i];
    const std::string& key = keys[i - begin];
    if (!std::binary_search(in_trash.begin(), in_trash.end(), t.id)) {
      outcome(i) = NotInTrash(t.type);
      continue;
    }
    bool listed = std::binary_search(found.begin(), found.end(), key);
    if (type == ItemType::kVersion) {
      if (!listed) {
        outcome(i) = VersionParentInTrash();
        continue;
      }
      version_ids.push_back(std::stoll(t.object_id));
    } else {
      if (listed || !taken_here.insert(key).second) {
        outcome(i) = UrlConflict(t.type, key);
        continue;
      }
      object_ids.push_back(t.object_id);
    }
    restored_ids.push_back(t.id);
    events.push_back(MakeEvent(a, now, "restore", t));
    deltas.Add(t.type, -1, -t.size_bytes);
  }
  if (restored_ids.empty()) return Ok();
  // The compare-and-swap of the whole run (T14): this transaction has just read these rows in the
  // Trash, so all of them go; anything else means the rows changed under it, and nothing is kept.
  if (tx.trash().DeleteAll(a.workspace.id, restored_ids, TrashState::kInTrash) !=
      static_cast<std::int64_t>(restored_ids.size())) {
    return Error::Internal("The Trash changed during Restore All; nothing was restored. Try again.");
  }
  switch (type) {
    case ItemType::kProject:
      tx.projects().ClearTrash(object_ids);
      break;
    case ItemType::kWorkflow:
      tx.workflows().ClearTrash(object_ids);
      break;
    default:
      tx.versions().ClearTrash(version_ids);
      break;
  }
  tx.versions().RestartModelsStoppedByAny(restored_ids);
  // Which images a project or version brings back from the Trash is known only by a recount; a
  // workflow holds no stored bytes.
  if (type != ItemType::kWorkflow) deltas.reclaimable_changed = true;
  tx.audit().InsertAll(events);
  return Ok();
}

Status TrashService::StartPurgeIn(Transaction& tx, const Actor& a, const ItemRef& ref, const char* action) {
  LIMBO_RETURN_IF_ERROR(a.Require(Permission::kViewTrash));
  LIMBO_RETURN_IF_ERROR(RequireTrash(a, ref.type));
  LIMBO_TRY(TrashItem t, FindItem(tx, a, ref));
  if (!tx.trash().CasState(t.id, TrashState::kInTrash, TrashState::kPurging, a.user.id, a.user.name))
    return NotInTrash();
  tx.audit().Insert(MakeEvent(a, clock_.Now(), action, t));
  return Ok();
}

BatchResult TrashService::DeletePermanently(const Actor& a, std::vector<ItemRef> refs) {
  ProjectsFirst(refs, [](const ItemRef& r) { return r.type; });
  return RunBatch(a.workspace.id, refs, [&](Transaction& tx, std::size_t i, TrashDeltas&) {
    return StartPurgeIn(tx, a, refs[i], "delete_permanently");
  });
}

Result<BatchResult> TrashService::EmptyTrash(const Actor& a, const std::string& confirm) {
  LIMBO_RETURN_IF_ERROR(a.Require(Permission::kViewTrash));
  for (auto t : kAllTypes) LIMBO_RETURN_IF_ERROR(RequireTrash(a, t));
  if (confirm != a.workspace.url) {
    return Error::Invalid("Type the workspace url '" + a.workspace.url + "' in 'confirm' to empty the Trash.",
                          "confirmation_required");
  }
  std::vector<TrashItem> items;
  LIMBO_RETURN_IF_ERROR(store_.Read([&](Transaction& tx) -> Status {
    items = tx.trash().InStateBrief(a.workspace.id, TrashState::kInTrash, 1000000);
    return Ok();
  }));
  std::vector<ItemRef> refs;
  for (const auto& t : items) refs.push_back(RefOf(t));
  return RunBatch(a.workspace.id, refs, [&](Transaction& tx, std::size_t i, TrashDeltas&) {
    return StartPurgeIn(tx, a, refs[i], "empty_trash");
  });
}

Result<Page<AuditEvent>> TrashService::Audit(const Actor& a, int limit, std::optional<std::int64_t> before) {
  if (!a.Can(Permission::kViewTrash) && !a.Can(Permission::kManageMembers)) {
    return Error::Forbidden("Reading the audit log needs the 'view_trash' or 'manage_members' permission.");
  }
  Page<AuditEvent> out;
  LIMBO_RETURN_IF_ERROR(store_.Read([&](Transaction& tx) -> Status {
    int page_size = std::clamp(limit, 1, 500);
    out = PageOf(tx.audit().Page(a.workspace.id, page_size + 1, before), page_size);
    return Ok();
  }));
  return out;
}

Result<int> TrashService::Sweep(int limit) {
  TimeMs now = clock_.Now();
  int moved = 0;
  LIMBO_RETURN_IF_ERROR(store_.Write([&](Transaction& tx) -> Status {
    moved = 0;
    for (const auto& t : tx.trash().Expired(now, limit)) {
      if (!tx.trash().CasState(t.id, TrashState::kInTrash, TrashState::kPurging, "", "system")) continue;
      auto ws = tx.workspaces().ById(t.workspace_id);
      if (ws) tx.audit().Insert(MakeEvent(SystemActor(*ws), now, "auto_cleanup", t));
      ++moved;
    }
    return Ok();
  }));
  CountSweptItems(moved);
  return moved;
}

std::int64_t TrashService::DropUnsharedImages(Transaction& tx, const TrashItem& project,
                                              const std::vector<ImageRef>& imgs) {
  if (!project.cleanup_delete_images || imgs.empty()) return 0;
  // T12: each image's fate is decided now, at cleanup time, from the links that exist now.
  auto kept = tx.images().LinkedOutside(imgs, project.object_id);
  std::sort(kept.begin(), kept.end());
  std::vector<ImageRef> doomed;
  std::vector<std::string> shas;
  std::int64_t bytes = 0;
  for (const auto& img : imgs) {
    if (std::binary_search(kept.begin(), kept.end(), img.id)) continue;
    doomed.push_back(img);
    shas.push_back(img.sha256);
    bytes += img.size_bytes;
  }
  if (doomed.empty()) return 0;
  // The whole batch in a handful of statements: on a remote database a statement per image was
  // the cost of cleanup.
  tx.images().Delete(doomed);
  tx.workspaces().AddStorage(project.workspace_id, -bytes, -static_cast<std::int64_t>(doomed.size()));
  tx.blobs().EnqueueAll(tx.blobs().DropRefs(shas), clock_.Now());
  return bytes;
}

void TrashService::PurgeLinks(Transaction& tx, const TrashItem& project, const std::vector<ImageRef>& links,
                              bool version_links) {
  auto unlink = [&] {
    if (version_links) {
      tx.images().UnlinkFromVersionsOfProject(project.object_id, links);
    } else {
      tx.images().UnlinkFromProject(project.object_id, links);
    }
  };
  if (project.cleanup_delete_images) {
    // Without a classification: an image dropped here was linked only by this project and its
    // versions, all trashed with its images, so it was held only by the Trash and reclaimable; an
    // image kept here is linked by another project or one of its versions, and losing this
    // project's link changes neither (a link that is not active is trashed, and if all its other
    // links are of projects trashed with their images, one of those still makes it reclaimable).
    unlink();
    std::int64_t freed = DropUnsharedImages(tx, project, links);
    tx.workspaces().AddTrashHeld(project.workspace_id, TrashHeld{-freed, -freed});
    return;
  }
  // Otherwise the batch's images after it minus before it: an image only this project linked
  // stays in the Asset Library, active again; one it shared may become reclaimable by another.
  TrashHeld before = tx.images().TrashHeldAmong(links);
  unlink();
  tx.workspaces().AddTrashHeld(project.workspace_id, tx.images().TrashHeldAmong(links) - before);
}

Result<CleanupProgress> TrashService::CleanupStep(int batch) {
  auto progress = NextCleanupStep(batch);
  if (progress && progress->worked) CountCleanupBatch(progress->item_done);
  return progress;
}

Result<CleanupProgress> TrashService::NextCleanupStep(int batch) {
  std::optional<TrashItem> next;
  LIMBO_RETURN_IF_ERROR(store_.Read([&](Transaction& tx) -> Status {
    next = tx.trash().NextPurging();
    return Ok();
  }));
  if (!next) return CleanupProgress{};
  switch (next->type) {
    case ItemType::kProject:
      return PurgeProjectStep(*next, batch);
    case ItemType::kVersion:
      return PurgeVersionStep(*next, batch);
    case ItemType::kWorkflow:
      return PurgeWorkflow(*next);
    case ItemType::kTraining:
      return PurgeTraining(*next);
  }
  return CleanupProgress{};
}

namespace {

bool BackupHeld(Transaction& tx, const core::Clock& clock) {
  return tx.server().AnyLeaseHeld(kBackupLeasePrefix, clock.SystemNow());
}

// While a backup holds, the model files of purged jobs stay on disk: its snapshot may still list
// those jobs. They are orphans from then on, removed by RemoveOrphanedModels once no backup holds.
void KeepFilesForBackup(Transaction& tx, const core::Clock& clock, std::vector<std::string>& artifacts) {
  if (!artifacts.empty() && BackupHeld(tx, clock)) artifacts.clear();
}

}  // namespace

Result<CleanupProgress> TrashService::PurgeProjectStep(const TrashItem& item, int batch) {
  CleanupProgress progress;
  std::vector<std::string> artifacts;
  LIMBO_RETURN_IF_ERROR(store_.Write([&](Transaction& tx) -> Status {
    progress = CleanupProgress{};
    artifacts.clear();
    auto t = tx.trash().ById(item.id);
    if (!t || t->state != TrashState::kPurging) return Ok();  // another worker finished it
    const std::string& pid = t->object_id;
    progress.worked = true;
    auto links = tx.images().ProjectLinks(pid, batch);
    if (!links.empty()) {
      PurgeLinks(tx, *t, links, false);
      return Ok();
    }
    auto vlinks = tx.images().VersionLinksOfProject(pid, batch);
    if (!vlinks.empty()) {
      PurgeLinks(tx, *t, vlinks, true);
      return Ok();
    }
    // The rows that are left are few: versions, jobs, models, the project and the Trash rows.
    for (auto vid : tx.trash().VersionItemsOfProject(pid)) {
      auto vt = tx.trash().ById(vid);
      if (!vt) continue;
      if (tx.trash().Delete(vid, vt->state))
        tx.workspaces().AddTrashCount(t->workspace_id, ItemType::kVersion, -1, -vt->size_bytes);
    }
    DropTrainingItems(tx, *t, std::nullopt);
    // Its runs' model files were held only by the Trash. No image links it any more, so removing
    // its rows moves no image's figures.
    std::int64_t model_bytes = tx.jobs().ModelBytesOfProject(pid);
    tx.workspaces().AddStorage(t->workspace_id, -model_bytes, 0);
    tx.workspaces().AddTrashHeld(t->workspace_id, TrashHeld{-model_bytes, -model_bytes});
    artifacts = tx.versions().DeleteAllOfProject(pid);
    KeepFilesForBackup(tx, clock_, artifacts);
    tx.projects().Delete(pid);
    tx.trash().Delete(t->id, TrashState::kPurging);
    tx.workspaces().AddTrashCount(t->workspace_id, ItemType::kProject, -1, -t->size_bytes);
    progress.item_done = true;
    return Ok();
  }));
  for (const auto& job_id : artifacts) artifacts_.Remove(job_id);
  return progress;
}

Result<CleanupProgress> TrashService::PurgeVersionStep(const TrashItem& item, int batch) {
  CleanupProgress progress;
  std::vector<std::string> artifacts;
  LIMBO_RETURN_IF_ERROR(store_.Write([&](Transaction& tx) -> Status {
    progress = CleanupProgress{};
    artifacts.clear();
    auto t = tx.trash().ById(item.id);
    if (!t || t->state != TrashState::kPurging) return Ok();
    progress.worked = true;
    std::int64_t vid = std::stoll(t->object_id);
    auto links = tx.images().VersionLinks(vid, batch);
    if (!links.empty()) {
      // An image only this version linked stays in the Asset Library, active again.
      TrashHeld before = tx.images().TrashHeldAmong(links);
      tx.images().UnlinkFromVersion(vid, links);
      tx.workspaces().AddTrashHeld(t->workspace_id, tx.images().TrashHeldAmong(links) - before);
      return Ok();
    }
    DropTrainingItems(tx, *t, t->version_number);
    std::int64_t model_bytes = tx.jobs().ModelBytesOfVersion(vid);
    tx.workspaces().AddStorage(t->workspace_id, -model_bytes, 0);
    tx.workspaces().AddTrashHeld(t->workspace_id, TrashHeld{-model_bytes, -model_bytes});
    artifacts = tx.versions().Delete(vid);
    KeepFilesForBackup(tx, clock_, artifacts);
    tx.trash().Delete(t->id, TrashState::kPurging);
    tx.workspaces().AddTrashCount(t->workspace_id, ItemType::kVersion, -1, -t->size_bytes);
    progress.item_done = true;
    return Ok();
  }));
  for (const auto& job_id : artifacts) artifacts_.Remove(job_id);
  return progress;
}

Result<CleanupProgress> TrashService::PurgeWorkflow(const TrashItem& item) {
  CleanupProgress progress;
  LIMBO_RETURN_IF_ERROR(store_.Write([&](Transaction& tx) -> Status {
    progress = CleanupProgress{};
    auto t = tx.trash().ById(item.id);
    if (!t || t->state != TrashState::kPurging) return Ok();
    tx.workflows().Delete(t->object_id);
    tx.trash().Delete(t->id, TrashState::kPurging);
    tx.workspaces().AddTrashCount(t->workspace_id, ItemType::kWorkflow, -1, -t->size_bytes);
    progress.worked = progress.item_done = true;
    return Ok();
  }));
  return progress;
}

void TrashService::DropTrainingItems(Transaction& tx, const TrashItem& parent, std::optional<int> version_number) {
  const std::string& pid = parent.type == ItemType::kProject ? parent.object_id : parent.parent_project_id;
  for (auto id : tx.trash().TrainingItemsOf(pid, version_number)) {
    auto tt = tx.trash().ById(id);
    if (!tt) continue;
    if (tx.trash().Delete(id, tt->state))
      tx.workspaces().AddTrashCount(parent.workspace_id, ItemType::kTraining, -1, -tt->size_bytes);
  }
}

// Rows first, the model file after the commit: a crash in between leaves a file without its job,
// which `limbod fsck` reports and `fsck --repair` removes (docs/TRASH.md, "Crash safety"). Job ids
// are never reused, so nothing can come to reference the file again.
Result<CleanupProgress> TrashService::PurgeTraining(const TrashItem& item) {
  CleanupProgress progress;
  std::optional<std::string> artifact;
  LIMBO_RETURN_IF_ERROR(store_.Write([&](Transaction& tx) -> Status {
    progress = CleanupProgress{};
    artifact.reset();
    auto t = tx.trash().ById(item.id);
    if (!t || t->state != TrashState::kPurging) return Ok();
    if (auto job = tx.jobs().ById(t->workspace_id, t->object_id)) {
      auto v = tx.versions().ById(job->version_id);
      if (v && v->model && v->model->job_id == job->id) tx.versions().DeleteModel(v->id);
      tx.jobs().Delete(job->id);
      tx.workspaces().AddStorage(t->workspace_id, -job->model_bytes, 0);
      tx.workspaces().AddTrashHeld(t->workspace_id, TrashHeld{-job->model_bytes, -job->model_bytes});
      artifact = job->id;
      if (BackupHeld(tx, clock_)) artifact.reset();
    }
    tx.trash().Delete(t->id, TrashState::kPurging);
    tx.workspaces().AddTrashCount(t->workspace_id, ItemType::kTraining, -1, -t->size_bytes);
    progress.worked = progress.item_done = true;
    return Ok();
  }));
  if (artifact) artifacts_.Remove(*artifact);
  return progress;
}

Result<int> TrashService::CollectBlobs(int limit) {
  TimeMs now = clock_.Now();
  // 1. Claim a batch of due, unreferenced rows in one short transaction. From its commit on, no
  //    upload relies on these objects or references them until their rows are gone (T13).
  std::string claim = core::RandomToken(12);
  std::vector<std::string> claimed;
  LIMBO_RETURN_IF_ERROR(store_.Write([&](Transaction& tx) -> Status {
    claimed.clear();
    // A backup in progress may be copying files its snapshot references (domain/backup_hold.h).
    if (BackupHeld(tx, clock_)) return Ok();
    // Claims older than kBlobClaimMs are a collector's that died before it deleted its rows.
    auto due = tx.blobs().Due(now, now - kBlobClaimMs, limit);
    auto referenced = tx.blobs().ReferencedAmong(due);
    std::sort(referenced.begin(), referenced.end());
    for (const auto& sha : due) {
      if (!std::binary_search(referenced.begin(), referenced.end(), sha)) claimed.push_back(sha);
    }
    tx.blobs().DequeueAll(referenced);
    tx.blobs().Claim(claimed, claim, now);
    return Ok();
  }));
  if (claimed.empty()) return 0;
  // 2. The objects go with no transaction open, so writers do not wait for the blob store. One call
  //    for the batch: an object store removes up to a thousand objects per request. When it fails,
  //    the claims stay and the rows are claimed again once kBlobClaimMs has passed (a request the
  //    store may still be carrying out cannot then remove an object written after it).
  LIMBO_RETURN_IF_ERROR(CountedBlobStatus("remove", blobs_.RemoveMany(claimed)));
  // 3. The rows after their objects (T13), those still under this claim.
  int removed = 0;
  LIMBO_RETURN_IF_ERROR(store_.Write([&](Transaction& tx) -> Status {
    removed = tx.blobs().DequeueClaimed(claimed, claim);
    return Ok();
  }));
  CountBlobsCollected(removed);
  return removed;
}

}  // namespace limbo::domain
