#include "bench_data.h"

#include <cstdio>
#include <filesystem>
#include <fstream>

namespace limbo::bench {

std::string FakeSha(std::int64_t n) {
  char buf[65];
  std::snprintf(buf, sizeof buf, "%016llx%016llx%016llx%016llx", static_cast<unsigned long long>(n),
                static_cast<unsigned long long>(n * 2654435761ULL), static_cast<unsigned long long>(~n),
                static_cast<unsigned long long>(n ^ 0x5bd1e995));
  return buf;
}

std::string MakeProjectWithImages(domain::Store& store, std::int64_t ws, const std::string& url, std::int64_t images,
                                  std::int64_t first_seed, const std::string& blob_root, core::TimeMs now) {
  std::string pid = "p_" + url;
  constexpr std::int64_t kChunk = 50000;
  for (std::int64_t start = 0; start < std::max<std::int64_t>(images, 1); start += kChunk) {
    auto st = store.Write([&](domain::Transaction& tx) -> core::Status {
      if (start == 0) {
        domain::Project p;
        p.id = pid;
        p.workspace_id = ws;
        p.url = url;
        p.name = url;
        p.type = "object-detection";
        p.annotation = "bench";
        p.created_at = p.updated_at = now;
        p.created_by = "u_bench";
        tx.projects().Insert(p);
      }
      std::int64_t end = std::min(images, start + kChunk);
      for (std::int64_t i = start; i < end; ++i) {
        domain::Image img;
        img.id = "i_" + std::to_string(first_seed + i);
        img.workspace_id = ws;
        img.name = "img.png";
        img.sha256 = FakeSha(first_seed + i);
        img.size_bytes = 1000;
        img.width = img.height = 1;
        img.created_at = now;
        tx.images().Insert(img);
        tx.blobs().AddRef(img.sha256, img.size_bytes);
        tx.images().Link(pid, domain::ImageRef{img.id, img.sha256, img.size_bytes});
      }
      tx.workspaces().AddStorage(ws, (end - start) * 1000, end - start);
      return core::Ok();
    });
    if (!st) throw std::runtime_error(st.error().message + " " + st.error().hint);
  }
  if (!blob_root.empty()) {
    for (std::int64_t i = 0; i < images; ++i) {
      std::string sha = FakeSha(first_seed + i);
      std::string dir = blob_root + "/" + sha.substr(0, 2) + "/" + sha.substr(2, 2);
      std::filesystem::create_directories(dir);
      std::ofstream(dir + "/" + sha) << "x";
    }
  }
  return pid;
}

void MakeTrashItems(domain::Store& store, std::int64_t ws, std::int64_t n, const std::string& user_id,
                    core::TimeMs now) {
  constexpr std::int64_t kChunk = 20000;
  for (std::int64_t start = 0; start < n; start += kChunk) {
    auto st = store.Write([&](domain::Transaction& tx) -> core::Status {
      for (std::int64_t i = start; i < std::min(n, start + kChunk); ++i) {
        domain::Project p;
        p.id = "p_t" + std::to_string(i);
        p.workspace_id = ws;
        p.url = "trashed-" + std::to_string(i);
        p.name = "Trashed project " + std::to_string(i);
        p.type = "object-detection";
        p.annotation = "bench";
        p.created_at = p.updated_at = now;
        p.created_by = user_id;
        tx.projects().Insert(p);
        domain::TrashItem t;
        t.workspace_id = ws;
        t.type = domain::ItemType::kProject;
        t.object_id = p.id;
        t.name = p.name;
        t.url = p.url;
        t.deleted_by = user_id;
        t.deleted_by_name = "Bench";
        t.deleted_at = now - (n - i);
        t.cleanup_at = t.deleted_at + 30 * core::kDayMs;
        t.id = tx.trash().Insert(t);
        tx.projects().SetTrash(p.id, t.id);
        tx.workspaces().AddTrashCount(ws, domain::ItemType::kProject, 1, 0);
      }
      return core::Ok();
    });
    if (!st) throw std::runtime_error(st.error().message + " " + st.error().hint);
  }
}

std::string Num(const char* k, double v) {
  char buf[96];
  std::snprintf(buf, sizeof buf, "\"%s\":%.3f", k, v);
  return buf;
}

}  // namespace limbo::bench
