#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "core/result.h"
#include "http/message.h"

namespace limbo::http {

// How a paged listing takes its `limit` query parameter.
struct LimitRule {
  int fallback = 50;  // when the query has no `limit`
  int min = 1;
  int max = 500;
  // kClamp brings a number into [min, max] (a `limit` that is no number is a 400); kReject answers
  // 400 naming the range for anything outside it, a number or not.
  enum class OutOfRange { kClamp, kReject } out_of_range = OutOfRange::kClamp;
};

// The `limit` and `cursor` query parameters of a paged listing, read the same way by every one.
struct PageParams {
  int limit = 0;                      // within the rule's [min, max]
  std::optional<std::string> cursor;  // as sent; absent when missing or empty
};

// 400 `invalid_request` for a bad `limit`; the cursor is left to the listing (ParseCursor, or an id).
core::Result<PageParams> ReadPage(const Request& req, const LimitRule& rule);

// An opaque cursor made by EncodeCursor: 400 `invalid_cursor` when it does not decode or its key
// is not one this listing makes.
struct Cursor {
  std::string key;
  std::int64_t id = 0;
};
core::Result<Cursor> ParseCursor(const std::string& cursor, const std::function<bool(const std::string&)>& key_ok);

}  // namespace limbo::http
