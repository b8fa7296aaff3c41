// Image validation with stb_image. This translation unit holds the only stb_image implementation
// Limbo's own code uses: compiled static (no symbol clashes with a system libstb), limited to the
// four formats Limbo takes, with a memory budget behind its allocator and a reader that notices a
// decoder asking for bytes past the end of the file.
#include "core/image_info.h"

#include <sys/stat.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <memory>

namespace limbo::core {
namespace {

// ---- Allocation budget --------------------------------------------------------------------------
// stb_image allocates through these. A thread has at most one decode running, so the budget is
// per thread; outside a decode (t_budget null) the allocator is plain malloc.
struct Budget {
  std::size_t limit = 0;
  std::size_t used = 0;
  std::size_t peak = 0;
};
thread_local Budget* t_budget = nullptr;
constexpr std::size_t kHeader = 16;  // keeps the size of each block, and malloc's alignment

void* BudgetMalloc(std::size_t n) {
  if (n > std::numeric_limits<std::size_t>::max() - kHeader) return nullptr;
  if (t_budget && n > t_budget->limit - std::min(t_budget->used, t_budget->limit)) return nullptr;
  auto* base = static_cast<unsigned char*>(std::malloc(n + kHeader));
  if (!base) return nullptr;
  std::memcpy(base, &n, sizeof n);
  if (t_budget) {
    t_budget->used += n;
    t_budget->peak = std::max(t_budget->peak, t_budget->used);
  }
  return base + kHeader;
}

void BudgetFree(void* p) {
  if (!p) return;
  unsigned char* base = static_cast<unsigned char*>(p) - kHeader;
  std::size_t n = 0;
  std::memcpy(&n, base, sizeof n);
  if (t_budget) t_budget->used -= std::min(n, t_budget->used);
  std::free(base);
}

void* BudgetRealloc(void* p, std::size_t n) {
  if (!p) return BudgetMalloc(n);
  if (n > std::numeric_limits<std::size_t>::max() - kHeader) return nullptr;
  unsigned char* base = static_cast<unsigned char*>(p) - kHeader;
  std::size_t old = 0;
  std::memcpy(&old, base, sizeof old);
  if (t_budget && n > old && n - old > t_budget->limit - std::min(t_budget->used, t_budget->limit)) return nullptr;
  auto* grown = static_cast<unsigned char*>(std::realloc(base, n + kHeader));
  if (!grown) return nullptr;
  std::memcpy(grown, &n, sizeof n);
  if (t_budget) {
    t_budget->used = t_budget->used - std::min(old, t_budget->used) + n;
    t_budget->peak = std::max(t_budget->peak, t_budget->used);
  }
  return grown + kHeader;
}

}  // namespace
}  // namespace limbo::core

#define STB_IMAGE_STATIC
#define STB_IMAGE_IMPLEMENTATION
#define STBI_ONLY_PNG
#define STBI_ONLY_JPEG
#define STBI_ONLY_GIF
#define STBI_ONLY_BMP
#define STBI_NO_STDIO
#define STBI_NO_LINEAR
#define STBI_NO_HDR
#define STBI_MALLOC(sz) ::limbo::core::BudgetMalloc(sz)
#define STBI_REALLOC(p, sz) ::limbo::core::BudgetRealloc(p, sz)
#define STBI_FREE(p) ::limbo::core::BudgetFree(p)
// stb_image's asserts check its own invariants; in a debug build a crafted file must not end the
// process through one, so they are off everywhere (as in release builds).
#define STBI_ASSERT(x) ((void)0)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wold-style-cast"
#pragma GCC diagnostic ignored "-Wcast-align"
#pragma GCC diagnostic ignored "-Wunused-function"
#pragma GCC diagnostic ignored "-Wshadow"
#pragma GCC diagnostic ignored "-Wnull-dereference"
#pragma GCC diagnostic ignored "-Wsign-compare"
#pragma GCC diagnostic ignored "-Wimplicit-fallthrough"
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
#pragma GCC diagnostic ignored "-Wunused-parameter"
#pragma GCC diagnostic ignored "-Wpedantic"
#pragma GCC diagnostic ignored "-Wunused-variable"
#pragma GCC diagnostic ignored "-Wunused-but-set-variable"
#pragma GCC diagnostic ignored "-Wunused-value"
#include <stb/stb_image.h>
#pragma GCC diagnostic pop

namespace limbo::core {
namespace {

// ---- Input --------------------------------------------------------------------------------------
// The bytes of one image, read through stb's callbacks. `starved` records that the decoder asked
// for a byte past the end: stb would go on with zeros, which would let a truncated file pass.
class Source {
 public:
  virtual ~Source() = default;
  virtual std::size_t ReadAt(std::int64_t pos, char* out, std::size_t n) = 0;

  std::int64_t size = 0;
  std::int64_t pos = 0;
  bool starved = false;

  int Read(char* out, int n) {
    if (n <= 0) return 0;
    if (pos >= size) {
      starved = true;
      return 0;
    }
    std::size_t want = static_cast<std::size_t>(std::min<std::int64_t>(n, size - pos));
    std::size_t got = ReadAt(pos, out, want);
    pos += static_cast<std::int64_t>(got);
    if (got == 0) starved = true;
    return static_cast<int>(got);
  }
  void Skip(int n) {
    if (n <= 0) return;
    if (n > size - pos) {
      starved = true;
      pos = size;
      return;
    }
    pos += n;
  }
  void Restart() {
    pos = 0;
    starved = false;
  }
};

class MemorySource final : public Source {
 public:
  explicit MemorySource(std::string_view b) : bytes_(b) { size = static_cast<std::int64_t>(b.size()); }
  std::size_t ReadAt(std::int64_t at, char* out, std::size_t n) override {
    std::memcpy(out, bytes_.data() + at, n);
    return n;
  }

 private:
  std::string_view bytes_;
};

class FileSource final : public Source {
 public:
  explicit FileSource(std::FILE* f) : f_(f) {}
  std::size_t ReadAt(std::int64_t at, char* out, std::size_t n) override {
    if (at != at_ && std::fseek(f_, static_cast<long>(at), SEEK_SET) != 0) return 0;
    std::size_t got = std::fread(out, 1, n, f_);
    at_ = at + static_cast<std::int64_t>(got);
    return got;
  }

 private:
  std::FILE* f_;
  std::int64_t at_ = 0;
};

int ReadCallback(void* user, char* data, int size) { return static_cast<Source*>(user)->Read(data, size); }
void SkipCallback(void* user, int n) { static_cast<Source*>(user)->Skip(n); }
int EofCallback(void* user) {
  auto* s = static_cast<Source*>(user);
  return s->pos >= s->size ? 1 : 0;
}

void Start(stbi__context* ctx, Source& src) {
  src.Restart();
  stbi_io_callbacks cb{ReadCallback, SkipCallback, EofCallback};
  stbi__start_callbacks(ctx, &cb, &src);
}

// ---- Formats ------------------------------------------------------------------------------------
std::string DetectFormat(Source& src) {
  char head[8] = {};
  std::size_t n = src.ReadAt(0, head, static_cast<std::size_t>(std::min<std::int64_t>(8, src.size)));
  return DetectImageFormat(std::string_view(head, n));
}

std::string Upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

Error Invalid(const std::string& format, const std::string& why) {
  return Error{ErrorKind::kUnsupported, "invalid_image",
               "The upload starts like a " + Upper(format) + " image but does not decode (" + why + ").",
               "The file may be truncated or corrupt: export it again and upload the new file."};
}

Error TooLarge(std::int64_t w, std::int64_t h, std::int64_t max_pixels) {
  return Error{ErrorKind::kTooLarge, "image_too_large",
               "The image is " + std::to_string(w) + " x " + std::to_string(h) + " pixels; this server takes at most " +
                   std::to_string(max_pixels) + " pixels per image.",
               "Scale the image down, or ask the operator to raise limbod's --max-image-pixels."};
}

// PNG carries a CRC-32 on every chunk, which stb_image does not check: without this a flipped byte
// in the pixel data, or a missing end, decodes "fine". Walks the chunks up to IEND.
std::uint32_t Crc32(std::uint32_t crc, const unsigned char* p, std::size_t n) {
  static const auto kTable = [] {
    std::array<std::uint32_t, 256> t{};
    for (std::uint32_t i = 0; i < 256; ++i) {
      std::uint32_t c = i;
      for (int k = 0; k < 8; ++k) c = (c & 1U) ? 0xEDB88320U ^ (c >> 1) : c >> 1;
      t[i] = c;
    }
    return t;
  }();
  crc = ~crc;
  for (std::size_t i = 0; i < n; ++i) crc = kTable[(crc ^ p[i]) & 0xFFU] ^ (crc >> 8);
  return ~crc;
}

std::uint32_t Be32(const unsigned char* p) {
  return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) | std::uint32_t{p[3]};
}

std::optional<std::string> CheckPngChunks(Source& src) {
  std::int64_t at = 8;
  std::array<unsigned char, 65536> buf{};
  for (bool first = true;; first = false) {
    unsigned char head[8];
    if (src.size - at < 12 || src.ReadAt(at, reinterpret_cast<char*>(head), 8) != 8)
      return "it ends before its IEND chunk";
    std::uint32_t len = Be32(head);
    std::string type(reinterpret_cast<const char*>(head + 4), 4);
    if (len > 0x7FFFFFFFU || static_cast<std::int64_t>(len) > src.size - at - 12)
      return "chunk " + type + " runs past the end";
    if (first && type != "IHDR") return "it does not start with IHDR";
    std::uint32_t crc = Crc32(0, head + 4, 4);
    std::int64_t data_at = at + 8;
    for (std::uint32_t done = 0; done < len;) {
      std::size_t want = std::min<std::size_t>(buf.size(), len - done);
      if (src.ReadAt(data_at + done, reinterpret_cast<char*>(buf.data()), want) != want) return "a read failed";
      crc = Crc32(crc, buf.data(), want);
      done += static_cast<std::uint32_t>(want);
    }
    unsigned char stored[4];
    if (src.ReadAt(data_at + len, reinterpret_cast<char*>(stored), 4) != 4) return "a read failed";
    if (Be32(stored) != crc) return "chunk " + type + " has a wrong checksum";
    at = data_at + len + 4;
    if (type == "IEND") return std::nullopt;
  }
}

// stb_image 2.27 (Debian's) writes past a Huffman table when a DHT segment declares more than 256
// codes (fixed upstream in 2.28). The segments are walked here, up to EOI, and such a table is refused
// before stb sees it. Also refuses segments that run past the end.
std::optional<std::string> CheckJpegSegments(Source& src) {
  std::int64_t at = 2;  // after SOI
  auto byte_at = [&](std::int64_t pos) -> int {
    unsigned char b = 0;
    if (pos >= src.size || src.ReadAt(pos, reinterpret_cast<char*>(&b), 1) != 1) return -1;
    return b;
  };
  std::array<unsigned char, 65536> seg{};
  for (;;) {
    int b = byte_at(at);
    if (b < 0) return "it ends before its end marker";
    if (b != 0xFF) {
      // Entropy-coded data (after SOS): up to the next marker that is neither stuffing nor RSTn.
      std::int64_t next = -1;
      for (std::int64_t from = at; next < 0 && from < src.size;) {
        auto n =
            static_cast<std::size_t>(std::min<std::int64_t>(static_cast<std::int64_t>(seg.size()), src.size - from));
        if (src.ReadAt(from, reinterpret_cast<char*>(seg.data()), n) != n) return "a read failed";
        if (const void* hit = std::memchr(seg.data(), 0xFF, n)) {
          next = from + (static_cast<const unsigned char*>(hit) - seg.data());
        }
        from += static_cast<std::int64_t>(n);
      }
      if (next < 0) return "it ends before its end marker";
      at = next;
      continue;
    }
    int m = byte_at(at + 1);
    if (m < 0) return "it ends before its end marker";
    if (m == 0x00 || m == 0xFF || (m >= 0xD0 && m <= 0xD7)) {
      at += m == 0xFF ? 1 : 2;
      continue;
    }
    if (m == 0xD9) return std::nullopt;  // EOI
    if (m == 0x01) {                     // TEM: no length
      at += 2;
      continue;
    }
    int hi = byte_at(at + 2), lo = byte_at(at + 3);
    if (hi < 0 || lo < 0) return "it ends inside a segment header";
    std::int64_t len = (hi << 8) | lo;
    if (len < 2 || at + 2 + len > src.size) return "a segment runs past the end";
    if (m == 0xC4) {
      auto n = static_cast<std::size_t>(len - 2);
      if (src.ReadAt(at + 4, reinterpret_cast<char*>(seg.data()), n) != n) return "a read failed";
      for (std::size_t p = 0; p < n;) {
        if (n - p < 17) return "a Huffman table is cut short";
        std::size_t codes = 0;
        for (std::size_t i = 1; i <= 16; ++i) codes += seg[p + i];
        if (codes > 256) return "a Huffman table declares more than 256 codes";
        p += 17 + codes;
        if (p > n) return "a Huffman table is cut short";
      }
    }
    at += 2 + len;
  }
}

// stb_image's own GIF loop, without keeping the frames: each one decodes into the same canvas.
// Returns the number of frames, 0 on a decoding error. Stops once the frames decoded so far hold
// more than kGifFramePixelsFactor x max_pixels together (*too_many), so the work is bounded by that
// plus one frame. A file that ends right after a complete frame, without the trailer byte, is
// taken as browsers take it.
int DecodeGifFrames(stbi__context* ctx, std::int64_t pixels, std::int64_t max_pixels, bool* too_many) {
  stbi__gif g;
  std::memset(&g, 0, sizeof g);
  int frames = 0;
  int comp = 0;
  for (;;) {
    if (frames > 0 && stbi__at_eof(ctx)) break;  // no trailer
    stbi_uc* u = stbi__gif_load_next(ctx, &g, &comp, 0, nullptr);
    if (u == reinterpret_cast<stbi_uc*>(ctx)) break;  // the trailer
    if (!u) {
      frames = 0;
      break;
    }
    ++frames;
    if (pixels * frames > kGifFramePixelsFactor * max_pixels) {
      *too_many = true;
      break;
    }
  }
  STBI_FREE(g.out);
  STBI_FREE(g.history);
  STBI_FREE(g.background);
  return frames;
}

Result<ImageInfo> Inspect(Source& src, std::int64_t max_pixels) {
  ImageInfo info;
  info.format = DetectFormat(src);
  if (info.format.empty()) {
    return Error{ErrorKind::kUnsupported, "unsupported_media_type", "The upload is not a PNG, JPEG, GIF or BMP image.",
                 "Limbo takes PNG, JPEG, GIF and BMP files."};
  }
  if (src.size > std::numeric_limits<int>::max()) return Invalid(info.format, "it is over 2 GiB");
  if (info.format == "jpeg") {
    if (auto why = CheckJpegSegments(src)) return Invalid(info.format, *why);
  }
  if (info.format == "png") {
    if (auto why = CheckPngChunks(src)) return Invalid(info.format, *why);
    // stb_image refuses a PNG over 1 GiB of pixels as corrupt; the size is read here to say why.
    unsigned char ihdr[8];
    if (src.ReadAt(16, reinterpret_cast<char*>(ihdr), 8) == 8) {
      auto w = static_cast<std::int64_t>(Be32(ihdr)), h = static_cast<std::int64_t>(Be32(ihdr + 4));
      if (w * h > max_pixels) return TooLarge(w, h, max_pixels);
    }
  }

  // The header first, on a small budget: the pixel count is known before pixel memory is asked for.
  Budget budget{static_cast<std::size_t>(kDecodeSlackBytes), 0, 0};
  t_budget = &budget;
  struct Reset {
    ~Reset() { t_budget = nullptr; }
  } reset;
  stbi__context ctx;
  int w = 0, h = 0, comp = 0;
  Start(&ctx, src);
  int ok = 0;
  if (info.format == "png") ok = stbi__png_info(&ctx, &w, &h, &comp);
  if (info.format == "jpeg") ok = stbi__jpeg_info(&ctx, &w, &h, &comp);
  if (info.format == "gif") ok = stbi__gif_info(&ctx, &w, &h, &comp);
  if (info.format == "bmp") ok = stbi__bmp_info(&ctx, &w, &h, &comp);
  if (!ok || w <= 0 || h <= 0) return Invalid(info.format, "its header is not valid");
  std::int64_t pixels = std::int64_t{w} * h;
  if (pixels > max_pixels) return TooLarge(w, h, max_pixels);

  // Then the whole image, within a budget the pixel count allows.
  budget.limit = static_cast<std::size_t>(kDecodeBytesPerPixel * pixels + 2 * src.size + kDecodeSlackBytes);
  Start(&ctx, src);
  stbi__result_info ri;
  std::memset(&ri, 0, sizeof ri);
  int dw = 0, dh = 0;
  void* px = nullptr;
  bool too_many_frames = false;
  if (info.format == "png") px = stbi__png_load(&ctx, &dw, &dh, &comp, 0, &ri);
  if (info.format == "jpeg") px = stbi__jpeg_load(&ctx, &dw, &dh, &comp, 0, &ri);
  if (info.format == "bmp") px = stbi__bmp_load(&ctx, &dw, &dh, &comp, 0, &ri);
  if (info.format == "gif") {
    info.frames = DecodeGifFrames(&ctx, pixels, max_pixels, &too_many_frames);
    dw = w;
    dh = h;
  }
  bool decoded = px != nullptr || (info.format == "gif" && info.frames > 0);
  STBI_FREE(px);
  info.decode_bytes = static_cast<std::int64_t>(budget.peak);
  if (too_many_frames) {
    return Error{ErrorKind::kTooLarge, "image_too_large",
                 "The animated GIF's frames hold more than " + std::to_string(kGifFramePixelsFactor * max_pixels) +
                     " pixels together; this server takes at most that many per animation.",
                 "Upload fewer or smaller frames, or ask the operator to raise limbod's --max-image-pixels."};
  }
  if (!decoded) {
    const char* why = stbi_failure_reason();
    std::string reason = why ? why : "unknown error";
    if (reason == "outofmem") reason = "it needs more memory than its size allows";
    if (src.starved) reason = "it ends too early";
    return Invalid(info.format, reason);
  }
  if (src.starved) return Invalid(info.format, "it ends too early");
  if (dw != w || dh != h) return Invalid(info.format, "its header and its data disagree on the size");
  info.width = dw;
  info.height = dh;
  return info;
}

}  // namespace

Result<ImageInfo> InspectImage(std::string_view bytes, std::int64_t max_pixels) {
  MemorySource src(bytes);
  return Inspect(src, max_pixels);
}

Result<ImageInfo> InspectImageFile(const std::string& path, std::int64_t max_pixels) {
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> f(std::fopen(path.c_str(), "rb"), &std::fclose);
  struct stat st {};
  if (!f || ::fstat(::fileno(f.get()), &st) != 0 || !S_ISREG(st.st_mode)) {
    return Error::Internal("The uploaded file could not be read back.");
  }
  FileSource src(f.get());
  src.size = static_cast<std::int64_t>(st.st_size);
  return Inspect(src, max_pixels);
}

std::string DetectImageFormat(std::string_view b) {
  auto starts = [&](std::string_view magic) { return b.substr(0, magic.size()) == magic; };
  if (starts("\x89PNG\r\n\x1a\n")) return "png";
  if (starts("\xff\xd8\xff")) return "jpeg";
  if (starts("GIF87a") || starts("GIF89a")) return "gif";
  if (starts("BM")) return "bmp";
  return {};
}

std::string DetectImageFileFormat(const std::string& path) {
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> f(std::fopen(path.c_str(), "rb"), &std::fclose);
  if (!f) return {};
  char head[8] = {};
  std::size_t n = std::fread(head, 1, sizeof head, f.get());
  return DetectImageFormat(std::string_view(head, n));
}

std::optional<std::string> ImageFormatOfMediaType(std::string_view media_type) {
  std::string t;
  for (char c : media_type.substr(0, media_type.find(';'))) {
    if (c != ' ' && c != '\t') t += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  if (t.rfind("image/", 0) != 0) return std::nullopt;
  if (t == "image/png" || t == "image/x-png" || t == "image/apng") return "png";
  if (t == "image/jpeg" || t == "image/jpg" || t == "image/pjpeg") return "jpeg";
  if (t == "image/gif") return "gif";
  if (t == "image/bmp" || t == "image/x-bmp" || t == "image/x-ms-bmp") return "bmp";
  return std::string();
}

std::string MediaTypeOfImageFormat(std::string_view format) {
  if (format == "jpeg") return "image/jpeg";
  return "image/" + std::string(format);
}

}  // namespace limbo::core
