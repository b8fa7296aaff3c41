#include "http/range.h"

#include <limits>
#include <optional>

#include "http/text.h"

namespace limbo::http {

namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Digits only, at least one; a value past 2^64 - 1 saturates (a first byte that far is past any end).
std::optional<std::uint64_t> Number(std::string_view s) {
  if (s.empty()) return std::nullopt;
  std::uint64_t v = 0;
  constexpr std::uint64_t kMax = std::numeric_limits<std::uint64_t>::max();
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    auto d = static_cast<std::uint64_t>(c - '0');
    v = v > (kMax - d) / 10 ? kMax : v * 10 + d;
  }
  return v;
}

}  // namespace

RangeChoice ParseRange(std::string_view header, std::uint64_t size) {
  RangeChoice whole;
  header = Trim(header);
  constexpr std::string_view kUnit = "bytes=";
  if (header.size() <= kUnit.size() || !AsciiIEquals(header.substr(0, kUnit.size()), kUnit)) return whole;
  std::string_view spec = Trim(header.substr(kUnit.size()));
  if (spec.find(',') != std::string_view::npos) return whole;  // several ranges: not served
  auto dash = spec.find('-');
  if (dash == std::string_view::npos) return whole;
  std::string_view a = spec.substr(0, dash);
  std::string_view b = spec.substr(dash + 1);
  RangeChoice out;
  if (a.empty()) {  // bytes=-n: the last n bytes
    auto n = Number(b);
    if (!n) return whole;
    if (*n == 0 || size == 0) return {RangeChoice::kUnsatisfiable, 0, 0};
    out.kind = RangeChoice::kPartial;
    out.first = *n >= size ? 0 : size - *n;
    out.last = size - 1;
    return out;
  }
  auto first = Number(a);
  if (!first) return whole;
  std::uint64_t last = std::numeric_limits<std::uint64_t>::max();
  if (!b.empty()) {
    auto l = Number(b);
    if (!l || *l < *first) return whole;  // an invalid range-spec: the header is ignored
    last = *l;
  }
  if (*first >= size) return {RangeChoice::kUnsatisfiable, 0, 0};
  out.kind = RangeChoice::kPartial;
  out.first = *first;
  out.last = last >= size ? size - 1 : last;
  return out;
}

bool IfNoneMatchMatches(std::string_view header, std::string_view etag) {
  header = Trim(header);
  if (header == "*") return true;
  std::string_view want = etag;  // the opaque tag with its quotes
  while (!header.empty()) {
    auto comma = header.find(',');
    std::string_view tag = Trim(header.substr(0, comma));
    if (tag.size() >= 2 && (tag[0] == 'W' || tag[0] == 'w') && tag[1] == '/') tag.remove_prefix(2);
    if (tag == want) return true;
    if (comma == std::string_view::npos) break;
    header.remove_prefix(comma + 1);
  }
  return false;
}

}  // namespace limbo::http
