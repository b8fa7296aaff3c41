#include "client/paths.h"

namespace limbo::client {
namespace {

bool IsUnreserved(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
         c == '_' || c == '~';
}

}  // namespace

std::string Escape(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (char ch : text) {
    auto c = static_cast<unsigned char>(ch);
    if (IsUnreserved(c)) {
      out.push_back(ch);
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0x0F]);
    }
  }
  return out;
}

std::string Path(std::initializer_list<std::string_view> segments) {
  std::string out;
  for (std::string_view segment : segments) {
    out.push_back('/');
    out += Escape(segment);
  }
  return out.empty() ? "/" : out;
}

std::string QueryString(const Query& query) {
  std::string out;
  for (const auto& [key, value] : query) {
    out.push_back(out.empty() ? '?' : '&');
    out += Escape(key);
    out.push_back('=');
    out += Escape(value);
  }
  return out;
}

}  // namespace limbo::client
