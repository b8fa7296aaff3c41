#include "http/router.h"

namespace limbo::http {

std::vector<std::string> SplitPath(const std::string& path) {
  std::vector<std::string> out;
  std::size_t i = 0;
  while (i < path.size()) {
    while (i < path.size() && path[i] == '/') ++i;
    std::size_t j = path.find('/', i);
    if (j == std::string::npos) j = path.size();
    if (j > i) out.push_back(path.substr(i, j - i));
    i = j;
  }
  return out;
}

void Router::Add(std::string method, std::string pattern, Access access, std::string name) {
  Route r{std::move(method), std::move(pattern), access, std::move(name), {}};
  r.segments = SplitPath(r.pattern);
  routes_.push_back(std::move(r));
}

namespace {
// Higher is more specific: compares literal-vs-capture segment by segment.
bool MatchRoute(const Route& r, const std::vector<std::string>& segs, Params* params, std::vector<int>* score) {
  bool tail = !r.segments.empty() && r.segments.back().front() == '*';
  if (tail ? segs.size() < r.segments.size() - 1 : segs.size() != r.segments.size()) return false;
  score->clear();
  for (std::size_t i = 0; i < r.segments.size(); ++i) {
    const std::string& p = r.segments[i];
    if (p.front() == '*') {
      std::string rest;
      for (std::size_t k = i; k < segs.size(); ++k) rest += (k > i ? "/" : "") + segs[k];
      (*params)[p.substr(1)] = rest;
      score->push_back(0);
      break;
    }
    if (p.front() == ':') {
      (*params)[p.substr(1)] = segs[i];
      score->push_back(1);
    } else if (p == segs[i]) {
      score->push_back(2);
    } else {
      return false;
    }
  }
  return true;
}
}  // namespace

RouteMatch Router::Match(const std::string& method, const std::string& path) const {
  auto segs = SplitPath(path);
  RouteMatch best;
  std::vector<int> best_score, score;
  for (const auto& r : routes_) {
    Params params;
    if (!MatchRoute(r, segs, &params, &score)) continue;
    if (r.method != method && !(method == "HEAD" && r.method == "GET")) {
      best.path_matched = true;
      continue;
    }
    if (!best.route || score > best_score) {
      best.route = &r;
      best.params = std::move(params);
      best_score = score;
    }
  }
  return best;
}

}  // namespace limbo::http
