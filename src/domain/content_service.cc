#include "domain/content_service.h"

#include <algorithm>
#include <array>
#include <chrono>
#include <cstring>
#include <thread>

#include "core/crypto.h"
#include "core/image_info.h"
#include "core/slug.h"
#include "domain/process_metrics.h"

namespace limbo::domain {

using core::Error;
using core::Fail;
using core::Ok;
using core::Result;
using core::Status;

namespace {

Status ValidateText(const std::string& field, const std::string& v, std::size_t max = 200) {
  if (v.empty() || v.size() > max) {
    return Error::Invalid("Field '" + field + "' must be 1 to " + std::to_string(max) + " characters.");
  }
  return Ok();
}

Result<std::string> ChooseUrl(const std::optional<std::string>& url, const std::string& name) {
  std::string slug = url ? *url : core::Slugify(name);
  if (!core::IsValidSlug(slug)) {
    return Error::Invalid(url ? "Field 'url' must be 1-64 characters of a-z, 0-9 and '-', starting and ending "
                                "with a letter or digit."
                              : "Field 'name' must contain at least one letter or digit.");
  }
  if (core::IsReservedSlug(slug)) {
    return Error::Invalid("'" + slug + "' is a reserved word and cannot be used as a url.", "reserved_url");
  }
  return slug;
}

Error InTrash(const std::string& what) {
  return Error::NotFound(what + " is in the Trash.", "in_trash")
      .WithHint("Restore it from the workspace Trash to use it again.");
}

}  // namespace

bool IsProjectType(const std::string& type) {
  static constexpr std::array<std::string_view, 6> kTypes = {
      "object-detection",      "single-label-classification", "multi-label-classification",
      "instance-segmentation", "semantic-segmentation",       "keypoint-detection"};
  return std::find(kTypes.begin(), kTypes.end(), type) != kTypes.end();
}

Result<Project> ContentService::ActiveProject(Transaction& tx, const Actor& a, const std::string& url) {
  // The usual case in one index entry; only a miss asks whether the url is in the Trash.
  if (auto active = tx.projects().ActiveByUrl(a.workspace.id, url)) return *active;
  auto p = tx.projects().ByUrl(a.workspace.id, url);
  if (!p) return Error::NotFound("Project '" + url + "' was not found.");
  if (p->trash_item_id) return InTrash("Project '" + url + "'");
  return *p;
}

Result<Version> ContentService::ActiveVersion(Transaction& tx, const Project& p, int number) {
  auto v = tx.versions().ByNumber(p.id, number);
  if (!v) return Error::NotFound("Version " + std::to_string(number) + " of '" + p.url + "' was not found.");
  if (v->trash_item_id) return InTrash("Version " + std::to_string(number) + " of '" + p.url + "'");
  return *v;
}

Result<std::vector<Project>> ContentService::ListProjects(const Actor& a) {
  std::vector<Project> out;
  LIMBO_RETURN_IF_ERROR(store_.Read([&](Transaction& tx) -> Status {
    out = tx.projects().Active(a.workspace.id);
    return Ok();
  }));
  return out;
}

Result<Project> ContentService::CreateProject(const Actor& a, const NewProject& np) {
  LIMBO_RETURN_IF_ERROR(a.Require(Permission::kCreateProject));
  LIMBO_RETURN_IF_ERROR(ValidateText("name", np.name));
  if (!IsProjectType(np.type)) {
    return Error::Invalid(
        "Field 'type' must be one of object-detection, single-label-classification, "
        "multi-label-classification, instance-segmentation, semantic-segmentation, "
        "keypoint-detection.");
  }
  LIMBO_RETURN_IF_ERROR(ValidateText("annotation", np.annotation));
  LIMBO_TRY(std::string url, ChooseUrl(np.url, np.name));
  TimeMs now = clock_.Now();
  Project p;
  p.id = "p_" + core::RandomToken(10);
  p.workspace_id = a.workspace.id;
  p.url = url;
  p.name = np.name;
  p.type = np.type;
  p.annotation = np.annotation;
  p.created_at = p.updated_at = now;
  p.created_by = a.user.id;
  LIMBO_RETURN_IF_ERROR(store_.Write([&](Transaction& tx) -> Status {
    if (np.group) {
      auto g = tx.groups().ById(a.workspace.id, *np.group);
      if (!g) return Error::Invalid("Group '" + *np.group + "' does not exist in this workspace.");
      p.group_id = g->id;
      p.group_name = g->name;
    }
    if (tx.projects().ActiveUrlTaken(a.workspace.id, url)) {
      return Error::Conflict("A project with url '" + url + "' already exists.", "url_taken")
          .WithHint("Pass another 'url'.");
    }
    tx.projects().Insert(p);
    return Ok();
  }));
  return p;
}

Result<Project> ContentService::GetProject(const Actor& a, const std::string& url) {
  std::optional<Project> out;
  LIMBO_RETURN_IF_ERROR(store_.Read([&](Transaction& tx) -> Status {
    LIMBO_TRY(out, ActiveProject(tx, a, url));
    return Ok();
  }));
  return *out;
}

Result<ProjectDetail> ContentService::GetProjectDetail(const Actor& a, const std::string& url) {
  ProjectDetail d;
  LIMBO_RETURN_IF_ERROR(store_.Read([&](Transaction& tx) -> Status {
    LIMBO_TRY(d.project, ActiveProject(tx, a, url));
    d.versions = tx.versions().Active(d.project.id);
    return Ok();
  }));
  return d;
}

Result<UploadResult> ContentService::Upload(const Actor& a, const std::string& project_url, const std::string& name_in,
                                            std::string_view bytes, std::string_view declared_type) {
  return Upload(a, project_url, name_in, UploadBody{bytes, nullptr}, declared_type);
}

Result<UploadResult> ContentService::UploadFile(const Actor& a, const std::string& project_url,
                                                const std::string& name_in, const UploadedFile& file,
                                                std::string_view declared_type) {
  return Upload(a, project_url, name_in, UploadBody{{}, &file}, declared_type);
}

// One path for both kinds of body: only reading the bytes' signature and header, hashing them and
// writing the blob differ between bytes in memory and a file.
Result<UploadResult> ContentService::Upload(const Actor& a, const std::string& project_url, const std::string& name_in,
                                            const UploadBody& body, std::string_view declared_type) {
  LIMBO_RETURN_IF_ERROR(a.Require(Permission::kUploadImages));
  const UploadedFile* file = body.file;
  std::uint64_t size = file ? file->size : body.bytes.size();
  if (size > kMaxUploadBytes) {
    return Error{core::ErrorKind::kTooLarge, "payload_too_large", "Images may be at most 32 MiB.", {}};
  }
  // The declared type is checked against the signature first: a file sent as one type that is another
  // is refused as such, before its header's claims (its size) are believed.
  LIMBO_RETURN_IF_ERROR(CheckDeclaredType(
      file ? core::DetectImageFileFormat(file->path) : core::DetectImageFormat(body.bytes.substr(0, 8)),
      declared_type));
  LIMBO_TRY(core::ImageInfo info, file ? core::InspectImageFile(file->path, max_image_pixels_)
                                       : core::InspectImage(body.bytes, max_image_pixels_));
  std::string sha = file ? file->sha256 : core::Sha256Hex(body.bytes);
  return StoreUpload(a, project_url, name_in, sha, static_cast<std::int64_t>(size), info, [&] {
    return CountedBlobStatus("put", file ? blobs_.PutFile(sha, file->path) : blobs_.Put(sha, body.bytes));
  });
}

// When the client named an image type and the bytes carry another format's signature, it must be
// the one they are. Bytes with no known signature are left to InspectImage (unsupported_media_type).
Status ContentService::CheckDeclaredType(const std::string& format, std::string_view declared_type) {
  auto declared = core::ImageFormatOfMediaType(declared_type);
  if (!declared || format.empty() || *declared == format) return Ok();
  std::string sent(declared_type.substr(0, std::min<std::size_t>(declared_type.find(';'), 64)));
  std::string actual = core::MediaTypeOfImageFormat(format);
  return Error{core::ErrorKind::kUnsupported, "image_type_mismatch",
               "The upload was sent as " + sent + " but it is a " + actual + " image.",
               "Send it with Content-Type " + actual +
                   " (or application/octet-stream), or give the file the extension of its type."};
}

Result<UploadResult> ContentService::StoreUpload(const Actor& a, const std::string& project_url,
                                                 const std::string& name_in, const std::string& sha, std::int64_t size,
                                                 const core::ImageInfo& info, const std::function<Status()>& put) {
  std::string name = name_in.empty() ? "image." + info.format : name_in;
  LIMBO_RETURN_IF_ERROR(ValidateText("name", name, 255));
  TimeMs now = clock_.Now();

  // No blob-store request runs inside a transaction (T13, storage/sql/blobs.cc). The object is
  // written with its queue row already committed, so a write that fails or a transaction that rolls
  // back leaves at most a queued object, never an orphan. An object whose queue row a collection has
  // claimed may vanish at any moment: the upload waits for that collection to delete the row and
  // writes the object again. The collector may also claim the row of step 1 once its grace period
  // has passed, before step 3 runs; step 3 then finds the row's entry token changed, writes nothing,
  // and the upload starts over from step 1. The grace period is minutes long, so a second round is
  // rare and a third one unheard of.
  int waited_ms = 0;
  for (int round = 0; round < 3;) {
    // 1. Announce the object before it exists, so a crash between writing it and committing its row
    //    leaves it on the collection queue instead of orphaned in the store (T13).
    bool blob_known = false;
    bool being_collected = false;
    std::string entry;
    LIMBO_RETURN_IF_ERROR(store_.Write([&](Transaction& tx) -> Status {
      entry.clear();
      LIMBO_TRY(Project p, ActiveProject(tx, a, project_url));
      (void)p;
      blob_known = tx.blobs().Referenced(sha);
      auto queued = tx.blobs().QueueEntry(sha);
      being_collected = queued && queued->claim;
      if (being_collected || blob_known) return Ok();
      entry = queued && queued->entry ? *queued->entry : core::RandomToken(12);
      tx.blobs().Announce(sha, now + kUploadGraceMs, entry);
      return Ok();
    }));
    if (being_collected) {
      // A collection is removing the object of these bytes: it deletes the row once the object is
      // gone (seconds), or its claim lapses (kBlobClaimMs) and the next collection does.
      if (waited_ms >= kUploadCollectionWaitMs) break;
      int pause = std::min(20 + waited_ms / 4, 500);
      std::this_thread::sleep_for(std::chrono::milliseconds(pause));
      waited_ms += pause;
      now = clock_.Now();
      continue;
    }
    ++round;
    // 2. The bytes, written atomically.
    if (!blob_known) LIMBO_RETURN_IF_ERROR(put());

    // 3. The row, if the object is still there: referenced (a reference is only ever added to an
    //    object no collection claims, and a claimed object has none), or written in step 2 under
    //    an entry token no claim has changed since. Otherwise nothing is written and the upload
    //    starts over.
    UploadResult out;
    bool collected = false;
    LIMBO_RETURN_IF_ERROR(store_.Write([&](Transaction& tx) -> Status {
      collected = false;
      LIMBO_TRY(Project p, ActiveProject(tx, a, project_url));
      auto existing = tx.images().BySha(a.workspace.id, sha);
      if (existing) {
        out.duplicate = true;
        out.image = *existing;
      } else {
        auto ws = tx.workspaces().ById(a.workspace.id);
        Usage u = tx.workspaces().GetUsage(a.workspace.id);
        if (ws && u.storage_bytes + size > ws->storage_quota_bytes) {
          return Error::Forbidden("This upload would pass the workspace's storage quota.", "storage_quota_exceeded")
              .WithHint("Free space by permanently deleting items from the Trash, or raise the quota.");
        }
        bool referenced = tx.blobs().Referenced(sha);
        auto queued = tx.blobs().QueueEntry(sha);
        bool ours = !entry.empty() && queued && queued->entry == entry;
        if ((queued && queued->claim) || (!referenced && !ours)) {
          collected = true;
          return Ok();
        }
        Image img;
        img.id = "i_" + core::RandomToken(12);
        img.workspace_id = a.workspace.id;
        img.name = name;
        img.sha256 = sha;
        img.size_bytes = size;
        img.width = info.width;
        img.height = info.height;
        img.created_at = now;
        tx.images().Insert(img);
        tx.blobs().AddRef(sha, size);
        tx.blobs().Dequeue(sha);
        tx.workspaces().AddStorage(a.workspace.id, size, 1);
        out.image = img;
      }
      ImageRef ref{out.image.id, sha, out.image.size_bytes};
      // A new image is active; an existing one linked again may stop being held only by the Trash.
      TrashHeld before = out.duplicate ? tx.images().TrashHeldAmong({ref}) : TrashHeld{};
      if (tx.images().Link(p.id, ref) && out.duplicate) {
        tx.workspaces().AddTrashHeld(a.workspace.id, tx.images().TrashHeldAmong({ref}) - before);
      }
      out.image = *tx.images().ById(a.workspace.id, out.image.id);
      return Ok();
    }));
    if (!collected) return out;
    now = clock_.Now();
  }
  return Error{core::ErrorKind::kUnavailable,
               "upload_collected",
               "The upload's file was collected before it could be recorded; send it again.",
               {}};
}

Result<int> ContentService::LinkImages(const Actor& a, const std::string& project_url,
                                       const std::vector<std::string>& ids) {
  LIMBO_RETURN_IF_ERROR(a.Require(Permission::kUploadImages));
  if (ids.size() > 10000) return Error::Invalid("Link at most 10000 images per request.");
  int linked = 0;
  LIMBO_RETURN_IF_ERROR(store_.Write([&](Transaction& tx) -> Status {
    linked = 0;
    LIMBO_TRY(Project p, ActiveProject(tx, a, project_url));
    std::vector<ImageRef> refs;
    refs.reserve(ids.size());
    for (const auto& id : ids) {
      auto img = tx.images().ById(a.workspace.id, id);
      if (!img) return Error::NotFound("Image '" + id + "' was not found.");
      refs.push_back(ImageRef{img->id, img->sha256, img->size_bytes});
    }
    // A link from an active project makes an image held only by the Trash active again.
    TrashHeld before = tx.images().TrashHeldAmong(refs);
    for (const auto& ref : refs) {
      if (tx.images().Link(p.id, ref)) ++linked;
    }
    if (linked > 0) tx.workspaces().AddTrashHeld(a.workspace.id, tx.images().TrashHeldAmong(refs) - before);
    return Ok();
  }));
  return linked;
}

Result<Page<Image>> ContentService::ListImages(const Actor& a, const std::optional<std::string>& project_url, int limit,
                                               const std::optional<std::string>& after) {
  Page<Image> out;
  LIMBO_RETURN_IF_ERROR(store_.Read([&](Transaction& tx) -> Status {
    ImagePageQuery q;
    q.workspace_id = a.workspace.id;
    int page_size = std::clamp(limit, 1, 1000);
    q.limit = page_size + 1;
    q.after_id = after;
    if (project_url) {
      LIMBO_TRY(Project p, ActiveProject(tx, a, *project_url));
      q.project_id = p.id;
    }
    out = PageOf(tx.images().Page(q), page_size);
    return Ok();
  }));
  return out;
}

Result<Image> ContentService::GetImage(const Actor& a, const std::string& id) {
  std::optional<Image> out;
  LIMBO_RETURN_IF_ERROR(store_.Read([&](Transaction& tx) -> Status {
    out = tx.images().ById(a.workspace.id, id);
    return Ok();
  }));
  if (!out) return Error::NotFound("Image '" + id + "' was not found.");
  return *out;
}

Result<std::string> ContentService::ImageContent(const Actor& a, const std::string& id) {
  LIMBO_TRY(Image img, GetImage(a, id));
  return CountedBlobResult("get", blobs_.Get(img.sha256));
}

namespace {
// The first bytes (already read to tell the media type), then the rest of the inner reader.
class PrefixedReader final : public BlobReader {
 public:
  PrefixedReader(std::string head, std::unique_ptr<BlobReader> rest) : head_(std::move(head)), rest_(std::move(rest)) {}
  Result<std::size_t> Read(char* buf, std::size_t max) override {
    if (off_ < head_.size()) {
      std::size_t n = std::min(max, head_.size() - off_);
      std::memcpy(buf, head_.data() + off_, n);
      off_ += n;
      return n;
    }
    return rest_->Read(buf, max);
  }

 private:
  std::string head_;
  std::size_t off_ = 0;
  std::unique_ptr<BlobReader> rest_;
};

// Reads up to `n` bytes (fewer only at the end).
Result<std::string> ReadHead(BlobReader& r, std::size_t n) {
  std::string head(n, '\0');
  std::size_t got = 0;
  while (got < n) {
    LIMBO_TRY(std::size_t k, r.Read(head.data() + got, n - got));
    if (k == 0) break;
    got += k;
  }
  head.resize(got);
  return head;
}

std::string MediaTypeOf(std::string_view first_bytes) {
  std::string format = core::DetectImageFormat(first_bytes);
  return core::MediaTypeOfImageFormat(format.empty() ? "bmp" : format);  // every upload is one of the four
}
}  // namespace

Result<ImageBytes> ContentService::OpenImageContent(const Image& img, std::uint64_t offset, std::uint64_t length) {
  constexpr std::size_t kSniff = 16;  // enough for every signature DetectImageFormat knows
  ImageBytes out;
  if (offset == 0 && length >= kSniff) {
    LIMBO_TRY(auto reader, CountedBlobResult("get", blobs_.OpenRange(img.sha256, 0, length)));
    LIMBO_TRY(std::string head, CountedBlobResult("get", ReadHead(*reader, kSniff)));
    out.media_type = MediaTypeOf(head);
    out.reader = std::make_unique<PrefixedReader>(std::move(head), std::move(reader));
    return out;
  }
  // A range further in, a short one, or none: the signature is read on its own first.
  {
    LIMBO_TRY(auto sniff, CountedBlobResult("get", blobs_.OpenRange(img.sha256, 0, kSniff)));
    LIMBO_TRY(std::string head, CountedBlobResult("get", ReadHead(*sniff, kSniff)));
    out.media_type = MediaTypeOf(head);
  }
  if (length > 0) {
    LIMBO_TRY(out.reader, CountedBlobResult("get", blobs_.OpenRange(img.sha256, offset, length)));
  } else {
    out.reader = std::make_unique<StringBlobReader>("");
  }
  return out;
}

Result<Version> ContentService::GenerateVersion(const Actor& a, const std::string& project_url,
                                                const std::optional<std::string>& name) {
  LIMBO_RETURN_IF_ERROR(a.Require(Permission::kGenerateVersion));
  if (name) LIMBO_RETURN_IF_ERROR(ValidateText("name", *name));
  Version v;
  TimeMs now = clock_.Now();
  LIMBO_RETURN_IF_ERROR(store_.Write([&](Transaction& tx) -> Status {
    LIMBO_TRY(Project p, ActiveProject(tx, a, project_url));
    v = Version{};
    v.project_id = p.id;
    v.number = tx.projects().TakeVersionNumber(p.id);
    v.name = name ? *name : std::string("v").append(std::to_string(v.number));
    v.created_at = now;
    v.id = tx.versions().InsertWithSnapshot(v);
    return Ok();
  }));
  return v;
}

Result<Version> ContentService::GetVersion(const Actor& a, const std::string& project_url, int number) {
  std::optional<Version> out;
  LIMBO_RETURN_IF_ERROR(store_.Read([&](Transaction& tx) -> Status {
    LIMBO_TRY(Project p, ActiveProject(tx, a, project_url));
    LIMBO_TRY(out, ActiveVersion(tx, p, number));
    return Ok();
  }));
  return *out;
}

Result<std::vector<Workflow>> ContentService::ListWorkflows(const Actor& a) {
  std::vector<Workflow> out;
  LIMBO_RETURN_IF_ERROR(store_.Read([&](Transaction& tx) -> Status {
    out = tx.workflows().Active(a.workspace.id);
    return Ok();
  }));
  return out;
}

Result<Workflow> ContentService::CreateWorkflow(const Actor& a, const NewWorkflow& nw) {
  LIMBO_RETURN_IF_ERROR(a.Require(Permission::kManageWorkflows));
  LIMBO_RETURN_IF_ERROR(ValidateText("name", nw.name));
  LIMBO_TRY(std::string url, ChooseUrl(nw.url, nw.name));
  if (nw.config_json.size() > 256 * 1024) return Error::Invalid("Field 'config' is larger than 256 KiB.");
  Workflow w;
  w.id = "w_" + core::RandomToken(10);
  w.workspace_id = a.workspace.id;
  w.url = url;
  w.name = nw.name;
  w.config_json = nw.config_json;
  w.created_at = clock_.Now();
  w.created_by = a.user.id;
  LIMBO_RETURN_IF_ERROR(store_.Write([&](Transaction& tx) -> Status {
    if (tx.workflows().ActiveUrlTaken(a.workspace.id, url)) {
      return Error::Conflict("A workflow with url '" + url + "' already exists.", "url_taken");
    }
    tx.workflows().Insert(w);
    return Ok();
  }));
  return w;
}

Result<Workflow> ContentService::GetWorkflow(const Actor& a, const std::string& url) {
  std::optional<Workflow> out;
  LIMBO_RETURN_IF_ERROR(store_.Read([&](Transaction& tx) -> Status {
    out = tx.workflows().ByUrl(a.workspace.id, url);
    return Ok();
  }));
  if (!out) return Error::NotFound("Workflow '" + url + "' was not found.");
  if (out->trash_item_id) return InTrash("Workflow '" + url + "'");
  return *out;
}

UsageReport MakeUsageReport(const Usage& usage, std::int64_t quota, const TrashHeld& held, bool stale) {
  UsageReport r;
  r.usage = usage;
  r.usage.storage_bytes = std::max<std::int64_t>(usage.storage_bytes, 0);
  r.storage_quota_bytes = quota;
  r.trash_only_bytes = std::clamp<std::int64_t>(held.trash_only, 0, r.usage.storage_bytes);
  r.reclaimable_bytes = std::clamp<std::int64_t>(held.reclaimable, 0, r.trash_only_bytes);
  r.active_bytes = r.usage.storage_bytes - r.trash_only_bytes;
  r.figures_stale = stale;
  return r;
}

Result<UsageReport> ContentService::GetUsage(const Actor& a) { return Figures(a.workspace.id); }

Result<UsageReport> ContentService::Figures(std::int64_t workspace_id) {
  UsageReport r;
  LIMBO_RETURN_IF_ERROR(store_.Read([&](Transaction& tx) -> Status {
    // One snapshot, one row: the total and the split are read together.
    auto figures = tx.workspaces().Figures(workspace_id);
    StoredFigures f = figures.value_or(StoredFigures{});
    const Usage& u = f.usage;
    const ReclaimableState& rs = f.reclaimable;
    TrashHeld held = rs.held;
    bool stale = false;
    if (!rs.fresh()) {
      if (u.image_count <= exact_figures_images_) {
        held = u.trash_items > 0 ? tx.workspaces().RecountTrashHeld(workspace_id) : TrashHeld{};
      } else {
        stale = true;
      }
    }
    r = MakeUsageReport(u, f.storage_quota_bytes, held, stale);
    return Ok();
  }));
  return r;
}

Result<int> ContentService::RefreshReclaimable(int limit) {
  std::vector<std::int64_t> stale;
  LIMBO_RETURN_IF_ERROR(store_.Read([&](Transaction& tx) -> Status {
    stale = tx.workspaces().StaleReclaimable(limit);
    return Ok();
  }));
  for (auto ws : stale) {
    // Recounted on a snapshot together with the stored figures it replaces; stored only if no
    // inexact change came since (the generation guards it), keeping the exact ones that did.
    ReclaimableState seen;
    TrashHeld recount;
    bool done = false;
    LIMBO_RETURN_IF_ERROR(store_.Read([&](Transaction& tx) -> Status {
      seen = tx.workspaces().GetReclaimable(ws);
      done = seen.fresh();  // another server's recount was stored since the list was read
      if (done) return Ok();
      recount = tx.workspaces().GetUsage(ws).trash_items > 0 ? tx.workspaces().RecountTrashHeld(ws) : TrashHeld{};
      return Ok();
    }));
    if (done) continue;
    LIMBO_RETURN_IF_ERROR(store_.Write([&](Transaction& tx) -> Status {
      tx.workspaces().StoreReclaimable(ws, recount, seen);
      return Ok();
    }));
  }
  return static_cast<int>(stale.size());
}

}  // namespace limbo::domain
