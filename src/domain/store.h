#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "core/result.h"
#include "domain/entities.h"

namespace limbo::domain {

// An image as the cleanup pipeline sees it.
struct ImageRef {
  std::string id;
  std::string sha256;
  std::int64_t size_bytes = 0;
};

struct ReclaimableState {
  std::int64_t bytes = 0;
  std::int64_t generation = 0;            // bumped by every change that can move the figure
  std::int64_t computed_generation = -1;  // the generation `bytes` was computed at
  bool fresh() const { return generation == computed_generation; }
};

struct ImagePageQuery {
  std::int64_t workspace_id = 0;
  std::optional<std::string> project_id;
  int limit = 100;
  std::optional<std::string> after_id;
};

// One database transaction. Every method runs inside it; failures of the database itself are thrown
// by the implementation and turned into an Error by Store at the transaction boundary, so domain
// code reads as a sequence of steps. Methods that find nothing return nullopt / empty.
class Transaction {
 public:
  virtual ~Transaction() = default;

  // Workspaces and usage counters.
  virtual std::optional<Workspace> WorkspaceByUrl(const std::string& url) = 0;
  virtual std::optional<Workspace> WorkspaceById(std::int64_t id) = 0;
  virtual std::int64_t InsertWorkspace(const Workspace& ws) = 0;
  virtual void UpdateWorkspace(const Workspace& ws) = 0;
  virtual Usage GetUsage(std::int64_t ws) = 0;
  virtual void AddStorage(std::int64_t ws, std::int64_t bytes, std::int64_t images) = 0;
  virtual void AddTrashCount(std::int64_t ws, ItemType type, int delta, std::int64_t bytes) = 0;
  // Bytes the workspace would free if every item now in its Trash were removed (T12 rules): a scan.
  virtual std::int64_t ReclaimableBytes(std::int64_t ws) = 0;
  // The stored result of that scan and whether anything changed since (generation counters).
  virtual ReclaimableState GetReclaimable(std::int64_t ws) = 0;
  // Something that can change reclaimable bytes happened (trash, restore, purge, new links).
  virtual void TouchReclaimable(std::int64_t ws) = 0;
  // Stores a result computed at generation `gen`; ignored if the generation moved on meanwhile.
  virtual void StoreReclaimable(std::int64_t ws, std::int64_t bytes, std::int64_t gen) = 0;
  virtual std::vector<std::int64_t> StaleReclaimableWorkspaces(int limit) = 0;
  virtual std::int64_t TrashBytes(std::int64_t ws) = 0;

  // Users, members, roles.
  virtual std::optional<User> UserByEmail(const std::string& email) = 0;
  virtual std::optional<User> UserById(const std::string& id) = 0;
  virtual void InsertUser(const User& user) = 0;
  virtual void UpdateUser(const User& user) = 0;
  virtual std::optional<Member> MemberOf(std::int64_t ws, const std::string& user_id) = 0;
  virtual std::vector<Member> Members(std::int64_t ws) = 0;
  virtual std::vector<std::pair<Workspace, std::string>> WorkspacesOfUser(const std::string& user_id) = 0;
  virtual void InsertMember(std::int64_t ws, const std::string& user_id, const std::string& role_id, TimeMs at) = 0;
  virtual void UpdateMemberRole(std::int64_t ws, const std::string& user_id, const std::string& role_id) = 0;
  virtual void DeleteMember(std::int64_t ws, const std::string& user_id) = 0;
  virtual int CountMembersWithRole(std::int64_t ws, const std::string& role_id) = 0;
  virtual std::optional<Role> CustomRole(std::int64_t ws, const std::string& id) = 0;
  virtual std::vector<Role> CustomRoles(std::int64_t ws) = 0;
  virtual void InsertRole(std::int64_t ws, const Role& role) = 0;
  virtual void UpdateRole(std::int64_t ws, const Role& role) = 0;
  virtual void DeleteRole(std::int64_t ws, const std::string& id) = 0;

  // Invitations (one per workspace and email). Pending ones are those whose expires_at is after
  // `now`; expired rows are replaced by a new invitation or deleted on the way.
  virtual void InsertInvitation(const Invitation& inv, const std::string& token_hash) = 0;
  virtual std::optional<Invitation> InvitationByEmail(std::int64_t ws, const std::string& email) = 0;
  virtual std::optional<Invitation> InvitationByTokenHash(const std::string& token_hash) = 0;
  virtual std::vector<Invitation> PendingInvitations(std::int64_t ws, TimeMs now) = 0;
  virtual std::vector<Invitation> PendingInvitationsFor(const std::string& email, TimeMs now) = 0;
  virtual void UpdateInvitationToken(const std::string& id, const std::string& token_hash, TimeMs expires_at) = 0;
  virtual void DeleteInvitation(const std::string& id) = 0;

  // Credentials.
  virtual void InsertApiKey(const ApiKey& key, const std::string& key_hash) = 0;
  virtual std::optional<ApiKey> ApiKeyByHash(const std::string& key_hash) = 0;
  virtual std::optional<ApiKey> ApiKeyById(std::int64_t ws, const std::string& id) = 0;
  virtual std::vector<ApiKey> ApiKeys(std::int64_t ws, const std::optional<std::string>& user_id) = 0;
  virtual void RevokeApiKey(const std::string& id, TimeMs at) = 0;
  virtual void RevokeApiKeysOf(std::int64_t ws, const std::string& user_id, TimeMs at) = 0;
  virtual void TouchApiKey(const std::string& id, TimeMs at) = 0;
  virtual void InsertSession(const Session& s) = 0;
  virtual std::optional<Session> SessionByHash(const std::string& id_hash) = 0;
  // Records that the session's user entered their password again (sudo mode); no-op when it is gone.
  virtual void SetSessionPasswordAt(const std::string& id_hash, TimeMs at) = 0;
  virtual void DeleteSession(const std::string& id_hash) = 0;
  virtual void DeleteExpiredSessions(TimeMs now) = 0;

  // Groups.
  virtual std::vector<Group> Groups(std::int64_t ws) = 0;
  virtual std::optional<Group> GroupById(std::int64_t ws, const std::string& id) = 0;
  virtual void InsertGroup(std::int64_t ws, const Group& g, TimeMs at) = 0;
  virtual void RenameGroup(std::int64_t ws, const std::string& id, const std::string& name) = 0;
  // Active projects leave the group; trashed projects forget it too (restore puts them in no group).
  virtual void DeleteGroup(std::int64_t ws, const std::string& id) = 0;

  // Projects.
  virtual std::vector<Project> ActiveProjects(std::int64_t ws) = 0;
  // The active project with that url, or else the most recently trashed one.
  virtual std::optional<Project> ProjectByUrl(std::int64_t ws, const std::string& url) = 0;
  virtual std::optional<Project> ProjectById(const std::string& id) = 0;
  virtual bool ActiveProjectUrlTaken(std::int64_t ws, const std::string& url) = 0;
  virtual void InsertProject(const Project& p) = 0;
  virtual void SetProjectTrash(const std::string& id, std::optional<std::int64_t> trash_item_id) = 0;
  virtual void SetProjectUrl(const std::string& id, const std::string& url, TimeMs at) = 0;
  virtual void SetProjectGroup(const std::string& id, const std::optional<std::string>& group_id) = 0;
  // Hands out the next version number of the project; numbers are never reused.
  virtual int TakeVersionNumber(const std::string& project_id) = 0;

  // Asset Library.
  virtual std::optional<Image> ImageById(std::int64_t ws, const std::string& id) = 0;
  virtual std::optional<Image> ImageBySha(std::int64_t ws, const std::string& sha256) = 0;
  virtual std::vector<Image> Images(const ImagePageQuery& q) = 0;
  virtual void InsertImage(const Image& img) = 0;
  // Links an image to a project and grows the project's counters; false when already linked.
  virtual bool LinkImage(const std::string& project_id, const ImageRef& img) = 0;

  // Blob reference counts and the collection queue (T13).
  virtual void AddBlobRef(const std::string& sha256, std::int64_t size) = 0;
  // Drops one reference per entry (a sha256 may repeat); returns the sha256s left without any
  // reference, each once (their rows are gone).
  virtual std::vector<std::string> DropBlobRefs(const std::vector<std::string>& sha256s) = 0;
  virtual bool BlobReferenced(const std::string& sha256) = 0;
  virtual void EnqueueBlobGc(const std::string& sha256, TimeMs not_before) = 0;
  virtual void EnqueueBlobGcAll(const std::vector<std::string>& sha256s, TimeMs not_before) = 0;
  virtual void CancelBlobGc(const std::string& sha256) = 0;
  virtual std::vector<std::string> DueBlobGc(TimeMs now, int limit) = 0;
  // The collector's batch: which of the due sha256s are referenced again, then their queue rows go.
  virtual std::vector<std::string> ReferencedBlobs(const std::vector<std::string>& sha256s) = 0;
  virtual void DeleteBlobGcAll(const std::vector<std::string>& sha256s) = 0;

  // Versions and models.
  virtual std::vector<Version> ActiveVersions(const std::string& project_id) = 0;
  virtual std::optional<Version> VersionByNumber(const std::string& project_id, int number) = 0;
  virtual std::optional<Version> VersionById(std::int64_t id) = 0;
  // Inserts the version and snapshots the project's current image links into it.
  virtual std::int64_t InsertVersionWithSnapshot(Version& v) = 0;
  virtual void SetVersionTrash(std::int64_t version_id, std::optional<std::int64_t> trash_item_id) = 0;
  virtual void UpsertModel(const Model& m) = 0;
  // Stops the serving models and remembers which trash item stopped them (T4).
  virtual void StopModelsOfProject(const std::string& project_id, std::int64_t trash_item_id) = 0;
  virtual void StopModelOfVersion(std::int64_t version_id, std::int64_t trash_item_id) = 0;
  virtual void RestartModelsStoppedBy(std::int64_t trash_item_id) = 0;

  // Training jobs.
  virtual void InsertJob(const Job& j) = 0;
  virtual void UpdateJob(const Job& j) = 0;
  virtual std::optional<Job> JobById(std::int64_t ws, const std::string& id) = 0;
  // Jobs whose project and version are active, newest first.
  virtual std::vector<Job> VisibleJobs(std::int64_t ws, int limit) = 0;
  virtual std::optional<Job> ActiveJobOfVersion(std::int64_t version_id) = 0;
  virtual std::vector<Job> ActiveJobs(int limit) = 0;
  // Cancels queued/running jobs (T3), freezing their credits at `now`.
  virtual void CancelJobsOfProject(const std::string& project_id, const std::string& reason, TimeMs now) = 0;
  virtual void CancelJobsOfVersion(std::int64_t version_id, const std::string& reason, TimeMs now) = 0;

  // Workflows.
  virtual std::vector<Workflow> ActiveWorkflows(std::int64_t ws) = 0;
  // The active workflow with that url, or else the most recently trashed one.
  virtual std::optional<Workflow> WorkflowByUrl(std::int64_t ws, const std::string& url) = 0;
  virtual std::optional<Workflow> WorkflowById(const std::string& id) = 0;
  virtual bool ActiveWorkflowUrlTaken(std::int64_t ws, const std::string& url) = 0;
  virtual void InsertWorkflow(const Workflow& w) = 0;
  virtual void SetWorkflowTrash(const std::string& id, std::optional<std::int64_t> trash_item_id) = 0;
  virtual void SetWorkflowUrl(const std::string& id, const std::string& url) = 0;

  // Trash rows.
  virtual std::int64_t InsertTrashItem(const TrashItem& t) = 0;
  virtual std::optional<TrashItem> TrashItemById(std::int64_t id) = 0;
  virtual std::optional<TrashItem> TrashItemByObject(std::int64_t ws, ItemType type, const std::string& object_id) = 0;
  virtual TrashPage ListTrash(const TrashQuery& q) = 0;
  virtual std::vector<TrashItem> TrashItemsInState(std::int64_t ws, TrashState state, int limit) = 0;
  // Compare-and-swap of a row's state (T14); false when the row is gone or in another state.
  virtual bool CasTrashState(std::int64_t id, TrashState from, TrashState to, const std::string& actor_id,
                             const std::string& actor_name) = 0;
  virtual bool DeleteTrashItem(std::int64_t id, TrashState expected) = 0;
  // Items still in the Trash whose cleanupAt is at or before `now`, oldest first.
  virtual std::vector<TrashItem> ExpiredTrashItems(TimeMs now, int limit) = 0;
  virtual std::optional<TrashItem> NextPurgingItem() = 0;
  virtual std::vector<std::int64_t> VersionTrashItemsOfProject(const std::string& project_id) = 0;

  // Bounded cleanup steps (each call does at most `limit` rows).
  virtual std::vector<ImageRef> ProjectLinks(const std::string& project_id, int limit) = 0;
  virtual void UnlinkProjectImages(const std::string& project_id, const std::vector<ImageRef>& imgs) = 0;
  virtual std::vector<ImageRef> VersionLinksOfProject(const std::string& project_id, int limit) = 0;
  virtual std::vector<ImageRef> VersionLinks(std::int64_t version_id, int limit) = 0;
  virtual void UnlinkVersionImagesOfProject(const std::string& project_id, const std::vector<ImageRef>& imgs) = 0;
  virtual void UnlinkVersionImages(std::int64_t version_id, const std::vector<ImageRef>& imgs) = 0;
  // The ids among `imgs` that a project other than `project_id` (active or trashed), or a version
  // of such a project, links. One statement per batch, not one per image.
  virtual std::vector<std::string> ImagesLinkedOutside(const std::vector<ImageRef>& imgs,
                                                       const std::string& project_id) = 0;
  // Deletes the image rows with every link left to them.
  virtual void DeleteImageRows(const std::vector<ImageRef>& imgs) = 0;
  // Deletes the versions' jobs, models and rows; returns the job ids whose model files may exist.
  virtual std::vector<std::string> DeleteVersionsOfProject(const std::string& project_id) = 0;
  virtual std::vector<std::string> DeleteVersion(std::int64_t version_id) = 0;
  virtual void DeleteProjectRow(const std::string& project_id) = 0;
  virtual void DeleteWorkflowRow(const std::string& workflow_id) = 0;

  // Audit log (T15), newest first.
  virtual void InsertAudit(const AuditEvent& e) = 0;
  virtual std::vector<AuditEvent> Audit(std::int64_t ws, int limit, std::optional<std::int64_t> before_id) = 0;

  // Leadership lease (several servers on one database).
  virtual bool TryTakeLease(const std::string& name, const std::string& holder, TimeMs now, TimeMs ttl) = 0;

  // Server-wide numbers kept with the data (`server_meta`): the dev clock's offset and the newest
  // time the data has seen (domain::ServerTime). A missing key reads as nullopt.
  virtual std::optional<std::int64_t> GetMeta(const std::string& key) = 0;
  // Stores max(stored, value) and returns it.
  virtual std::int64_t RaiseMeta(const std::string& key, std::int64_t value) = 0;
  // Adds delta to the stored value (0 when missing) and returns the sum.
  virtual std::int64_t AddMeta(const std::string& key, std::int64_t delta) = 0;

  // Consistency checks (fsck).
  virtual std::vector<std::pair<std::string, std::int64_t>> AllBlobRefs() = 0;
  virtual std::vector<std::string> AllBlobGc() = 0;
  // Every sha256 the image rows use, with how many rows use it and its size.
  virtual std::vector<std::tuple<std::string, std::int64_t, std::int64_t>> ImageShaCounts() = 0;
  virtual std::vector<std::pair<std::int64_t, Usage>> RecountUsage() = 0;
  virtual void SetBlobRefs(const std::string& sha256, std::int64_t refs, std::int64_t size) = 0;
  virtual void SetUsage(std::int64_t ws, const Usage& u) = 0;

  // ---- Sign-in throttling ----------------------------------------------------------------------
  // Failed sign-ins (and ones still being checked), in the database so that every server on it
  // counts them together and a restart forgets nothing. `key_hash` is chosen by AccountService (a
  // hash; never a plain email); times are the server clock.

  // Failures recorded under the key at or after `since`.
  virtual int CountLoginFailures(const std::string& key_hash, TimeMs since) = 0;
  // Records one; the id lets a sign-in that turns out right take it back.
  virtual std::int64_t InsertLoginFailure(const std::string& key_hash, TimeMs at) = 0;
  virtual void DeleteLoginFailure(std::int64_t id) = 0;
  // Deletes up to `limit` failures recorded before `before`, oldest first; returns how many.
  virtual int PruneLoginFailures(TimeMs before, int limit) = 0;
};

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
  //
  // One exception, for T13: a blob file's fate must be decided under the same lock as the rows that
  // reference it, so TrashService::CollectBlobs may remove queued, unreferenced files (the BlobStore's
  // idempotent Remove) on blobs it has locked in this transaction (the write lock with SQLite; the
  // blob_gc row, `FOR UPDATE`, with PostgreSQL) and delete their queue rows in the same transaction.
  // Removing a missing file succeeds, so a rerun repeats it harmlessly. A rollback or crash after an
  // unlink leaves the queue row of a file already gone (and no reference: an upload that needs the
  // file takes the lock, finds it missing, writes nothing and starts over from queueing it); the next
  // pass deletes that row. Unlinking after the commit instead would let an upload find the file,
  // commit its reference, and lose the file a moment later: a dangling reference.
  // Nothing else in fn may touch files, the network or other processes.
  virtual core::Status Write(const TxFn& fn) = 0;
};

// Content-addressed files (T13). Thread-safe.
class BlobStore {
 public:
  virtual ~BlobStore() = default;
  // Writes atomically (temp file, fsync, rename); a file already there is left as it is.
  virtual core::Status Put(const std::string& sha256, std::string_view bytes) = 0;
  // The same from a file whose bytes hash to `sha256` (an upload streamed to disk): fsyncs it and
  // hard-links it into place, copying only when it lives on another file system. `path` stays; the
  // caller removes it.
  virtual core::Status PutFile(const std::string& sha256, const std::string& path) = 0;
  virtual bool Exists(const std::string& sha256) const = 0;
  virtual core::Result<std::string> Get(const std::string& sha256) const = 0;
  virtual std::string PathOf(const std::string& sha256) const = 0;
  // Removes the file; a missing file is not an error.
  virtual core::Status Remove(const std::string& sha256) = 0;
  // Every blob file on disk (for fsck).
  virtual std::vector<std::string> List() const = 0;
};

}  // namespace limbo::domain
