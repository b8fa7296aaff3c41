#include "object_ref.h"

#include <algorithm>
#include <vector>

namespace limbo::cli {
namespace {

std::vector<std::string> Split(std::string_view text) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (true) {
    size_t slash = text.find('/', start);
    parts.emplace_back(text.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start));
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return parts;
}

bool IsVersionNumber(const std::string& text) {
  return !text.empty() && text.size() <= 9 && text[0] != '0' &&
         std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

Failure BadRef(std::string_view text, RefKind kind) {
  std::string expected = kind == RefKind::kVersion    ? "workspace/project/N or project/N"
                         : kind == RefKind::kProject  ? "workspace/project or project"
                         : kind == RefKind::kTraining ? "workspace/project/N/TRAINING_ID or workspace/TRAINING_ID"
                                                      : "workspace/workflow or workflow";
  return Failure::Error("invalid_reference", std::string("'").append(text) + "' is not a " + KindName(kind) +
                                                 " reference; expected " + expected + ".");
}

}  // namespace

std::string ObjectRef::ToString() const {
  std::string out;
  for (const std::string* part : {&workspace, &name, &version, &training}) {
    if (part->empty()) continue;
    if (!out.empty()) out += "/";
    out += *part;
  }
  return out;
}

const char* KindName(RefKind kind) {
  switch (kind) {
    case RefKind::kProject:
      return "project";
    case RefKind::kVersion:
      return "version";
    case RefKind::kWorkflow:
      return "workflow";
    case RefKind::kTraining:
      return "training";
  }
  return "object";
}

Outcome<ObjectRef> ParseRef(std::string_view text, RefKind kind) {
  std::vector<std::string> parts = Split(text);
  if (std::any_of(parts.begin(), parts.end(), [](const std::string& p) { return p.empty(); }))
    return Fail(BadRef(text, kind));
  ObjectRef ref;
  if (kind == RefKind::kTraining) {
    if (parts.size() > 4) return Fail(BadRef(text, kind));
    ref.training = parts.back();
    if (parts.size() >= 3) {
      if (!IsVersionNumber(parts[parts.size() - 2])) return Fail(BadRef(text, kind));
      ref.version = parts[parts.size() - 2];
      ref.name = parts[parts.size() - 3];
    }
    if (parts.size() == 2 || parts.size() == 4) ref.workspace = parts[0];
    return ref;
  }
  if (kind == RefKind::kVersion) {
    if (parts.size() < 2 || parts.size() > 3 || !IsVersionNumber(parts.back())) return Fail(BadRef(text, kind));
    ref.version = parts.back();
    ref.name = parts[parts.size() - 2];
    if (parts.size() == 3) ref.workspace = parts[0];
    return ref;
  }
  if (parts.size() > 2) return Fail(BadRef(text, kind));
  ref.name = parts.back();
  if (parts.size() == 2) ref.workspace = parts[0];
  return ref;
}

}  // namespace limbo::cli
