#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/image_info.h"
#include "core/result.h"
#include "domain/actor.h"
#include "domain/blob_store.h"
#include "domain/store.h"

namespace limbo::domain {

struct NewProject {
  std::string name;
  std::string type;
  std::string annotation;
  std::optional<std::string> group;  // group id
  std::optional<std::string> url;
};

struct ProjectDetail {
  Project project;
  std::vector<Version> versions;
};

struct UploadResult {
  Image image;
  bool duplicate = false;  // the bytes were already in the Asset Library
};

// An upload the server streamed to disk: `path` holds `size` bytes whose SHA-256 is `sha256`.
struct UploadedFile {
  std::string path;
  std::uint64_t size = 0;
  std::string sha256;
};

// An image's bytes on their way to a client.
struct ImageBytes {
  std::string media_type;              // image/png, image/jpeg, image/gif or image/bmp
  std::unique_ptr<BlobReader> reader;  // the range asked for
};

// An upload's bytes: in memory, or (when `file` is set) in a file the server streamed them to.
struct UploadBody {
  std::string_view bytes;
  const UploadedFile* file = nullptr;
};

struct NewWorkflow {
  std::string name;
  std::optional<std::string> url;
  std::string config_json = "{}";
};

// The storage figures of a workspace (docs/TRASH.md, "Storage figures"). In every report:
// active_bytes + trash_only_bytes == usage.storage_bytes, reclaimable_bytes <= trash_only_bytes, and
// none is negative or above usage.storage_bytes.
struct UsageReport {
  Usage usage;  // usage.storage_bytes: every stored image once, plus model files (the quota's figure)
  std::int64_t storage_quota_bytes = 0;
  std::int64_t active_bytes = 0;       // held by anything not in the Trash, the Asset Library included
  std::int64_t trash_only_bytes = 0;   // held only by items in the Trash
  std::int64_t reclaimable_bytes = 0;  // what Empty Trash would free now
  // The split was not recounted since a change it does not follow exactly (large workspaces only):
  // the total is exact, the split is the last recount plus the exact changes since, clamped.
  bool figures_stale = false;
};

// The report for `storage_bytes` and a split that may be stale: the split is clamped to the total
// (trash-only within [0, total], reclaimable within [0, trash-only]) and active is the rest.
UsageReport MakeUsageReport(const Usage& usage, std::int64_t quota, const TrashHeld& held, bool stale);

// Up to this many images, the split is recounted on every read while it is stale; above, the
// background worker recounts it, so that a usage read stays a row read.
inline constexpr std::int64_t kExactReclaimableImages = 2000;

inline constexpr std::size_t kMaxUploadBytes = 32 * 1024 * 1024;
// A new upload's blob file is collected this long after an interrupted upload left it behind.
inline constexpr TimeMs kUploadGraceMs = 10 * 60 * core::kSecondMs;
// A collection's claim on its batch of queue rows lapses after this long (its collector died), and
// another collection may claim them again. Above the longest the blob store's client may spend on
// one removal (an S3 request: 4 attempts of at most 5 minutes each), so that no request of a
// collector still alive can remove an object written after another collection finished.
inline constexpr TimeMs kBlobClaimMs = 30 * 60 * core::kSecondMs;
// How long an upload waits for a collection that claimed its bytes' object to finish.
inline constexpr int kUploadCollectionWaitMs = 60 * 1000;

bool IsProjectType(const std::string& type);

// Projects, the Asset Library, versions and workflows. Thread-safe.
class ContentService {
 public:
  ContentService(Store& store, BlobStore& blobs, const core::Clock& clock)
      : store_(store), blobs_(blobs), clock_(clock) {}

  core::Result<std::vector<Project>> ListProjects(const Actor& a);
  core::Result<Project> CreateProject(const Actor& a, const NewProject& p);
  // An active project; a trashed one answers 404 `in_trash` (T2).
  core::Result<Project> GetProject(const Actor& a, const std::string& url);
  core::Result<ProjectDetail> GetProjectDetail(const Actor& a, const std::string& url);

  // Takes a PNG, JPEG, GIF or BMP that decodes whole (core::InspectImage) and has at most
  // max_image_pixels() pixels. `declared_type` is the media type the client sent, if any: when it
  // names an image type it must be the one the bytes are (415 `image_type_mismatch`).
  core::Result<UploadResult> Upload(const Actor& a, const std::string& project_url, const std::string& name,
                                    std::string_view bytes, std::string_view declared_type = {});
  // The same for bytes already in a file (an upload spooled to disk), which becomes the blob without
  // a copy in memory.
  core::Result<UploadResult> UploadFile(const Actor& a, const std::string& project_url, const std::string& name,
                                        const UploadedFile& file, std::string_view declared_type = {});
  // Both of the above, one path.
  core::Result<UploadResult> Upload(const Actor& a, const std::string& project_url, const std::string& name,
                                    const UploadBody& body, std::string_view declared_type = {});
  core::Result<int> LinkImages(const Actor& a, const std::string& project_url, const std::vector<std::string>& ids);
  core::Result<Page<Image>> ListImages(const Actor& a, const std::optional<std::string>& project_url, int limit,
                                       const std::optional<std::string>& after);
  core::Result<Image> GetImage(const Actor& a, const std::string& id);
  core::Result<std::string> ImageContent(const Actor& a, const std::string& id);
  // Bytes [offset, offset + length) of an image that GetImage gave to the caller, read from the blob
  // store as they are taken (length 0: only the media type, for HEAD). Errors of the store before the
  // first byte come here (blob_missing, 503 blob_store_unavailable), later ones from the reader.
  core::Result<ImageBytes> OpenImageContent(const Image& img, std::uint64_t offset, std::uint64_t length);

  core::Result<Version> GenerateVersion(const Actor& a, const std::string& project_url,
                                        const std::optional<std::string>& name);
  // An active version of an active project; otherwise 404 (`in_trash` when either is trashed).
  core::Result<Version> GetVersion(const Actor& a, const std::string& project_url, int number);

  core::Result<std::vector<Workflow>> ListWorkflows(const Actor& a);
  core::Result<Workflow> CreateWorkflow(const Actor& a, const NewWorkflow& w);
  core::Result<Workflow> GetWorkflow(const Actor& a, const std::string& url);

  core::Result<UsageReport> GetUsage(const Actor& a);
  // The same for any workspace by id, with no permission check (metrics, fsck): one row read above
  // kExactReclaimableImages images.
  core::Result<UsageReport> Figures(std::int64_t workspace_id);
  // Recounts the storage figures of workspaces whose figures are stale.
  core::Result<int> RefreshReclaimable(int limit = 100);

  // Lookups shared with the other services, inside their transactions.
  static core::Result<Project> ActiveProject(Transaction& tx, const Actor& a, const std::string& url);
  static core::Result<Version> ActiveVersion(Transaction& tx, const Project& p, int number);

  // Up to how many images a stale split is recounted on read (kExactReclaimableImages; tests set -1
  // to read the stored figures as a large workspace does). Set before serving.
  void set_exact_figures_images(std::int64_t n) { exact_figures_images_ = n; }
  std::int64_t exact_figures_images() const { return exact_figures_images_; }

  // limbod serve --max-image-pixels (core::kDefaultMaxImagePixels unless set). Set before serving.
  void set_max_image_pixels(std::int64_t n) { max_image_pixels_ = n; }
  std::int64_t max_image_pixels() const { return max_image_pixels_; }

 private:
  core::Result<UploadResult> StoreUpload(const Actor& a, const std::string& project_url, const std::string& name,
                                         const std::string& sha, std::int64_t size, const core::ImageInfo& info,
                                         const std::function<core::Status()>& put);
  static core::Status CheckDeclaredType(const std::string& format, std::string_view declared_type);

  Store& store_;
  BlobStore& blobs_;
  const core::Clock& clock_;
  std::int64_t max_image_pixels_ = core::kDefaultMaxImagePixels;
  std::int64_t exact_figures_images_ = kExactReclaimableImages;
};

}  // namespace limbo::domain
