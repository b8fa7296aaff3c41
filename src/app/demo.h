#pragma once

#include <string>

#include "domain/account_service.h"
#include "domain/content_service.h"
#include "domain/training_service.h"
#include "domain/trash_service.h"

namespace limbo::app {

struct DemoLogin {
  std::string workspace;
  std::string email;
  std::string password;
  std::string api_key;
  bool created = false;  // false: the demo workspace already existed
};

// Seeds the demo workspace `demo` (once): generated images in a few projects (two sharing images),
// groups, versions, a finished training job with a serving model, workflows, a second member and
// Trash items of different ages. The story is written on a clock of its own that starts a month
// before `now`, so the Trash shows items deleted 28, 9 and 1 days ago.
core::Result<DemoLogin> SeedDemo(domain::Store& store, domain::BlobStore& blobs, domain::ModelArtifacts& models,
                                 core::TimeMs now);

}  // namespace limbo::app
