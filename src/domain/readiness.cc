#include "domain/readiness.h"

#include <string>

#include "domain/process_metrics.h"

namespace limbo::domain {

using core::Error;
using core::ErrorKind;
using core::Status;

namespace {
Error Unready(const std::string& code, const std::string& message) {
  return Error{ErrorKind::kUnavailable, code, message, {}};
}
}  // namespace

Status Readiness::Check() const {
  int stored = 0;
  Status read = store_.Read([&](Transaction& tx) -> Status {
    stored = tx.server().SchemaVersion();
    return core::Ok();
  });
  if (!read) {
    return Unready("database_unavailable", "The database does not answer.")
        .WithDetail(read.error().message + " " + read.error().detail);
  }
  if (stored != store_.schema_version()) {
    return Unready("schema_mismatch", "The database schema is version " + std::to_string(stored) +
                                          "; this server knows version " + std::to_string(store_.schema_version()) +
                                          ".");
  }
  if (Status probe = CountedBlobStatus("probe", blobs_.Probe()); !probe) {
    return Unready("blob_store_unwritable", "The blob store does not take a write.")
        .WithDetail(probe.error().message + " " + probe.error().detail);
  }
  return core::Ok();
}

}  // namespace limbo::domain
