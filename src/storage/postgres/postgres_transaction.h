#pragma once

#include <optional>
#include <string>
#include <type_traits>

#include "domain/store.h"
#include "storage/postgres/connection.h"

namespace limbo::storage::postgres {

// domain::Transaction over an open PostgreSQL transaction. SQL lives here as constants, runs as
// prepared statements of the session, and values are always bound, never spliced into statements.
// `writable` is false inside Store::Read (a READ ONLY transaction that takes no row locks).
class PostgresTransaction final : public domain::Transaction {
 public:
  PostgresTransaction(Connection& db, pqxx::transaction_base& tx, bool writable)
      : db_(db), tx_(tx), writable_(writable) {}

  std::optional<domain::Workspace> WorkspaceByUrl(const std::string& url) override;
  std::optional<domain::Workspace> WorkspaceById(std::int64_t id) override;
  std::int64_t InsertWorkspace(const domain::Workspace& ws) override;
  void UpdateWorkspace(const domain::Workspace& ws) override;
  domain::Usage GetUsage(std::int64_t ws) override;
  void AddStorage(std::int64_t ws, std::int64_t bytes, std::int64_t images) override;
  void AddTrashCount(std::int64_t ws, domain::ItemType type, int delta, std::int64_t bytes) override;
  std::int64_t ReclaimableBytes(std::int64_t ws) override;
  std::int64_t TrashBytes(std::int64_t ws) override;
  domain::ReclaimableState GetReclaimable(std::int64_t ws) override;
  void TouchReclaimable(std::int64_t ws) override;
  void StoreReclaimable(std::int64_t ws, std::int64_t bytes, std::int64_t gen) override;
  std::vector<std::int64_t> StaleReclaimableWorkspaces(int limit) override;

  std::optional<domain::User> UserByEmail(const std::string& email) override;
  std::optional<domain::User> UserById(const std::string& id) override;
  void InsertUser(const domain::User& user) override;
  void UpdateUser(const domain::User& user) override;
  std::optional<domain::Member> MemberOf(std::int64_t ws, const std::string& user_id) override;
  std::vector<domain::Member> Members(std::int64_t ws) override;
  std::vector<std::pair<domain::Workspace, std::string>> WorkspacesOfUser(const std::string& user_id) override;
  void InsertMember(std::int64_t ws, const std::string& user_id, const std::string& role_id,
                    domain::TimeMs at) override;
  void UpdateMemberRole(std::int64_t ws, const std::string& user_id, const std::string& role_id) override;
  void DeleteMember(std::int64_t ws, const std::string& user_id) override;
  int CountMembersWithRole(std::int64_t ws, const std::string& role_id) override;
  std::optional<domain::Role> CustomRole(std::int64_t ws, const std::string& id) override;
  std::vector<domain::Role> CustomRoles(std::int64_t ws) override;
  void InsertRole(std::int64_t ws, const domain::Role& role) override;
  void UpdateRole(std::int64_t ws, const domain::Role& role) override;
  void DeleteRole(std::int64_t ws, const std::string& id) override;

  void InsertInvitation(const domain::Invitation& inv, const std::string& token_hash) override;
  std::optional<domain::Invitation> InvitationByEmail(std::int64_t ws, const std::string& email) override;
  std::optional<domain::Invitation> InvitationByTokenHash(const std::string& token_hash) override;
  std::vector<domain::Invitation> PendingInvitations(std::int64_t ws, domain::TimeMs now) override;
  std::vector<domain::Invitation> PendingInvitationsFor(const std::string& email, domain::TimeMs now) override;
  void UpdateInvitationToken(const std::string& id, const std::string& token_hash, domain::TimeMs expires_at) override;
  void DeleteInvitation(const std::string& id) override;

  void InsertApiKey(const domain::ApiKey& key, const std::string& key_hash) override;
  std::optional<domain::ApiKey> ApiKeyByHash(const std::string& key_hash) override;
  std::optional<domain::ApiKey> ApiKeyById(std::int64_t ws, const std::string& id) override;
  std::vector<domain::ApiKey> ApiKeys(std::int64_t ws, const std::optional<std::string>& user_id) override;
  void RevokeApiKey(const std::string& id, domain::TimeMs at) override;
  void RevokeApiKeysOf(std::int64_t ws, const std::string& user_id, domain::TimeMs at) override;
  void TouchApiKey(const std::string& id, domain::TimeMs at) override;
  void InsertSession(const domain::Session& s) override;
  std::optional<domain::Session> SessionByHash(const std::string& id_hash) override;
  void SetSessionPasswordAt(const std::string& id_hash, domain::TimeMs at) override;
  void DeleteSession(const std::string& id_hash) override;
  void DeleteExpiredSessions(domain::TimeMs now) override;

  std::vector<domain::Group> Groups(std::int64_t ws) override;
  std::optional<domain::Group> GroupById(std::int64_t ws, const std::string& id) override;
  void InsertGroup(std::int64_t ws, const domain::Group& g, domain::TimeMs at) override;
  void RenameGroup(std::int64_t ws, const std::string& id, const std::string& name) override;
  void DeleteGroup(std::int64_t ws, const std::string& id) override;

  std::vector<domain::Project> ActiveProjects(std::int64_t ws) override;
  std::optional<domain::Project> ProjectByUrl(std::int64_t ws, const std::string& url) override;
  std::optional<domain::Project> ProjectById(const std::string& id) override;
  bool ActiveProjectUrlTaken(std::int64_t ws, const std::string& url) override;
  void InsertProject(const domain::Project& p) override;
  void SetProjectTrash(const std::string& id, std::optional<std::int64_t> trash_item_id) override;
  void SetProjectUrl(const std::string& id, const std::string& url, domain::TimeMs at) override;
  void SetProjectGroup(const std::string& id, const std::optional<std::string>& group_id) override;
  int TakeVersionNumber(const std::string& project_id) override;

  std::optional<domain::Image> ImageById(std::int64_t ws, const std::string& id) override;
  std::optional<domain::Image> ImageBySha(std::int64_t ws, const std::string& sha256) override;
  std::vector<domain::Image> Images(const domain::ImagePageQuery& q) override;
  void InsertImage(const domain::Image& img) override;
  bool LinkImage(const std::string& project_id, const domain::ImageRef& img) override;

  void AddBlobRef(const std::string& sha256, std::int64_t size) override;
  std::vector<std::string> DropBlobRefs(const std::vector<std::string>& sha256s) override;
  bool BlobReferenced(const std::string& sha256) override;
  void EnqueueBlobGc(const std::string& sha256, domain::TimeMs not_before) override;
  void EnqueueBlobGcAll(const std::vector<std::string>& sha256s, domain::TimeMs not_before) override;
  void CancelBlobGc(const std::string& sha256) override;
  std::vector<std::string> DueBlobGc(domain::TimeMs now, int limit) override;
  std::vector<std::string> ReferencedBlobs(const std::vector<std::string>& sha256s) override;
  void DeleteBlobGcAll(const std::vector<std::string>& sha256s) override;

  std::vector<domain::Version> ActiveVersions(const std::string& project_id) override;
  std::optional<domain::Version> VersionByNumber(const std::string& project_id, int number) override;
  std::optional<domain::Version> VersionById(std::int64_t id) override;
  std::int64_t InsertVersionWithSnapshot(domain::Version& v) override;
  void SetVersionTrash(std::int64_t version_id, std::optional<std::int64_t> trash_item_id) override;
  void UpsertModel(const domain::Model& m) override;
  void StopModelsOfProject(const std::string& project_id, std::int64_t trash_item_id) override;
  void StopModelOfVersion(std::int64_t version_id, std::int64_t trash_item_id) override;
  void RestartModelsStoppedBy(std::int64_t trash_item_id) override;

  void InsertJob(const domain::Job& j) override;
  void UpdateJob(const domain::Job& j) override;
  std::optional<domain::Job> JobById(std::int64_t ws, const std::string& id) override;
  std::vector<domain::Job> VisibleJobs(std::int64_t ws, int limit) override;
  std::optional<domain::Job> ActiveJobOfVersion(std::int64_t version_id) override;
  std::vector<domain::Job> ActiveJobs(int limit) override;
  void CancelJobsOfProject(const std::string& project_id, const std::string& reason, domain::TimeMs now) override;
  void CancelJobsOfVersion(std::int64_t version_id, const std::string& reason, domain::TimeMs now) override;

  std::vector<domain::Workflow> ActiveWorkflows(std::int64_t ws) override;
  std::optional<domain::Workflow> WorkflowByUrl(std::int64_t ws, const std::string& url) override;
  std::optional<domain::Workflow> WorkflowById(const std::string& id) override;
  bool ActiveWorkflowUrlTaken(std::int64_t ws, const std::string& url) override;
  void InsertWorkflow(const domain::Workflow& w) override;
  void SetWorkflowTrash(const std::string& id, std::optional<std::int64_t> trash_item_id) override;
  void SetWorkflowUrl(const std::string& id, const std::string& url) override;

  std::int64_t InsertTrashItem(const domain::TrashItem& t) override;
  std::optional<domain::TrashItem> TrashItemById(std::int64_t id) override;
  std::optional<domain::TrashItem> TrashItemByObject(std::int64_t ws, domain::ItemType type,
                                                     const std::string& object_id) override;
  domain::TrashPage ListTrash(const domain::TrashQuery& q) override;
  std::vector<domain::TrashItem> TrashItemsInState(std::int64_t ws, domain::TrashState state, int limit) override;
  bool CasTrashState(std::int64_t id, domain::TrashState from, domain::TrashState to, const std::string& actor_id,
                     const std::string& actor_name) override;
  bool DeleteTrashItem(std::int64_t id, domain::TrashState expected) override;
  std::vector<domain::TrashItem> ExpiredTrashItems(domain::TimeMs now, int limit) override;
  std::optional<domain::TrashItem> NextPurgingItem() override;
  std::vector<std::int64_t> VersionTrashItemsOfProject(const std::string& project_id) override;

  std::vector<domain::ImageRef> ProjectLinks(const std::string& project_id, int limit) override;
  void UnlinkProjectImages(const std::string& project_id, const std::vector<domain::ImageRef>& imgs) override;
  std::vector<domain::ImageRef> VersionLinksOfProject(const std::string& project_id, int limit) override;
  std::vector<domain::ImageRef> VersionLinks(std::int64_t version_id, int limit) override;
  void UnlinkVersionImagesOfProject(const std::string& project_id, const std::vector<domain::ImageRef>& imgs) override;
  void UnlinkVersionImages(std::int64_t version_id, const std::vector<domain::ImageRef>& imgs) override;
  std::vector<std::string> ImagesLinkedOutside(const std::vector<domain::ImageRef>& imgs,
                                               const std::string& project_id) override;
  void DeleteImageRows(const std::vector<domain::ImageRef>& imgs) override;
  std::vector<std::string> DeleteVersionsOfProject(const std::string& project_id) override;
  std::vector<std::string> DeleteVersion(std::int64_t version_id) override;
  void DeleteProjectRow(const std::string& project_id) override;
  void DeleteWorkflowRow(const std::string& workflow_id) override;

  void InsertAudit(const domain::AuditEvent& e) override;
  std::vector<domain::AuditEvent> Audit(std::int64_t ws, int limit, std::optional<std::int64_t> before_id) override;

  bool TryTakeLease(const std::string& name, const std::string& holder, domain::TimeMs now,
                    domain::TimeMs ttl) override;
  std::optional<std::int64_t> GetMeta(const std::string& key) override;
  std::int64_t RaiseMeta(const std::string& key, std::int64_t value) override;
  std::int64_t AddMeta(const std::string& key, std::int64_t delta) override;

  std::vector<std::pair<std::string, std::int64_t>> AllBlobRefs() override;
  std::vector<std::string> AllBlobGc() override;
  std::vector<std::tuple<std::string, std::int64_t, std::int64_t>> ImageShaCounts() override;
  void SetBlobRefs(const std::string& sha256, std::int64_t refs, std::int64_t size) override;
  void SetUsage(std::int64_t ws, const domain::Usage& u) override;
  std::vector<std::pair<std::int64_t, domain::Usage>> RecountUsage() override;

  // Sign-in throttling.
  int CountLoginFailures(const std::string& key_hash, domain::TimeMs since) override;
  std::int64_t InsertLoginFailure(const std::string& key_hash, domain::TimeMs at) override;
  void DeleteLoginFailure(std::int64_t id) override;
  int PruneLoginFailures(domain::TimeMs before, int limit) override;

 private:
  template <class... Args>
  pqxx::result Exec(const char* sql, Args&&... args) {
    return tx_.exec_prepared(db_.Prepared(sql), Param(std::forward<Args>(args))...);
  }
  // Text goes to PostgreSQL as valid UTF-8 without NUL bytes (which it cannot hold, and which
  // libpq would cut a parameter at): anything else is replaced by U+FFFD, so a lookup by such a
  // key finds nothing instead of failing or matching a prefix. Other values pass unchanged.
  static std::string Param(const std::string& s) { return ValidText(s); }
  static std::optional<std::string> Param(const std::optional<std::string>& s) {
    return s ? std::optional<std::string>(ValidText(*s)) : std::nullopt;
  }
  template <class T>
  requires(!std::is_same_v<std::remove_cvref_t<T>, std::string> &&
           !std::is_same_v<std::remove_cvref_t<T>, std::optional<std::string>>) static T&& Param(T&& v) {
    return std::forward<T>(v);
  }
  static std::string ValidText(const std::string& s);

  Connection& db_;
  pqxx::transaction_base& tx_;
  const bool writable_;
};

}  // namespace limbo::storage::postgres
