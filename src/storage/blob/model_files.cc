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

}  // namespace limbo::storage::blob
