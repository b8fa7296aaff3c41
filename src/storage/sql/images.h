#pragma once

#include "domain/rows/image_rows.h"
#include "storage/sql/db.h"

namespace limbo::storage::sql {

class Images final : public domain::ImageRows {
 public:
  explicit Images(Db& db) : db_(db) {}

  std::optional<domain::Image> ById(std::int64_t ws, const std::string& id) override;
  std::optional<domain::Image> BySha(std::int64_t ws, const std::string& sha256) override;
  std::vector<domain::Image> Page(const domain::ImagePageQuery& q) override;
  void Insert(const domain::Image& img) override;
  bool Link(const std::string& project_id, const domain::ImageRef& img) override;

  std::vector<domain::ImageRef> ProjectLinks(const std::string& project_id, int limit) override;
  void UnlinkFromProject(const std::string& project_id, const std::vector<domain::ImageRef>& imgs) override;
  std::vector<domain::ImageRef> VersionLinksOfProject(const std::string& project_id, int limit) override;
  std::vector<domain::ImageRef> VersionLinks(std::int64_t version_id, int limit) override;
  void UnlinkFromVersionsOfProject(const std::string& project_id, const std::vector<domain::ImageRef>& imgs) override;
  void UnlinkFromVersion(std::int64_t version_id, const std::vector<domain::ImageRef>& imgs) override;
  std::vector<std::string> LinkedOutside(const std::vector<domain::ImageRef>& imgs,
                                         const std::string& project_id) override;
  domain::TrashHeld TrashHeldAmong(const std::vector<domain::ImageRef>& imgs) override;
  void Delete(const std::vector<domain::ImageRef>& imgs) override;

 private:
  Db& db_;
};

}  // namespace limbo::storage::sql
