#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "http/message.h"

namespace limbo::http {

// Who may call a route. Checked by the API before any handler runs.
enum class Access {
  kPublic,   // no credentials
  kApi,      // an API key or a session (with CSRF on unsafe methods)
  kSession,  // a session only (web app routes); no CSRF needed for GET
  kWebOnly,  // a session and its CSRF token; API keys are refused with `web_only` (T11)
};

struct RouteMatch;
using Params = std::map<std::string, std::string>;

struct Route {
  std::string method;
  std::string pattern;  // "/:ws/trash/restore"; ":name" segments capture, "*rest" captures the tail
  Access access = Access::kApi;
  std::string name;  // stable handler name, used in logs
  std::vector<std::string> segments;
};

struct RouteMatch {
  const Route* route = nullptr;
  Params params;
  bool path_matched = false;  // some route matched the path but not the method (405)
};

// Matches a path against patterns: literal segments beat captures, so "/:ws/projects" wins over
// "/:ws/:project". Not thread-safe to modify; safe to match from many threads once built.
class Router {
 public:
  void Add(std::string method, std::string pattern, Access access, std::string name);
  RouteMatch Match(const std::string& method, const std::string& path) const;
  const std::vector<Route>& routes() const { return routes_; }

 private:
  std::vector<Route> routes_;
};

std::vector<std::string> SplitPath(const std::string& path);

}  // namespace limbo::http
