#pragma once

#include <cstdint>
#include <string_view>

namespace limbo::http {

// What a GET's `Range` header asks of a body of `size` bytes (RFC 9110 §14). Only one range of bytes
// is served: a header that is malformed, names another unit or asks for several ranges is ignored (the
// whole body, 200), as the RFC lets a server do.
struct RangeChoice {
  enum Kind { kWhole, kPartial, kUnsatisfiable };
  Kind kind = kWhole;
  std::uint64_t first = 0;  // kPartial: the first and last byte, inclusive, both < size
  std::uint64_t last = 0;
};

// `bytes=a-b` (b cut to size - 1), `bytes=a-`, `bytes=-n` (the last n bytes, all of them when n >=
// size). Unsatisfiable: a first byte at or past the end, a suffix of 0 bytes, any range of an empty
// body.
RangeChoice ParseRange(std::string_view header, std::uint64_t size);

// Whether an If-None-Match value ("*", or a list of entity tags, weak or strong) matches `etag` (a
// strong tag with its quotes) by the weak comparison RFC 9110 §13.1.2 prescribes.
bool IfNoneMatchMatches(std::string_view header, std::string_view etag);

}  // namespace limbo::http
