#include "http/paging.h"

#include <algorithm>

#include "http/json_mapping.h"

namespace limbo::http {

core::Result<PageParams> ReadPage(const Request& req, const LimitRule& rule) {
  PageParams page;
  page.limit = rule.fallback;
  if (const auto* s = req.Query("limit")) {
    std::optional<int> n;
    try {
      n = std::stoi(*s);
    } catch (...) {
    }
    if (rule.out_of_range == LimitRule::OutOfRange::kReject) {
      if (!n || *n < rule.min || *n > rule.max) {
        return core::Error::Invalid("Query parameter 'limit' must be between " + std::to_string(rule.min) + " and " +
                                    std::to_string(rule.max) + ".");
      }
    } else if (!n) {
      return core::Error::Invalid("Query parameter 'limit' must be a number.");
    }
    page.limit = std::clamp(*n, rule.min, rule.max);
  }
  if (const auto* s = req.Query("cursor"); s && !s->empty()) page.cursor = *s;
  return page;
}

core::Result<Cursor> ParseCursor(const std::string& cursor, const std::function<bool(const std::string&)>& key_ok) {
  Cursor c;
  if (!DecodeCursor(cursor, &c.key, &c.id) || !key_ok(c.key)) {
    return core::Error::Invalid("Query parameter 'cursor' is not a cursor of this listing.", "invalid_cursor");
  }
  return c;
}

}  // namespace limbo::http
