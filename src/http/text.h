#pragma once

#include <algorithm>
#include <cctype>
#include <string>
#include <string_view>

// Small text helpers for HTTP field values, shared by the request reader, authentication, the
// same-origin check, the proxy list and multipart parsing.
namespace limbo::http {

// Optional whitespace around and inside a field value: a space or a tab (RFC 9110 5.6.3).
inline bool IsOws(char c) { return c == ' ' || c == '\t'; }

inline std::string_view TrimOws(std::string_view s) {
  while (!s.empty() && IsOws(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsOws(s.back())) s.remove_suffix(1);
  return s;
}

// ASCII lower case (field names, schemes, hosts, media types); other bytes stay as they are.
inline std::string AsciiLower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

inline bool AsciiIEquals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

// 1 to max_len decimal digits and nothing else.
inline bool AllDigits(std::string_view s, std::size_t max_len) {
  return !s.empty() && s.size() <= max_len &&
         std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace limbo::http
