#pragma once

#include "core/result.h"

namespace limbo::http {

// What request handlers may ask of the background worker: the HTTP layer knows no more of it
// (src/app/main.cc adapts jobs::Background to this).
class BackgroundControl {
 public:
  virtual ~BackgroundControl() = default;
  // Look for cleanup work now (after a permanent deletion); returns at once.
  virtual void Wake() = 0;
  // Run the due background work to completion in the calling thread (POST /_dev/clock).
  // Fails only for a storage failure.
  virtual core::Status RunToCompletion() = 0;
  // Whether this process's last attempt at the cleanup lease won it (limbo_cleanup_leader).
  virtual bool Leading() const { return false; }
};

}  // namespace limbo::http
