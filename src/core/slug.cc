#include "core/slug.h"

#include <algorithm>
#include <array>
#include <cctype>

namespace limbo::core {

std::string Slugify(std::string_view name) {
  std::string out;
  bool dash = false;
  for (unsigned char c : name) {
    if (std::isalnum(c) && c < 128) {
      if (dash && !out.empty()) out.push_back('-');
      dash = false;
      out.push_back(static_cast<char>(std::tolower(c)));
    } else {
      dash = true;
    }
    if (out.size() >= 64) break;
  }
  while (!out.empty() && out.back() == '-') out.pop_back();
  return out;
}

bool IsValidSlug(std::string_view s) {
  if (s.empty() || s.size() > 64) return false;
  auto ok = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
  if (!ok(s.front()) || !ok(s.back())) return false;
  return std::all_of(s.begin(), s.end(), [&](char c) { return ok(c) || c == '-'; });
}

bool IsReservedSlug(std::string_view s) {
  static constexpr std::array<std::string_view, 22> kReserved = {
      "app",      "api",       "dataset", "infer",    "static", "healthz", "readyz", "metrics",
      "projects", "workflows", "trash",   "images",   "jobs",   "usage",   "audit",  "members",
      "roles",    "api-keys",  "groups",  "settings", "upload", "versions"};
  return std::find(kReserved.begin(), kReserved.end(), s) != kReserved.end();
}

}  // namespace limbo::core
