#pragma once

#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace limbo::client {

// Percent-encodes everything but RFC 3986 unreserved characters, so the result is one path
// segment or one query value whatever the input contains ("a/b" stays one segment).
std::string Escape(std::string_view text);

// "/" + escaped segments joined by "/": Path({"acme", "my project"}) == "/acme/my%20project".
std::string Path(std::initializer_list<std::string_view> segments);

using Query = std::vector<std::pair<std::string, std::string>>;

// "?k=v&k2=v2" with escaped keys and values, or "" for an empty query.
std::string QueryString(const Query& query);

}  // namespace limbo::client
