#include "storage/sql/images.h"

#include "storage/sql/trash_held.h"

namespace limbo::storage::sql {

using domain::Image;
using domain::ImagePageQuery;
using domain::ImageRef;

namespace {

// The project urls come sorted and joined by the unit separator (char 31). Only PostgreSQL's
// aggregate takes an ORDER BY; SQLite's group_concat keeps the order of an ordered subquery.
#define IMAGE_COLS "SELECT i.id, i.workspace_id, i.name, i.sha256, i.size_bytes, i.width, i.height, i.created_at, "
#define IMAGE_URLS_SQLITE                                                                          \
  "(SELECT group_concat(url, char(31)) FROM (SELECT p.url FROM project_images pi "                 \
  " JOIN projects p ON p.id = pi.project_id WHERE pi.image_id = i.id AND p.trash_item_id IS NULL " \
  " ORDER BY p.url)) "
#define IMAGE_URLS_POSTGRES                                                   \
  "(SELECT string_agg(p.url, chr(31) ORDER BY p.url) FROM project_images pi " \
  " JOIN projects p ON p.id = pi.project_id WHERE pi.image_id = i.id AND p.trash_item_id IS NULL) "

// One image statement in both spellings of the url list; `rest` follows the select list.
struct ImageStatement {
  const char* sqlite;
  const char* postgres;
  const char* For(Dialect d) const { return d == Dialect::kPostgres ? postgres : sqlite; }
};
#define IMAGE_STATEMENT(rest) \
  ImageStatement { IMAGE_COLS IMAGE_URLS_SQLITE rest, IMAGE_COLS IMAGE_URLS_POSTGRES rest }

constexpr ImageStatement kById = IMAGE_STATEMENT("FROM images i WHERE i.workspace_id = ? AND i.id = ?");
constexpr ImageStatement kBySha = IMAGE_STATEMENT("FROM images i WHERE i.workspace_id = ? AND i.sha256 = ?");
constexpr ImageStatement kPageOfProject = IMAGE_STATEMENT(
    "FROM project_images l JOIN images i ON i.id = l.image_id "
    "WHERE l.project_id = ? AND l.image_id > ? ORDER BY l.image_id LIMIT ?");
constexpr ImageStatement kPage =
    IMAGE_STATEMENT("FROM images i WHERE i.workspace_id = ? AND i.id > ? ORDER BY i.id LIMIT ?");

Image ReadImage(const Rows& r) {
  Image img;
  img.id = r.Text(0);
  img.workspace_id = r.Int(1);
  img.name = r.Text(2);
  img.sha256 = r.Text(3);
  img.size_bytes = r.Int(4);
  img.width = static_cast<int>(r.Int(5));
  img.height = static_cast<int>(r.Int(6));
  img.created_at = r.Int(7);
  std::string urls = r.Text(8);
  std::size_t start = 0;
  while (!urls.empty() && start <= urls.size()) {
    auto end = urls.find('\x1f', start);
    if (end == std::string::npos) end = urls.size();
    img.project_urls.push_back(urls.substr(start, end - start));
    start = end + 1;
  }
  return img;
}

ImageRef ReadRef(const Rows& r) { return ImageRef{r.Text(0), r.Text(1), r.Int(2)}; }

std::vector<std::string> Ids(const std::vector<ImageRef>& imgs) {
  std::vector<std::string> ids;
  ids.reserve(imgs.size());
  for (const auto& img : imgs) ids.push_back(img.id);
  return ids;
}

}  // namespace

std::optional<Image> Images::ById(std::int64_t ws, const std::string& id) {
  return One<Image>(db_.Query(kById.For(db_.dialect()), ws, id), ReadImage);
}

std::optional<Image> Images::BySha(std::int64_t ws, const std::string& sha256) {
  return One<Image>(db_.Query(kBySha.For(db_.dialect()), ws, sha256), ReadImage);
}

std::vector<Image> Images::Page(const ImagePageQuery& q) {
  std::string after = q.after_id.value_or("");
  if (q.project_id) {
    return All<Image>(db_.Query(kPageOfProject.For(db_.dialect()), *q.project_id, after, q.limit), ReadImage);
  }
  return All<Image>(db_.Query(kPage.For(db_.dialect()), q.workspace_id, after, q.limit), ReadImage);
}

void Images::Insert(const Image& img) {
  db_.Exec(
      "INSERT INTO images(id, workspace_id, name, sha256, size_bytes, width, height, created_at) "
      "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
      img.id, img.workspace_id, img.name, img.sha256, img.size_bytes, img.width, img.height, img.created_at);
}

bool Images::Link(const std::string& project_id, const ImageRef& img) {
  if (db_.Exec("INSERT INTO project_images(project_id, image_id) VALUES (?, ?) ON CONFLICT DO NOTHING", project_id,
               img.id) == 0) {
    return false;
  }
  db_.Exec("UPDATE projects SET image_count = image_count + 1, image_bytes = image_bytes + ? WHERE id = ?",
           img.size_bytes, project_id);
  return true;
}

// ---- Cleanup steps -----------------------------------------------------------------------------

std::vector<ImageRef> Images::ProjectLinks(const std::string& project_id, int limit) {
  return All<ImageRef>(
      db_.Query("SELECT i.id, i.sha256, i.size_bytes FROM project_images l JOIN images i ON i.id = l.image_id "
                "WHERE l.project_id = ? ORDER BY l.image_id LIMIT ?",
                project_id, limit),
      ReadRef);
}

void Images::UnlinkFromProject(const std::string& project_id, const std::vector<ImageRef>& imgs) {
  if (imgs.empty()) return;
  const auto ids = Ids(imgs);
  db_.Exec("DELETE FROM project_images WHERE project_id = ? AND image_id IN (SELECT value FROM list(?))", project_id,
           ids);
}

std::vector<ImageRef> Images::VersionLinksOfProject(const std::string& project_id, int limit) {
  return All<ImageRef>(db_.Query("SELECT DISTINCT i.id, i.sha256, i.size_bytes FROM versions v "
                                 "JOIN version_images l ON l.version_id = v.id JOIN images i ON i.id = l.image_id "
                                 "WHERE v.project_id = ? ORDER BY i.id LIMIT ?",
                                 project_id, limit),
                       ReadRef);
}

std::vector<ImageRef> Images::VersionLinks(std::int64_t version_id, int limit) {
  return All<ImageRef>(
      db_.Query("SELECT i.id, i.sha256, i.size_bytes FROM version_images l JOIN images i ON i.id = l.image_id "
                "WHERE l.version_id = ? ORDER BY l.image_id LIMIT ?",
                version_id, limit),
      ReadRef);
}

void Images::UnlinkFromVersionsOfProject(const std::string& project_id, const std::vector<ImageRef>& imgs) {
  if (imgs.empty()) return;
  const auto ids = Ids(imgs);
  db_.Exec(
      "DELETE FROM version_images WHERE image_id IN (SELECT value FROM list(?)) AND version_id IN "
      "(SELECT id FROM versions WHERE project_id = ?)",
      ids, project_id);
}

void Images::UnlinkFromVersion(std::int64_t version_id, const std::vector<ImageRef>& imgs) {
  if (imgs.empty()) return;
  const auto ids = Ids(imgs);
  db_.Exec("DELETE FROM version_images WHERE version_id = ? AND image_id IN (SELECT value FROM list(?))", version_id,
           ids);
}

std::vector<std::string> Images::LinkedOutside(const std::vector<ImageRef>& imgs, const std::string& project_id) {
  if (imgs.empty()) return {};
  const auto ids = Ids(imgs);
  return Texts(
      db_.Query("SELECT t.id FROM (SELECT value AS id FROM list(?)) t "
                "WHERE EXISTS (SELECT 1 FROM project_images p WHERE p.image_id = t.id AND p.project_id <> ?) "
                "OR EXISTS (SELECT 1 FROM version_images l JOIN versions v ON v.id = l.version_id "
                "WHERE l.image_id = t.id AND v.project_id <> ?)",
                ids, project_id, project_id));
}

domain::TrashHeld Images::TrashHeldAmong(const std::vector<ImageRef>& imgs) {
  if (imgs.empty()) return {};
  const auto ids = Ids(imgs);
  // DISTINCT: an image listed twice counts once, as it is stored once.
  auto r = db_.Query(LIMBO_TRASH_HELD_SUMS
                     "FROM (SELECT DISTINCT value AS image_id FROM list(?)) c JOIN images i ON i.id = c.image_id",
                     true, true, true, true, ids);
  if (!r.Next()) return {};
  return domain::TrashHeld{r.Int(0), r.Int(1)};
}

void Images::Delete(const std::vector<ImageRef>& imgs) {
  if (imgs.empty()) return;
  const auto ids = Ids(imgs);
  db_.Exec("DELETE FROM version_images WHERE image_id IN (SELECT value FROM list(?))", ids);
  db_.Exec("DELETE FROM project_images WHERE image_id IN (SELECT value FROM list(?))", ids);
  db_.Exec("DELETE FROM images WHERE id IN (SELECT value FROM list(?))", ids);
}

}  // namespace limbo::storage::sql
