#pragma once

#include <atomic>
#include <cstdint>
#include <functional>

#include "core/result.h"
#include "domain/rows/account_rows.h"
#include "domain/rows/api_key_rows.h"
#include "domain/rows/audit_rows.h"
#include "domain/rows/blob_refs.h"
#include "domain/rows/fsck_rows.h"
#include "domain/rows/group_rows.h"
#include "domain/rows/image_rows.h"
#include "domain/rows/invitation_rows.h"
#include "domain/rows/job_rows.h"
#include "domain/rows/member_rows.h"
#include "domain/rows/project_rows.h"
#include "domain/rows/server_rows.h"
#include "domain/rows/trash_rows.h"
#include "domain/rows/version_rows.h"
#include "domain/rows/workflow_rows.h"
#include "domain/rows/workspace_rows.h"

namespace limbo::domain {

// One database transaction, handing out the aggregates it covers: domain code names only the ones
// it uses (`tx.projects().ById(id)`). Every method of every aggregate runs inside the transaction;
// failures of the database itself are thrown by the implementation and turned into an Error by Store
// at the transaction boundary, so domain code reads as a sequence of steps. Methods that find nothing
// return nullopt / empty. The references are valid for the transaction's lifetime.
class Transaction {
 public:
  virtual ~Transaction() = default;

  virtual WorkspaceRows& workspaces() = 0;
  virtual AccountRows& accounts() = 0;
  virtual MemberRows& members() = 0;
  virtual InvitationRows& invitations() = 0;
  virtual ApiKeyRows& api_keys() = 0;
  virtual GroupRows& groups() = 0;
  virtual ProjectRows& projects() = 0;
  virtual ImageRows& images() = 0;
  virtual BlobRefs& blobs() = 0;
  virtual VersionRows& versions() = 0;
  virtual JobRows& jobs() = 0;
  virtual WorkflowRows& workflows() = 0;
  virtual TrashRows& trash() = 0;
  virtual AuditRows& audit() = 0;
  virtual ServerRows& server() = 0;
  virtual FsckRows& fsck() = 0;

  // Nonzero while this transaction is a read scope's shared one (Store::BeginReadScope), and the
  // same for every Read of that scope: what one Read found in the snapshot, the next may reuse.
  // Unique in the process (NextSnapshotSerial), never reused by another transaction.
  virtual std::uint64_t snapshot_serial() const { return 0; }
};

// A fresh, process-wide snapshot serial for a shared read transaction (never 0).
inline std::uint64_t NextSnapshotSerial() {
  static std::atomic<std::uint64_t> next{0};
  return ++next;
}

using TxFn = std::function<core::Status(Transaction&)>;

// A database holding Limbo's metadata. Thread-safe.
class Store {
 public:
  virtual ~Store() = default;
  // Runs fn in a read transaction: one consistent snapshot.
  virtual core::Status Read(const TxFn& fn) = 0;
  // Runs fn in a write transaction, committed only when fn succeeds. fn may run again when the
  // database was busy, or be cut short by a rollback or a crash after any statement, so it must only
  // capture its results, not act on the world.
  // Nothing in fn may touch files, the network or other processes: not even the blob store, whose
  // requests (an object store's round trips) would hold the database's write lock or widen the
  // window of a PostgreSQL SERIALIZABLE conflict. T13 is kept by the collection queue's claims
  // instead (storage/sql/blobs.cc).
  virtual core::Status Write(const TxFn& fn) = 0;
  // The newest schema version this binary knows (the one it migrated the database to at open).
  virtual int schema_version() const = 0;

  // A request's reads in one transaction (ReadScope): while a scope of this thread is open, every
  // Read runs in one shared read transaction, opened at the first Read (one snapshot, one pooled
  // connection, one BEGIN), until the scope closes. A Write on the thread ends the shared
  // transaction first, so a Read after it opens a new one and sees the write. BeginReadScope
  // returns false (and the scope does nothing) when this thread already has a scope, of any store.
  virtual bool BeginReadScope() { return false; }
  virtual void EndReadScope() {}
};

// Opens a request's read scope for its lifetime (see Store::BeginReadScope).
class ReadScope {
 public:
  explicit ReadScope(Store& store) : store_(store), open_(store.BeginReadScope()) {}
  ~ReadScope() {
    if (open_) store_.EndReadScope();
  }
  ReadScope(const ReadScope&) = delete;
  ReadScope& operator=(const ReadScope&) = delete;

 private:
  Store& store_;
  bool open_;
};

}  // namespace limbo::domain
