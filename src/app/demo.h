#pragma once

#include <string>

#include "domain/account_service.h"
#include "domain/content_service.h"
#include "domain/trash_service.h"
#include "domain/training_service.h"

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
// Trash items of different ages.
core::Result<DemoLogin> SeedDemo(domain::AccountService& accounts, domain::ContentService& content,
                                 domain::TrainingService& training, domain::TrashService& trash,
                                 core::ManualClock* dev_clock);

}  // namespace limbo::app
