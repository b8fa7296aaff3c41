#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>

#include "http/json_mapping.h"
#include "http/json_writer.h"

// The reads a client polls are written with JsonWriter; these check them byte for byte against
// the nlohmann::json trees the same answers were built from before (and still are elsewhere).
namespace limbo::http {
namespace {

using namespace limbo::domain;  // NOLINT: test data

Project SampleProject(bool group, const std::string& name = "Cats \"and\" dogs\n\t\\ é") {
  Project p;
  p.id = "p_abc";
  p.workspace_id = 1;
  p.url = "cats";
  p.name = name;
  p.type = group ? "multi-label-classification" : "object-detection";
  p.annotation = "animals";
  if (group) {
    p.group_id = "g_1";
    p.group_name = "Team \x01 B";
  }
  p.image_count = 1234;
  p.image_bytes = 9876543210;
  p.version_count = 2;
  p.created_at = 1796143283847;
  p.updated_at = 1796143284000;  // a whole second: "1796143284.0"
  p.created_by = "u_1";
  return p;
}

Version SampleVersion(bool model) {
  Version v;
  v.id = 7;
  v.project_id = "p_abc";
  v.number = 3;
  v.name = "third \b\f";
  v.image_count = 10;
  v.image_bytes = 1000;
  v.created_at = 1796143283001;
  if (model) v.model = Model{7, "serving", "j_1", 1796143283999};
  return v;
}

Job SampleJob(bool ended) {
  Job j;
  j.id = "j_1";
  j.workspace_id = 1;
  j.project_id = "p_abc";
  j.project_url = "cats";
  j.version_id = 7;
  j.version_number = 3;
  j.state = ended ? JobState::kCancelled : JobState::kRunning;
  j.created_at = 1796143283000;
  j.started_at = 1796143283500;
  if (ended) {
    j.ended_at = 1796143290123;
    j.cancel_reason = "trashed";
  }
  j.duration_ms = 5000;
  return j;
}

TEST(JsonText, WorkspaceAnswerHasTheBytesOfTheTree) {
  Workspace ws{1, "acme", "Acme \"Labs\"", 30, 10737418240, 1796143280000};
  std::vector<Project> projects = {SampleProject(false), SampleProject(true, "Zebra")};
  Json list = Json::array();
  for (const auto& p : projects) list.push_back(ToJson(p, ws.url));
  Json tree = WorkspaceSettingsJson(ws);
  tree["members"] = 3;
  tree["projects"] = list;
  EXPECT_EQ(WorkspaceJsonText(ws, 3, projects), Json({{"workspace", tree}}).dump());
  EXPECT_EQ(WorkspaceJsonText(ws, 1, {}), Json({{"workspace",
                                                 [&] {
                                                   Json t = WorkspaceSettingsJson(ws);
                                                   t["members"] = 1;
                                                   t["projects"] = Json::array();
                                                   return t;
                                                 }()}})
                                              .dump());
}

TEST(JsonText, ProjectAnswerHasTheBytesOfTheTree) {
  Workspace ws{1, "acme", "Acme", 30, 0, 0};
  for (bool group : {false, true}) {
    ProjectDetail d{SampleProject(group), {SampleVersion(true), SampleVersion(false)}};
    Json versions = Json::array();
    for (const auto& v : d.versions) versions.push_back(ToJson(v, ws.url, d.project.url));
    Json tree{{"workspace", Json{{"name", ws.name}, {"url", ws.url}}},
              {"project", ToJson(d.project, ws.url)},
              {"versions", versions}};
    EXPECT_EQ(ProjectDetailJsonText(ws, d), tree.dump());
    d.versions.clear();
    tree["versions"] = Json::array();
    EXPECT_EQ(ProjectDetailJsonText(ws, d), tree.dump());
  }
}

TEST(JsonText, UsageAnswerHasTheBytesOfTheTree) {
  UsageReport r;
  r.usage.storage_bytes = 5000;
  r.usage.image_count = 4;
  r.usage.trash_items = 2;
  r.storage_quota_bytes = 10737418240;
  r.active_bytes = 3000;
  r.trash_only_bytes = 2000;
  r.reclaimable_bytes = 1500;
  for (bool stale : {false, true}) {
    r.figures_stale = stale;
    Json tree{{"storageBytes", r.usage.storage_bytes},   {"storageQuotaBytes", r.storage_quota_bytes},
              {"activeBytes", r.active_bytes},           {"trashOnlyBytes", r.trash_only_bytes},
              {"reclaimableBytes", r.reclaimable_bytes}, {"figuresStale", r.figures_stale},
              {"reclaimableStale", r.figures_stale},     {"trashBytes", r.trash_only_bytes},
              {"trashItems", r.usage.trash_items},       {"images", r.usage.image_count}};
    EXPECT_EQ(UsageJsonText(r), tree.dump());
  }
}

TEST(JsonText, JobsAnswerHasTheBytesOfTheTree) {
  std::vector<Job> jobs = {SampleJob(false), SampleJob(true)};
  for (TimeMs now : {TimeMs{1796143283000}, TimeMs{1796143284321}, TimeMs{1796143999999}}) {
    Json list = Json::array();
    for (const auto& j : jobs) list.push_back(ToJson(j, now));
    EXPECT_EQ(JobsJsonText(jobs, now), Json({{"jobs", list}}).dump());
  }
  EXPECT_EQ(JobsJsonText({}, 0), R"({"jobs":[]})");
}

TEST(JsonText, DoublesAndControlCharactersAsNlohmannWritesThem) {
  std::mt19937_64 rng(42);
  std::vector<double> values = {0.0,
                                -0.0,
                                1.0,
                                0.1,
                                1e21,
                                1e-7,
                                123456789.125,
                                -5.5,
                                std::numeric_limits<double>::max(),
                                std::numeric_limits<double>::denorm_min()};
  for (int i = 0; i < 20000; ++i) {
    values.push_back(static_cast<double>(static_cast<std::int64_t>(rng() % 4000000000000)) / 1000.0);
    values.push_back(std::ldexp(static_cast<double>(rng() >> 11), static_cast<int>(rng() % 200) - 100));
  }
  for (double v : values) {
    JsonWriter w;
    w.Double(v);
    ASSERT_EQ(w.Take(), Json(v).dump()) << v;
  }
  JsonWriter w;
  w.Double(std::nan("")).Double(INFINITY);
  EXPECT_EQ(w.Take(), "nullnull");  // not valid JSON on its own; each is what dump writes
  std::string every;
  for (int c = 1; c < 0x80; ++c) every.push_back(static_cast<char>(c));
  JsonWriter s;
  s.String(every);
  EXPECT_EQ(s.Take(), Json(every).dump());
}

}  // namespace
}  // namespace limbo::http
