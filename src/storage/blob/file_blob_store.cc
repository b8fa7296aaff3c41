#include "storage/blob/file_blob_store.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/crypto.h"

namespace limbo::storage::blob {

namespace fs = std::filesystem;
using core::Error;
using core::Ok;
using core::Status;

bool IsSha256Hex(std::string_view s) {
  if (s.size() != 64) return false;
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

namespace {
Error IoError(const std::string& what) {
  return Error::Internal("The server could not write to its storage.", "storage_failure").WithDetail(what);
}

bool FsyncPath(const std::string& path, int flags) {
  int fd = ::open(path.c_str(), flags);
  if (fd < 0) return false;
  bool ok = ::fsync(fd) == 0;
  ::close(fd);
  return ok;
}
}  // namespace

FileBlobStore::FileBlobStore(std::string root) : root_(std::move(root)) { fs::create_directories(root_); }

std::string FileBlobStore::PathOf(const std::string& sha) const {
  return root_ + "/" + sha.substr(0, 2) + "/" + sha.substr(2, 2) + "/" + sha;
}

Status FileBlobStore::Put(const std::string& sha, std::string_view bytes) {
  if (!IsSha256Hex(sha)) return Error::Invalid("bad blob name");
  std::string path = PathOf(sha);
  std::error_code ec;
  if (fs::exists(path, ec)) return Ok();
  std::string dir = path.substr(0, path.rfind('/'));
  fs::create_directories(dir, ec);
  if (ec) return IoError("mkdir " + dir + ": " + ec.message());
  std::string tmp = dir + "/.tmp-" + sha + "-" + core::RandomToken(8);
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) return IoError("open " + tmp + ": " + std::strerror(errno));
  std::size_t off = 0;
  while (off < bytes.size()) {
    ssize_t n = ::write(fd, bytes.data() + off, bytes.size() - off);
    if (n < 0) {
      if (errno == EINTR) continue;
      std::string err = std::strerror(errno);
      ::close(fd);
      ::unlink(tmp.c_str());
      return IoError("write " + tmp + ": " + err);
    }
    off += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    std::string err = std::strerror(errno);
    ::unlink(tmp.c_str());
    return IoError("fsync " + tmp + ": " + err);
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    std::string err = std::strerror(errno);
    ::unlink(tmp.c_str());
    return IoError("rename " + tmp + ": " + err);
  }
  FsyncPath(dir, O_RDONLY | O_DIRECTORY);
  return Ok();
}

Status FileBlobStore::PutFile(const std::string& sha, const std::string& src) {
  if (!IsSha256Hex(sha)) return Error::Invalid("bad blob name");
  std::string path = PathOf(sha);
  std::error_code ec;
  if (fs::exists(path, ec)) return Ok();
  if (!FsyncPath(src, O_RDONLY)) return IoError("fsync " + src + ": " + std::strerror(errno));
  std::string dir = path.substr(0, path.rfind('/'));
  fs::create_directories(dir, ec);
  if (ec) return IoError("mkdir " + dir + ": " + ec.message());
  if (::link(src.c_str(), path.c_str()) == 0 || errno == EEXIST) {
    FsyncPath(dir, O_RDONLY | O_DIRECTORY);
    return Ok();
  }
  if (errno != EXDEV && errno != EPERM && errno != EMLINK) {
    return IoError("link " + src + " " + path + ": " + std::strerror(errno));
  }
  // Another file system: copy through a temporary file, as Put does.
  std::string tmp = dir + "/.tmp-" + sha + "-" + core::RandomToken(8);
  fs::copy_file(src, tmp, ec);
  if (ec) {
    fs::remove(tmp, ec);
    return IoError("copy " + src + ": " + ec.message());
  }
  if (!FsyncPath(tmp, O_RDONLY) || ::rename(tmp.c_str(), path.c_str()) != 0) {
    std::string err = std::strerror(errno);
    ::unlink(tmp.c_str());
    return IoError("rename " + tmp + ": " + err);
  }
  FsyncPath(dir, O_RDONLY | O_DIRECTORY);
  return Ok();
}

bool FileBlobStore::Exists(const std::string& sha) const {
  if (!IsSha256Hex(sha)) return false;
  std::error_code ec;
  return fs::exists(PathOf(sha), ec);
}

core::Result<std::string> FileBlobStore::Get(const std::string& sha) const {
  if (!IsSha256Hex(sha)) return Error::NotFound("No such blob.");
  std::ifstream in(PathOf(sha), std::ios::binary);
  if (!in) return Error::Internal("The image's bytes are missing from storage.", "blob_missing");
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

namespace {
// A range of one blob file, read with pread from a descriptor opened up front: a collection that
// unlinks the file meanwhile does not cut a download already under way.
class FileRangeReader final : public domain::BlobReader {
 public:
  FileRangeReader(int fd, std::uint64_t offset, std::uint64_t length) : fd_(fd), pos_(offset), left_(length) {}
  ~FileRangeReader() override { ::close(fd_); }
  FileRangeReader(const FileRangeReader&) = delete;
  FileRangeReader& operator=(const FileRangeReader&) = delete;

  core::Result<std::size_t> Read(char* buf, std::size_t max) override {
    std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(max, left_));
    if (want == 0) return std::size_t{0};
    while (true) {
      ssize_t n = ::pread(fd_, buf, want, static_cast<off_t>(pos_));
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) {
        return Error::Internal("The image's bytes could not be read from storage.", "storage_failure")
            .WithDetail(std::string("pread: ") + std::strerror(errno));
      }
      pos_ += static_cast<std::uint64_t>(n);
      left_ = n == 0 ? 0 : left_ - static_cast<std::uint64_t>(n);  // 0: the file is shorter than asked
      return static_cast<std::size_t>(n);
    }
  }

 private:
  int fd_;
  std::uint64_t pos_;
  std::uint64_t left_;
};
}  // namespace

core::Result<std::unique_ptr<domain::BlobReader>> FileBlobStore::OpenRange(const std::string& sha, std::uint64_t offset,
                                                                           std::uint64_t length) const {
  if (!IsSha256Hex(sha)) return Error::NotFound("No such blob.");
  int fd = ::open(PathOf(sha).c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Error::Internal("The image's bytes are missing from storage.", "blob_missing");
  return std::unique_ptr<domain::BlobReader>(std::make_unique<FileRangeReader>(fd, offset, length));
}

Status FileBlobStore::Remove(const std::string& sha) {
  if (!IsSha256Hex(sha)) return Ok();
  std::string path = PathOf(sha);
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) {
    return IoError("unlink " + path + ": " + std::strerror(errno));
  }
  return Ok();
}

Status FileBlobStore::Probe() {
  // Named like a write's temporary, so one a crash leaves is swept with them.
  std::string probe = root_ + "/.tmp-probe-" + core::RandomToken(8);
  int fd = ::open(probe.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) return IoError("open " + probe + ": " + std::strerror(errno));
  bool wrote = ::write(fd, "x", 1) == 1;
  std::string err = wrote ? "" : std::strerror(errno);
  ::close(fd);
  ::unlink(probe.c_str());
  if (!wrote) return IoError("write " + probe + ": " + err);
  return Ok();
}

std::vector<std::string> FileBlobStore::List() const {
  std::vector<std::string> out;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(root_, ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    if (!it->is_regular_file()) continue;
    std::string name = it->path().filename().string();
    if (IsSha256Hex(name)) out.push_back(name);
  }
  return out;
}

int FileBlobStore::RemoveStaleTemporaries() {
  int n = 0;
  std::error_code ec;
  // Only files older than an hour: another server sharing the folder may be writing the others.
  auto cutoff = fs::file_time_type::clock::now() - std::chrono::hours(1);
  for (auto it = fs::recursive_directory_iterator(root_, ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    if (it->is_regular_file() && it->path().filename().string().rfind(".tmp-", 0) == 0 &&
        it->last_write_time(ec) < cutoff) {
      fs::remove(it->path(), ec);
      ++n;
    }
  }
  return n;
}

}  // namespace limbo::storage::blob
