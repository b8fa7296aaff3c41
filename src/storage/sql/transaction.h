#pragma once

#include "domain/store.h"
#include "storage/sql/accounts.h"
#include "storage/sql/api_keys.h"
#include "storage/sql/audit.h"
#include "storage/sql/blobs.h"
#include "storage/sql/db.h"
#include "storage/sql/fsck.h"
#include "storage/sql/groups.h"
#include "storage/sql/images.h"
#include "storage/sql/invitations.h"
#include "storage/sql/jobs.h"
#include "storage/sql/members.h"
#include "storage/sql/projects.h"
#include "storage/sql/server.h"
#include "storage/sql/trash.h"
#include "storage/sql/versions.h"
#include "storage/sql/workflows.h"
#include "storage/sql/workspaces.h"

namespace limbo::storage::sql {

// domain::Transaction over one open transaction of either backend: every aggregate's SQL, written
// once, runs on the backend's Db. Each aggregate is a few words of state (a reference to the Db).
class Transaction final : public domain::Transaction {
 public:
  explicit Transaction(Db& db, std::uint64_t snapshot_serial = 0)
      : snapshot_serial_(snapshot_serial),
        workspaces_(db),
        accounts_(db),
        members_(db),
        invitations_(db),
        api_keys_(db),
        groups_(db),
        projects_(db),
        images_(db),
        blobs_(db),
        versions_(db),
        jobs_(db),
        workflows_(db),
        trash_(db),
        audit_(db),
        server_(db),
        fsck_(db) {}

  domain::WorkspaceRows& workspaces() override { return workspaces_; }
  domain::AccountRows& accounts() override { return accounts_; }
  domain::MemberRows& members() override { return members_; }
  domain::InvitationRows& invitations() override { return invitations_; }
  domain::ApiKeyRows& api_keys() override { return api_keys_; }
  domain::GroupRows& groups() override { return groups_; }
  domain::ProjectRows& projects() override { return projects_; }
  domain::ImageRows& images() override { return images_; }
  domain::BlobRefs& blobs() override { return blobs_; }
  domain::VersionRows& versions() override { return versions_; }
  domain::JobRows& jobs() override { return jobs_; }
  domain::WorkflowRows& workflows() override { return workflows_; }
  domain::TrashRows& trash() override { return trash_; }
  domain::AuditRows& audit() override { return audit_; }
  domain::ServerRows& server() override { return server_; }
  domain::FsckRows& fsck() override { return fsck_; }
  std::uint64_t snapshot_serial() const override { return snapshot_serial_; }

 private:
  std::uint64_t snapshot_serial_;
  Workspaces workspaces_;
  Accounts accounts_;
  Members members_;
  Invitations invitations_;
  ApiKeys api_keys_;
  Groups groups_;
  Projects projects_;
  Images images_;
  Blobs blobs_;
  Versions versions_;
  Jobs jobs_;
  Workflows workflows_;
  Trash trash_;
  Audit audit_;
  Server server_;
  Fsck fsck_;
};

}  // namespace limbo::storage::sql
