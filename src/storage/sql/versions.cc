#include "storage/sql/versions.h"

#include <algorithm>

namespace limbo::storage::sql {

using domain::Model;
using domain::Version;

namespace {

#define VERSION_SELECT                                                                        \
  "SELECT v.id, v.project_id, v.number, v.name, v.image_count, v.image_bytes, v.created_at, " \
  "v.trash_item_id, m.state, m.job_id, m.created_at FROM versions v "                         \
  "LEFT JOIN models m ON m.version_id = v.id "

Version ReadVersion(const Rows& r) {
  Version v;
  v.id = r.Int(0);
  v.project_id = r.Text(1);
  v.number = static_cast<int>(r.Int(2));
  v.name = r.Text(3);
  v.image_count = r.Int(4);
  v.image_bytes = r.Int(5);
  v.created_at = r.Int(6);
  v.trash_item_id = r.OptInt(7);
  if (!r.IsNull(8)) v.model = Model{v.id, r.Text(8), r.Text(9), r.Int(10)};
  return v;
}

}  // namespace

std::vector<Version> Versions::Active(const std::string& project_id) {
  return All<Version>(
      db_.Query(VERSION_SELECT "WHERE v.project_id = ? AND v.trash_item_id IS NULL ORDER BY v.number DESC", project_id),
      ReadVersion);
}

std::optional<Version> Versions::ByNumber(const std::string& project_id, int number) {
  return One<Version>(db_.Query(VERSION_SELECT "WHERE v.project_id = ? AND v.number = ?", project_id, number),
                      ReadVersion);
}

std::optional<Version> Versions::ById(std::int64_t id) {
  return One<Version>(db_.Query(VERSION_SELECT "WHERE v.id = ?", id), ReadVersion);
}

std::int64_t Versions::InsertWithSnapshot(Version& v) {
  v.id = db_.Insert("INSERT INTO versions(project_id, number, name, created_at) VALUES (?, ?, ?, ?)", v.project_id,
                    v.number, v.name, v.created_at);
  db_.Exec(
      "INSERT INTO version_images(version_id, image_id) SELECT CAST(? AS BIGINT), image_id FROM project_images "
      "WHERE project_id = ?",
      v.id, v.project_id);
  auto counts = db_.Query(
      "UPDATE versions SET image_count = p.image_count, image_bytes = p.image_bytes FROM projects p "
      "WHERE p.id = versions.project_id AND versions.id = ? RETURNING versions.image_count, versions.image_bytes",
      v.id);
  if (counts.Next()) {
    v.image_count = counts.Int(0);
    v.image_bytes = counts.Int(1);
  }
  return v.id;
}

void Versions::SetTrash(std::int64_t version_id, std::optional<std::int64_t> trash_item_id) {
  db_.Exec("UPDATE versions SET trash_item_id = ? WHERE id = ?", trash_item_id, version_id);
}

void Versions::ClearTrash(const std::vector<std::int64_t>& version_ids) {
  if (version_ids.empty()) return;
  db_.Exec("UPDATE versions SET trash_item_id = NULL WHERE id IN (SELECT CAST(value AS BIGINT) FROM list(?))",
           IntTexts(version_ids));
}

std::vector<std::string> Versions::DeleteAllOfProject(const std::string& project_id) {
  auto jobs = Texts(db_.Query("SELECT id FROM jobs WHERE project_id = ? ORDER BY id", project_id));
  db_.Exec("DELETE FROM models WHERE version_id IN (SELECT id FROM versions WHERE project_id = ?)", project_id);
  db_.Exec("DELETE FROM jobs WHERE project_id = ?", project_id);
  db_.Exec("DELETE FROM version_images WHERE version_id IN (SELECT id FROM versions WHERE project_id = ?)", project_id);
  db_.Exec("DELETE FROM versions WHERE project_id = ?", project_id);
  return jobs;
}

std::vector<std::string> Versions::Delete(std::int64_t version_id) {
  auto jobs = Texts(db_.Query("SELECT id FROM jobs WHERE version_id = ? ORDER BY id", version_id));
  db_.Exec("DELETE FROM models WHERE version_id = ?", version_id);
  db_.Exec("DELETE FROM jobs WHERE version_id = ?", version_id);
  db_.Exec("DELETE FROM version_images WHERE version_id = ?", version_id);
  db_.Exec("DELETE FROM versions WHERE id = ?", version_id);
  return jobs;
}

void Versions::UpsertModel(const Model& m) {
  db_.Exec(
      "INSERT INTO models(version_id, state, job_id, created_at) VALUES (?, ?, ?, ?) "
      "ON CONFLICT (version_id) DO UPDATE SET state = excluded.state, job_id = excluded.job_id, "
      "created_at = excluded.created_at, stopped_by_trash_item = NULL",
      m.version_id, m.state, m.job_id, m.created_at);
}

void Versions::DeleteModel(std::int64_t version_id) { db_.Exec("DELETE FROM models WHERE version_id = ?", version_id); }

void Versions::StopModelsOfProject(const std::string& project_id, std::int64_t trash_item_id) {
  db_.Exec(
      "UPDATE models SET state = 'stopped', stopped_by_trash_item = ? WHERE state = 'serving' AND version_id IN "
      "(SELECT id FROM versions WHERE project_id = ? AND trash_item_id IS NULL)",
      trash_item_id, project_id);
}

void Versions::StopModelOf(std::int64_t version_id, std::int64_t trash_item_id) {
  db_.Exec("UPDATE models SET state = 'stopped', stopped_by_trash_item = ? WHERE state = 'serving' AND version_id = ?",
           trash_item_id, version_id);
}

void Versions::RestartModelsStoppedBy(std::int64_t trash_item_id) {
  db_.Exec("UPDATE models SET state = 'serving', stopped_by_trash_item = NULL WHERE stopped_by_trash_item = ?",
           trash_item_id);
}

void Versions::RestartModelsStoppedByAny(const std::vector<std::int64_t>& trash_item_ids) {
  if (trash_item_ids.empty()) return;
  // Most batches stopped no model: one range search of the (partial) index says so.
  auto [lo, hi] = std::minmax_element(trash_item_ids.begin(), trash_item_ids.end());
  if (!Exists(db_.Query("SELECT 1 FROM models WHERE stopped_by_trash_item BETWEEN ? AND ? LIMIT 1", *lo, *hi))) return;
  db_.Exec(
      "UPDATE models SET state = 'serving', stopped_by_trash_item = NULL "
      "WHERE stopped_by_trash_item IN (SELECT CAST(value AS BIGINT) FROM list(?))",
      IntTexts(trash_item_ids));
}

}  // namespace limbo::storage::sql
