#include "http/multipart.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>

#include "core/crypto.h"
#include "http/text.h"

namespace limbo::http {

namespace {
std::string_view HeaderParam(std::string_view header, std::string_view name) {
  // name="value" or name=value, after a ';'
  std::size_t pos = 0;
  while ((pos = header.find(name, pos)) != std::string_view::npos) {
    bool boundary_ok = pos == 0 || header[pos - 1] == ';' || header[pos - 1] == ' ';
    std::size_t eq = pos + name.size();
    if (boundary_ok && eq < header.size() && header[eq] == '=') {
      std::string_view v = header.substr(eq + 1);
      if (!v.empty() && v.front() == '"') {
        auto end = v.find('"', 1);
        if (end == std::string_view::npos) return {};
        return v.substr(1, end - 1);
      }
      return v.substr(0, v.find(';'));
    }
    pos = eq;
  }
  return {};
}
}  // namespace

std::optional<FilePart> FindMultipartField(std::string_view content_type, std::string_view body,
                                           std::string_view field) {
  std::string_view boundary = HeaderParam(content_type, "boundary");
  if (boundary.empty() || boundary.size() > 200) return std::nullopt;
  std::string delim = "--" + std::string(boundary);
  std::size_t pos = body.find(delim);
  while (pos != std::string_view::npos) {
    pos += delim.size();
    if (body.substr(pos, 2) == "--") return std::nullopt;  // closing delimiter
    if (body.substr(pos, 2) != "\r\n") return std::nullopt;
    pos += 2;
    std::size_t headers_end = body.find("\r\n\r\n", pos);
    if (headers_end == std::string_view::npos) return std::nullopt;
    std::string_view headers = body.substr(pos, headers_end - pos);
    std::size_t data_start = headers_end + 4;
    std::size_t next = body.find("\r\n" + delim, data_start);
    if (next == std::string_view::npos) return std::nullopt;
    std::string_view name, filename, part_type;
    std::size_t line_start = 0;
    while (line_start <= headers.size()) {
      std::size_t line_end = headers.find("\r\n", line_start);
      std::string_view line = headers.substr(
          line_start, line_end == std::string_view::npos ? std::string_view::npos : line_end - line_start);
      std::string lower = AsciiLower(line.substr(0, 20));
      if (lower.rfind("content-disposition:", 0) == 0) {
        name = HeaderParam(line, "name");
        filename = HeaderParam(line, "filename");
      }
      if (lower.rfind("content-type:", 0) == 0) {
        part_type = line.substr(13);
        while (!part_type.empty() && IsOws(part_type.front())) part_type.remove_prefix(1);
      }
      if (line_end == std::string_view::npos) break;
      line_start = line_end + 2;
    }
    if (name == field) {
      return FilePart{body.substr(data_start, next - data_start), std::string(filename), std::string(part_type)};
    }
    pos = next + 2;
  }
  return std::nullopt;
}

std::optional<ExtractedPart> ExtractMultipartField(std::string_view content_type, const std::string& body_path,
                                                   std::string_view field, const std::string& out_path) {
  int in = ::open(body_path.c_str(), O_RDONLY | O_CLOEXEC);
  if (in < 0) return std::nullopt;
  struct stat st {};
  if (::fstat(in, &st) != 0 || st.st_size <= 0) {
    ::close(in);
    return std::nullopt;
  }
  auto size = static_cast<std::size_t>(st.st_size);
  // Mapped, not read: the pages are the page cache's, dropped again by munmap.
  void* map = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE, in, 0);
  ::close(in);
  if (map == MAP_FAILED) return std::nullopt;
  ::madvise(map, size, MADV_SEQUENTIAL);
  std::optional<ExtractedPart> out;
  auto part = FindMultipartField(content_type, std::string_view(static_cast<const char*>(map), size), field);
  if (part) {
    int fd = ::open(out_path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd >= 0) {
      core::Sha256Stream sha;
      std::string_view data = part->data;
      bool ok = true;
      while (ok && !data.empty()) {
        ssize_t n = ::write(fd, data.data(), std::min<std::size_t>(data.size(), 1 << 20));
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
          ok = false;
          break;
        }
        sha.Update(data.substr(0, static_cast<std::size_t>(n)));
        data.remove_prefix(static_cast<std::size_t>(n));
      }
      if (::close(fd) != 0) ok = false;
      if (ok) {
        out = ExtractedPart{part->data.size(), sha.HexDigest(), part->filename, part->content_type};
      } else {
        ::unlink(out_path.c_str());
      }
    }
  }
  ::munmap(map, size);
  return out;
}

}  // namespace limbo::http
