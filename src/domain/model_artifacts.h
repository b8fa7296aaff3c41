#pragma once

#include <string>
#include <vector>

#include "core/result.h"
#include "domain/entities.h"

namespace limbo::domain {

// Writes the artifact of a finished job. The default demo trainer writes a small JSON model file.
class ModelArtifacts {
 public:
  virtual ~ModelArtifacts() = default;
  virtual core::Status Write(const Job& job, const std::string& content) = 0;
  virtual void Remove(const std::string& job_id) = 0;
  // The job ids whose model files exist (fsck).
  virtual std::vector<std::string> List() const = 0;
};

}  // namespace limbo::domain
