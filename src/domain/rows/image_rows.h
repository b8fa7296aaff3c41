#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "domain/entities.h"

namespace limbo::domain {

// An image as the cleanup pipeline sees it.
struct ImageRef {
  std::string id;
  std::string sha256;
  std::int64_t size_bytes = 0;
};

struct ImagePageQuery {
  std::int64_t workspace_id = 0;
  std::optional<std::string> project_id;
  int limit = 100;
  std::optional<std::string> after_id;
};

// The Asset Library: image rows and their links to projects and versions.
class ImageRows {
 public:
  virtual ~ImageRows() = default;

  virtual std::optional<Image> ById(std::int64_t ws, const std::string& id) = 0;
  virtual std::optional<Image> BySha(std::int64_t ws, const std::string& sha256) = 0;
  virtual std::vector<Image> Page(const ImagePageQuery& q) = 0;
  virtual void Insert(const Image& img) = 0;
  // Links an image to a project and grows the project's counters; false when already linked.
  virtual bool Link(const std::string& project_id, const ImageRef& img) = 0;

  // Bounded cleanup steps (each call does at most `limit` rows).
  virtual std::vector<ImageRef> ProjectLinks(const std::string& project_id, int limit) = 0;
  virtual void UnlinkFromProject(const std::string& project_id, const std::vector<ImageRef>& imgs) = 0;
  virtual std::vector<ImageRef> VersionLinksOfProject(const std::string& project_id, int limit) = 0;
  virtual std::vector<ImageRef> VersionLinks(std::int64_t version_id, int limit) = 0;
  virtual void UnlinkFromVersionsOfProject(const std::string& project_id, const std::vector<ImageRef>& imgs) = 0;
  virtual void UnlinkFromVersion(std::int64_t version_id, const std::vector<ImageRef>& imgs) = 0;
  // The ids among `imgs` that a project other than `project_id` (active or trashed), or a version
  // of such a project, links. One statement per batch, not one per image.
  virtual std::vector<std::string> LinkedOutside(const std::vector<ImageRef>& imgs, const std::string& project_id) = 0;
  // Of the listed images as the links are now: the bytes held only by the Trash and those Empty Trash
  // would free (the figures' rules, RecountTrashHeld). An image no row holds any more counts 0. A
  // change to some images' links moves the figures by this after the change minus this before.
  virtual TrashHeld TrashHeldAmong(const std::vector<ImageRef>& imgs) = 0;
  // Deletes the image rows with every link left to them.
  virtual void Delete(const std::vector<ImageRef>& imgs) = 0;
};

}  // namespace limbo::domain
