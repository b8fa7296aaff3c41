#pragma once

#include <string>

#include "domain/model_artifacts.h"

namespace limbo::storage::blob {

// Model artifacts as files root/<job id>.json.
class ModelFiles final : public domain::ModelArtifacts {
 public:
  explicit ModelFiles(std::string root);
  core::Status Write(const domain::Job& job, const std::string& content) override;
  void Remove(const std::string& job_id) override;
  std::vector<std::string> List() const override;

 private:
  std::string root_;
};

}  // namespace limbo::storage::blob
