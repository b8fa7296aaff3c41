#include "app/blobs_command.h"

#include <atomic>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>
#include <vector>

#include "core/crypto.h"
#include "storage/blob/blob_stores.h"
#include "storage/blob/file_blob_store.h"
#include "storage/blob/s3_blob_store.h"

namespace limbo::app {

namespace fs = std::filesystem;

int BlobsList(const std::string& data_dir, const std::string& blobs_url, bool models) {
  auto opened = storage::blob::OpenBlobStores(blobs_url, data_dir);
  if (!opened) {
    std::cerr << "limbod blobs list: " << opened.error().message << "\n";
    return 2;
  }
  if (models) {
    if (!opened->s3) {
      std::error_code ec;
      for (fs::directory_iterator it(data_dir + "/models", ec), end; !ec && it != end; it.increment(ec)) {
        auto name = it->path().filename().string();
        if (name.size() > 5 && name.substr(name.size() - 5) == ".json") {
          std::cout << name.substr(0, name.size() - 5) << " " << fs::file_size(it->path(), ec) << "\n";
        }
      }
      return 0;
    }
    std::string prefix = (opened->s3->config().prefix.empty() ? "" : opened->s3->config().prefix + "/") + "models/";
    auto objects = storage::blob::ListObjects(*opened->s3, prefix);
    if (!objects) {
      std::cerr << "limbod blobs list: " << objects.error().message << " " << objects.error().detail << "\n";
      return 1;
    }
    for (const auto& [key, size] : *objects) {
      std::string name = key.substr(prefix.size());
      if (name.size() > 5 && name.substr(name.size() - 5) == ".json") {
        std::cout << name.substr(0, name.size() - 5) << " " << size << "\n";
      }
    }
    return 0;
  }
  auto names = opened->blobs->ListAll();
  if (!names) {
    std::cerr << "limbod blobs list: " << names.error().message << " " << names.error().detail << "\n";
    return 1;
  }
  for (const auto& n : *names) std::cout << n << "\n";
  std::cout << std::flush;
  return 0;
}

int BlobsMigrate(const std::string& data_dir, const std::string& from_url, const std::string& to_url, bool verify,
                 int threads) {
  auto from = storage::blob::OpenBlobStores(from_url, data_dir);
  if (!from) {
    std::cerr << "limbod blobs migrate: " << from.error().message << "\n";
    return 2;
  }
  if (to_url.empty()) {
    std::cerr << "limbod blobs migrate: --to names the destination (s3://BUCKET[/PREFIX]?endpoint=URL)\n";
    return 2;
  }
  auto to = storage::blob::OpenBlobStores(to_url, data_dir);
  if (!to) {
    std::cerr << "limbod blobs migrate: " << to.error().message << "\n";
    return 2;
  }
  auto names = from->blobs->ListAll();
  if (!names) {
    std::cerr << "limbod blobs migrate: listing the source failed: " << names.error().detail << "\n";
    return 1;
  }
  std::atomic<std::size_t> next{0};
  std::atomic<int> copied{0}, present{0};
  std::mutex mu;
  std::vector<std::string> corrupt, failed;
  auto work = [&] {
    for (std::size_t i = next++; i < names->size(); i = next++) {
      const std::string& sha = (*names)[i];
      bool there = to->blobs->Exists(sha);
      if (there && verify) {
        core::Sha256Stream h;
        auto st = to->blobs->GetTo(sha, [&](std::string_view piece) {
          h.Update(piece);
          return true;
        });
        there = st && h.HexDigest() == sha;
      }
      if (there) {
        ++present;
        continue;
      }
      auto bytes = from->blobs->Get(sha);
      if (!bytes || core::Sha256Hex(*bytes) != sha) {
        std::lock_guard<std::mutex> lock(mu);
        (bytes ? corrupt : failed).push_back(sha);
        continue;
      }
      if (auto st = to->blobs->Put(sha, *bytes); !st) {
        std::lock_guard<std::mutex> lock(mu);
        failed.push_back(sha);
        std::cerr << "limbod blobs migrate: " << sha << ": " << st.error().detail << "\n";
        continue;
      }
      ++copied;
    }
  };
  std::vector<std::thread> pool;
  for (int t = 0; t < std::max(1, threads); ++t) pool.emplace_back(work);
  for (auto& t : pool) t.join();
  // Model files: few and small, copied whole.
  int models = 0;
  std::vector<std::string> model_ids = from->models->List();
  for (const auto& id : model_ids) {
    std::ifstream in(data_dir + "/models/" + id + ".json", std::ios::binary);
    if (!in) continue;
    std::ostringstream ss;
    ss << in.rdbuf();
    std::string content = ss.str();
    domain::Job job;
    job.id = id;
    if (to->models->Write(job, content)) {
      ++models;
    } else {
      failed.push_back("model " + id);
    }
  }
  nlohmann::json out{{"blobs", names->size()},    {"copied", copied.load()}, {"alreadyThere", present.load()},
                     {"models", models},          {"corrupt", corrupt},      {"failed", failed},
                     {"from", from->description}, {"to", to->description}};
  std::cout << out.dump() << std::endl;
  return corrupt.empty() && failed.empty() ? 0 : 1;
}

}  // namespace limbo::app
