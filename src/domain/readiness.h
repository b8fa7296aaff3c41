#pragma once

#include "core/result.h"
#include "domain/blob_store.h"
#include "domain/store.h"

namespace limbo::domain {

// Whether this server can serve now (`GET /readyz`, for load balancers): the database answers, its
// schema is the one this binary knows (a newer server may have migrated it further), and the blob
// store takes a write. Cheap: one read of one row and one small file. Thread-safe.
class Readiness {
 public:
  Readiness(Store& store, BlobStore& blobs) : store_(store), blobs_(blobs) {}

  // Ok, or the first check that failed: 503 `database_unavailable`, `schema_mismatch` or
  // `blob_store_unwritable`, its cause in the error's detail.
  core::Status Check() const;

 private:
  Store& store_;
  BlobStore& blobs_;
};

}  // namespace limbo::domain
