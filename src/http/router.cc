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
// Whether `r` fits the path, and how specifically (higher is more specific: literal beats capture,
// segment by segment). Builds no captures: most routes do not fit, and only the winner's are needed.
bool Fits(const Route& r, const std::vector<std::string>& segs, std::vector<int>* score) {
  bool tail = !r.segments.empty() && r.segments.back().front() == '*';
  if (tail ? segs.size() < r.segments.size() - 1 : segs.size() != r.segments.size()) return false;
  score->clear();
  for (std::size_t i = 0; i < r.segments.size(); ++i) {
    const std::string& p = r.segments[i];
    if (p.front() == '*') {
      score->push_back(0);
      break;
    }
    if (p.front() == ':') {
      score->push_back(1);
    } else if (p == segs[i]) {
      score->push_back(2);
    } else {
      return false;
    }
  }
  return true;
}

void Capture(const Route& r, const std::vector<std::string>& segs, Params* params) {
  for (std::size_t i = 0; i < r.segments.size(); ++i) {
    const std::string& p = r.segments[i];
    if (p.front() == '*') {
      std::string rest;
      for (std::size_t k = i; k < segs.size(); ++k) rest += (k > i ? "/" : "") + segs[k];
      (*params)[p.substr(1)] = rest;
      break;
    }
    if (p.front() == ':') (*params)[p.substr(1)] = segs[i];
  }
}
}  // namespace

RouteMatch Router::Match(const std::string& method, const std::string& path) const {
  auto segs = SplitPath(path);
  RouteMatch best;
  std::vector<int> best_score, score;
  for (const auto& r : routes_) {
    if (!Fits(r, segs, &score)) continue;
    if (r.method != method && !(method == "HEAD" && r.method == "GET")) {
      best.path_matched = true;
      continue;
    }
    if (!best.route || score > best_score) {
      best.route = &r;
      best_score.swap(score);
    }
  }
  if (best.route) Capture(*best.route, segs, &best.params);
  return best;
}

}  // namespace limbo::http
