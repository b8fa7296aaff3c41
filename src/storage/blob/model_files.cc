#include "storage/blob/model_files.h"

#include <filesystem>
#include <fstream>

namespace limbo::storage::blob {

namespace fs = std::filesystem;

namespace {
bool SafeId(const std::string& id) {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
  }
  return true;
}
}  // namespace

ModelFiles::ModelFiles(std::string root) : root_(std::move(root)) { fs::create_directories(root_); }

core::Status ModelFiles::Write(const domain::Job& job, const std::string& content) {
  if (!SafeId(job.id)) return core::Error::Internal("bad job id");
  std::string path = root_ + "/" + job.id + ".json";
  std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << content;
    if (!out) return core::Error::Internal("The model file could not be written.", "storage_failure");
  }
  std::error_code ec;
  fs::rename(tmp, path, ec);
  if (ec) return core::Error::Internal("The model file could not be written.", "storage_failure");
  return core::Ok();
}

void ModelFiles::Remove(const std::string& job_id) {
  if (!SafeId(job_id)) return;
  std::error_code ec;
  fs::remove(root_ + "/" + job_id + ".json", ec);
}

std::vector<std::string> ModelFiles::List() const {
  std::vector<std::string> out;
  std::error_code ec;
  for (fs::directory_iterator it(root_, ec), end; !ec && it != end; it.increment(ec)) {
    std::string name = it->path().filename().string();
    constexpr std::string_view kExt = ".json";
    if (name.size() <= kExt.size() || name.compare(name.size() - kExt.size(), kExt.size(), kExt) != 0) continue;
    std::string id = name.substr(0, name.size() - kExt.size());
    if (SafeId(id)) out.push_back(std::move(id));
  }
  return out;
}

}  // namespace limbo::storage::blob
