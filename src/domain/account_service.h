#pragma once

#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/clock.h"
#include "core/result.h"
#include "domain/actor.h"
#include "domain/auth_cache.h"
#include "domain/store.h"

namespace limbo::domain {

struct BootstrapResult {
  std::string workspace;
  std::string email;
  std::string api_key;
};

struct LoginResult {
  User user;
  std::string session_id;  // the cookie value; only its hash is stored
  std::string csrf_token;
  TimeMs expires_at = 0;
};

struct WorkspaceMembership {
  Workspace workspace;
  Role role;
};

struct NewApiKey {
  ApiKey key;
  std::string secret;  // shown once
};

struct WorkspacePatch {
  std::optional<std::string> name;
  std::optional<int> retention_days;
  std::optional<std::int64_t> storage_quota_bytes;
};

// A membership changes only its role: an account's name and password are its own (T17).
struct MemberPatch {
  std::optional<std::string> role;
};

struct InvitationView {
  Invitation invitation;
  Role role;
  Workspace workspace;
  std::string invited_by_name;
};

struct NewInvitation {
  InvitationView view;
  // The link's secret; empty when the caller used an API key, which never sees it (T17).
  std::string token;
};

// What the invite page shows before the person accepts.
struct InvitationPreview {
  InvitationView view;
  bool account_exists = false;
};

struct AcceptResult {
  Workspace workspace;
  std::optional<LoginResult> login;  // set when the acceptance signed the person in
};

inline constexpr std::int64_t kDefaultStorageQuotaBytes = 10LL * 1024 * 1024 * 1024;
inline constexpr std::size_t kMinPasswordLength = 8;

// Workspaces, people, roles and credentials. Thread-safe. Failed sign-ins are throttled per account
// and per client address through the store, so every AccountService on one database (several
// servers, or one after a restart) enforces one limit together.
class AccountService {
 public:
  // Makes one Argon2id hash (tens of milliseconds), for sign-ins with an unknown email.
  AccountService(Store& store, const core::Clock& clock);
  // The store the services share (for a request's ReadScope).
  Store& store() const { return store_; }

  // Creates the workspace and its owner (or adds the workspace to an existing user) and a first key.
  // Lower-cases an email and checks it: 1 to 254 bytes, exactly one '@' with text on both sides,
  // no whitespace or control characters (`invalid_email`).
  static core::Result<std::string> NormalizeEmail(const std::string& email);

  core::Result<BootstrapResult> Bootstrap(const std::string& ws_url, const std::string& email,
                                          const std::string& password, const std::string& name = {});

  // At most kMaxLoginFailures failures per account and per address within kLoginThrottleWindowMs;
  // then 429 `too_many_attempts`. An unknown email takes as long to refuse as a wrong password.
  core::Result<LoginResult> Login(const std::string& email, const std::string& password,
                                  const std::string& remote_addr);
  // Forgets failures older than the throttle window, in transactions of `batch` rows (background
  // work, safe in several processes at once); returns how many.
  core::Result<int> PruneLoginFailures(int batch = 1000);
  // Writes the API keys' last uses noted since the previous call, in one transaction (background
  // work); returns how many keys. A request only notes a use (AuthenticateApiKey): a read never
  // waits for the database's write lock.
  core::Result<int> RecordKeyUses();
  core::Status Logout(const std::string& session_id);
  // Sudo mode, as GitHub's: permanent deletion needs the password entered in this very session
  // within the last kSudoWindowMs of server time. 403 `reauth_required` otherwise (and for a
  // principal without a session).
  core::Status RequireRecentPassword(const Principal& p) const;
  // The session's user enters their password again, throttled and verified exactly as a sign-in
  // (a wrong one counts as a failed sign-in of that account and address); on success the session's
  // sudo window starts now. Answers when it ends.
  core::Result<TimeMs> Reauthenticate(const Principal& p, const std::string& password, const std::string& remote_addr);
  // Both check the auth generation in their transaction and then use what an earlier request found
  // at that generation, or read the rows (AuthCache).
  core::Result<Principal> AuthenticateApiKey(const std::string& key);
  core::Result<Principal> AuthenticateSession(const std::string& session_id);

  // The caller inside workspace `ws_url`; 404 when it does not exist or is not theirs (SPEC 3).
  core::Result<Actor> ResolveActor(const Principal& p, const std::string& ws_url);
  // The workspace of an API key (GET /).
  core::Result<Workspace> KeyWorkspace(const Principal& p);
  core::Result<std::vector<WorkspaceMembership>> Memberships(const Principal& p);

  core::Result<Workspace> PatchWorkspace(const Actor& a, const WorkspacePatch& patch);
  core::Result<std::int64_t> MemberCount(const Actor& a);

  core::Result<std::vector<std::pair<Member, Role>>> ListMembers(const Actor& a);
  // Operators only (`limbod member add`, the demo, tests), never reachable over HTTP: adds the
  // account to the workspace directly, creating it with `name` and `password` when new; an
  // existing account keeps its password and name.
  core::Result<std::pair<Member, Role>> AddMemberLocal(const std::string& ws_url, const std::string& email,
                                                       const std::string& name, const std::string& password,
                                                       const std::string& role);
  // Changes a member's role. Granting needs what the role grants (`cannot_grant`) and, for the
  // permanent-deletion level, a browser session (`session_required`).
  core::Result<std::pair<Member, Role>> PatchMember(const Actor& a, const std::string& email, const MemberPatch& patch);
  core::Status RemoveMember(const Actor& a, const std::string& email);

  // Invitations: the only way a workspace gains a member over HTTP. The invited person accepts
  // with the link's token; accepting never changes an existing account (T17).
  core::Result<NewInvitation> Invite(const Actor& a, const std::string& email, const std::string& role);
  core::Result<std::vector<InvitationView>> ListInvitations(const Actor& a);
  // True when a pending invitation was revoked; false when there is none for the email.
  core::Result<bool> RevokeInvitation(const Actor& a, const std::string& email);
  // A new link for a pending invitation (the old one stops working); browser sessions only.
  core::Result<NewInvitation> RenewInvitationLink(const Actor& a, const std::string& email);
  core::Result<InvitationPreview> PreviewInvitation(const std::string& token);
  // Accepts with the link's token. `signed_in` is the caller's session user, if any: when it is the
  // invited account, nothing else is needed. Otherwise an existing account proves itself with its
  // password (throttled as a sign-in), and a new account is created with `name` and `password`.
  core::Result<AcceptResult> AcceptInvitation(const std::string& token, const std::optional<User>& signed_in,
                                              const std::string& name, const std::string& password,
                                              const std::string& remote_addr);
  // Pending invitations addressed to the signed-in user's email (no tokens).
  core::Result<std::vector<InvitationView>> MyInvitations(const Principal& p);
  // The signed-in user changes their own display name (account fields are the account's own).
  core::Result<User> RenameSelf(const Principal& p, const std::string& name);

  core::Result<std::vector<Role>> ListRoles(const Actor& a);
  core::Result<Role> CreateRole(const Actor& a, const std::string& name, const std::vector<std::string>& perms);
  core::Result<Role> PatchRole(const Actor& a, const std::string& id, const std::optional<std::string>& name,
                               const std::optional<std::vector<std::string>>& perms);
  core::Status DeleteRole(const Actor& a, const std::string& id);

  core::Result<std::vector<ApiKey>> ListApiKeys(const Actor& a);
  core::Result<NewApiKey> CreateApiKey(const Actor& a, const std::string& name);
  core::Status RevokeApiKey(const Actor& a, const std::string& id);

  core::Result<std::vector<Group>> ListGroups(const Actor& a);
  core::Result<Group> CreateGroup(const Actor& a, const std::string& name);
  core::Result<Group> RenameGroup(const Actor& a, const std::string& id, const std::string& name);
  core::Status DeleteGroup(const Actor& a, const std::string& id);

  // Resolves "owner", "member" or a custom role id of the workspace.
  static std::optional<Role> FindRole(Transaction& tx, std::int64_t ws, const std::string& id);

 private:
  struct CheckedPassword {
    User user;
    std::vector<std::int64_t> attempts;  // failures recorded in advance; the caller takes them back
  };
  // The throttled Argon2id check of sign-ins and re-authentication: 429 `too_many_attempts` over
  // the limit, 401 `invalid_credentials` for a wrong password or an unknown email.
  core::Result<CheckedPassword> CheckPassword(const std::string& email, const std::string& password,
                                              const std::string& remote_addr, TimeMs now);
  // Whether `a` may give someone `role`: it holds every permission of it (`cannot_grant`), and a
  // role at the permanent-deletion level needs a browser session (`session_required`).
  static core::Status CheckGrant(const Actor& a, const Role& role);
  core::Result<InvitationView> ViewOf(Transaction& tx, const Invitation& inv);
  core::Status ViewsOf(Transaction& tx, const std::vector<Invitation>& invitations, std::vector<InvitationView>* out);
  NewApiKey MakeKey(std::int64_t ws, const User& user, const std::string& name, TimeMs now, std::string* hash);

  // The auth generation this transaction sees (nullopt: none stored, nothing is cached).
  static std::optional<std::int64_t> AuthGeneration(Transaction& tx);

  // Constant after construction.
  Store& store_;
  const core::Clock& clock_;
  const std::string dummy_hash_;  // of a random password nobody knows
  AuthCache cache_;
  std::mutex uses_mu_;
  std::unordered_map<std::string, TimeMs> key_uses_;  // key id -> newest use not yet written; GUARDED_BY(uses_mu_)
};

inline constexpr TimeMs kSessionLifetimeMs = 7 * core::kDayMs;
inline constexpr TimeMs kInvitationLifetimeMs = 7 * core::kDayMs;
inline constexpr int kMaxLoginFailures = 5;
inline constexpr TimeMs kLoginThrottleWindowMs = 15 * 60 * core::kSecondMs;
// How long after entering their password a session may delete permanently (sudo mode).
inline constexpr TimeMs kSudoWindowMs = 10 * 60 * core::kSecondMs;

}  // namespace limbo::domain
