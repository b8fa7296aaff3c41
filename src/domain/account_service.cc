#include "domain/account_service.h"

#include <algorithm>

#include "core/crypto.h"
#include "core/slug.h"

namespace limbo::domain {

using core::Error;
using core::Fail;
using core::Ok;
using core::Result;
using core::Status;

Actor SystemActor(const Workspace& ws) {
  Actor a;
  a.workspace = ws;
  a.role = Role{std::string(kOwnerRole), "Owner", PermissionSet::All(), true};
  a.user.name = "system";
  return a;
}

namespace {

// Keys whose last use waits to be written: bounded, as it is filled by requests.
constexpr std::size_t kMaxNotedKeyUses = 10000;

Role OwnerRole() { return Role{std::string(kOwnerRole), "Owner", PermissionSet::All(), true}; }
Role MemberRole() { return Role{std::string(kMemberRole), "Member", MemberPermissions(), true}; }

Status ValidatePassword(const std::string& password) {
  if (password.size() < kMinPasswordLength) {
    return Error::Invalid("Field 'password' must be at least " + std::to_string(kMinPasswordLength) +
                          " characters long.");
  }
  if (password.size() > 1024) return Error::Invalid("Field 'password' is too long.");
  return Ok();
}

Status ValidateName(const std::string& field, const std::string& name) {
  if (name.empty() || name.size() > 200) {
    return Error::Invalid("Field '" + field + "' must be 1 to 200 characters.");
  }
  return Ok();
}

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

// Rows of the throttle table: a SHA-256, so failed attempts do not leave plain emails behind.
std::string ThrottleKey(std::string_view kind, const std::string& value) {
  return core::Sha256Hex(std::string(kind) + ":" + value);
}

Error TooManyAttempts() {
  return Error{core::ErrorKind::kRateLimited,
               "too_many_attempts",
               "Too many failed sign-in attempts; try again in a few minutes.",
               {}};
}

Error SessionRequired(const std::string& what) {
  return Error::Forbidden(what + " can delete permanently, so this needs a browser session: do it in the web app.",
                          "session_required")
      .WithHint("Sign in to the web app and use Settings > Members or Settings > Roles.");
}

Error InvitationNotFound() {
  return Error::NotFound(
             "This invitation link is not valid: it was used, revoked, replaced by a newer link or has expired.",
             "invitation_not_found")
      .WithHint("Ask the workspace's admin for a new link.");
}

std::string Joined(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

Error CannotGrant(const std::vector<std::string>& missing) {
  return Error::Forbidden("You cannot give a role permissions you do not hold yourself (" + Joined(missing) + ").",
                          "cannot_grant");
}

// A fresh session for `user`; the caller stores `*row` in its transaction.
LoginResult MakeSession(const User& user, TimeMs now, Session* row) {
  LoginResult out;
  out.user = user;
  out.session_id = core::RandomToken(48);
  out.csrf_token = core::RandomToken(32);
  out.expires_at = now + kSessionLifetimeMs;
  // The password was entered just now (a sign-in, or a new account's own choice): sudo mode starts.
  *row = Session{core::Sha256Hex(out.session_id), user.id, out.csrf_token, now, out.expires_at, now};
  return out;
}

Result<PermissionSet> ParsePermissions(const std::vector<std::string>& names) {
  PermissionSet set;
  for (const auto& n : names) {
    auto p = ParsePermission(n);
    if (!p) return Error::Invalid("Unknown permission '" + n + "'.", "invalid_permission");
    set.Add(*p);
  }
  return set;
}

}  // namespace

AccountService::AccountService(Store& store, const core::Clock& clock)
    : store_(store), clock_(clock), dummy_hash_(core::HashPassword(core::RandomToken(32))) {}

Result<std::string> AccountService::NormalizeEmail(const std::string& email_in) {
  std::string email = Lower(email_in);
  auto invalid = [] { return Error::Invalid("Field 'email' must be an email address.", "invalid_email"); };
  if (email.empty() || email.size() > 254) return invalid();
  for (unsigned char c : email) {
    if (c <= 0x20 || c == 0x7f) return invalid();  // whitespace and control characters, NUL included
  }
  auto at = email.find('@');
  if (at == std::string::npos || at == 0 || at + 1 >= email.size() || email.find('@', at + 1) != std::string::npos) {
    return invalid();
  }
  return email;
}

Status AccountService::CheckGrant(const Actor& a, const Role& role) {
  auto missing = role.permissions.Missing(a.role.permissions);
  if (!missing.empty()) return CannotGrant(missing);
  if (a.via_api_key && CanDeletePermanently(role.permissions)) return SessionRequired("Role '" + role.name + "'");
  return Ok();
}

std::optional<Role> AccountService::FindRole(Transaction& tx, std::int64_t ws, const std::string& id) {
  if (id == kOwnerRole) return OwnerRole();
  if (id == kMemberRole) return MemberRole();
  return tx.members().CustomRole(ws, id);
}

NewApiKey AccountService::MakeKey(std::int64_t ws, const User& user, const std::string& name, TimeMs now,
                                  std::string* hash) {
  NewApiKey k;
  k.secret = "lk_" + core::RandomToken(40);
  k.key.id = "k_" + core::RandomToken(12);
  k.key.workspace_id = ws;
  k.key.user_id = user.id;
  k.key.user_email = user.email;
  k.key.name = name;
  k.key.prefix = k.secret.substr(0, 7);
  k.key.created_at = now;
  *hash = core::Sha256Hex(k.secret);
  return k;
}

Result<BootstrapResult> AccountService::Bootstrap(const std::string& ws_url, const std::string& email_in,
                                                  const std::string& password, const std::string& name) {
  LIMBO_TRY(std::string email, NormalizeEmail(email_in));
  if (!core::IsValidSlug(ws_url)) return Error::Invalid("Workspace url must be 1-64 characters of a-z, 0-9 and '-'.");
  if (core::IsReservedSlug(ws_url)) return Error::Invalid("'" + ws_url + "' is a reserved word.", "reserved_url");
  LIMBO_RETURN_IF_ERROR(ValidatePassword(password));
  std::string pw_hash = core::HashPassword(password);
  BootstrapResult out;
  TimeMs now = clock_.Now();
  Status st = store_.Write([&](Transaction& tx) -> Status {
    if (tx.workspaces().ByUrl(ws_url))
      return Error::Conflict("Workspace '" + ws_url + "' already exists.", "url_taken");
    Workspace ws;
    ws.url = ws_url;
    ws.name = ws_url;
    ws.storage_quota_bytes = kDefaultStorageQuotaBytes;
    ws.created_at = now;
    ws.id = tx.workspaces().Insert(ws);
    auto user = tx.accounts().UserByEmail(email);
    if (!user) {
      User u;
      u.id = "u_" + core::RandomToken(12);
      u.email = email;
      u.name = name.empty() ? email.substr(0, email.find('@')) : name;
      u.password_hash = pw_hash;
      u.created_at = now;
      tx.accounts().InsertUser(u);
      user = u;
    }
    tx.members().Insert(ws.id, user->id, std::string(kOwnerRole), now);
    std::string hash;
    NewApiKey k = MakeKey(ws.id, *user, "bootstrap", now, &hash);
    tx.api_keys().Insert(k.key, hash);
    out = BootstrapResult{ws.url, email, k.secret};
    return Ok();
  });
  if (!st) return Fail(std::move(st).error());
  return out;
}

Result<AccountService::CheckedPassword> AccountService::CheckPassword(const std::string& email,
                                                                      const std::string& password,
                                                                      const std::string& remote_addr, TimeMs now) {
  const std::string keys[] = {ThrottleKey("user", email), ThrottleKey("addr", remote_addr)};
  CheckedPassword out;
  std::optional<User> user;
  // The attempt is recorded as a failure before the password is checked and taken back if it was
  // right, in the transaction that counts: concurrent guesses, on this server or another, cannot
  // get past the limit between the count and the record.
  LIMBO_RETURN_IF_ERROR(store_.Write([&](Transaction& tx) -> Status {
    out.attempts.clear();
    for (const auto& key : keys) {
      if (tx.accounts().CountLoginFailures(key, now - kLoginThrottleWindowMs) >= kMaxLoginFailures)
        return TooManyAttempts();
    }
    for (const auto& key : keys) out.attempts.push_back(tx.accounts().InsertLoginFailure(key, now));
    user = tx.accounts().UserByEmail(email);
    return Ok();
  }));
  // An unknown email costs the same Argon2id verification as a known one, so the time of the
  // answer does not tell whether the account exists.
  bool verified = core::VerifyPassword(user ? user->password_hash : dummy_hash_, password);
  if (!user || !verified) return Error::Unauthorized("Wrong email or password.", "invalid_credentials");
  out.user = *user;
  return out;
}

Result<LoginResult> AccountService::Login(const std::string& email_in, const std::string& password,
                                          const std::string& remote_addr) {
  auto normalized = NormalizeEmail(email_in);
  if (!normalized) return Error::Unauthorized("Wrong email or password.", "invalid_credentials");
  TimeMs now = clock_.Now();
  LIMBO_TRY(CheckedPassword checked, CheckPassword(*normalized, password, remote_addr, now));
  Session s;
  LoginResult out = MakeSession(checked.user, now, &s);
  LIMBO_RETURN_IF_ERROR(store_.Write([&](Transaction& tx) -> Status {
    for (auto id : checked.attempts) tx.accounts().DeleteLoginFailure(id);
    tx.accounts().DeleteExpiredSessions(now);
    tx.accounts().InsertSession(s);
    return Ok();
  }));
  return out;
}

Status AccountService::RequireRecentPassword(const Principal& p) const {
  if (!p.session || clock_.Now() >= p.session->password_at + kSudoWindowMs) {
    return Error::Forbidden("Permanent deletion needs your password again: it was last entered more than " +
                                std::to_string(kSudoWindowMs / (60 * core::kSecondMs)) + " minutes ago.",
                            "reauth_required")
        .WithHint("Send your password to POST /app/api/reauth in this session, then try again.");
  }
  return Ok();
}

Result<TimeMs> AccountService::Reauthenticate(const Principal& p, const std::string& password,
                                              const std::string& remote_addr) {
  if (!p.session) return Error::Unauthorized("You are not signed in.");
  TimeMs now = clock_.Now();
  auto checked = CheckPassword(Lower(p.user.email), password, remote_addr, now);
  if (!checked) {
    if (checked.error().code == "invalid_credentials")
      return Error::Unauthorized("Wrong password.", "invalid_credentials");
    return Fail(std::move(checked).error());
  }
  LIMBO_RETURN_IF_ERROR(store_.Write([&](Transaction& tx) -> Status {
    for (auto id : checked->attempts) tx.accounts().DeleteLoginFailure(id);
    tx.accounts().SetSessionPasswordAt(p.session->id_hash, now);
    return Ok();
  }));
  return now + kSudoWindowMs;
}

Result<int> AccountService::PruneLoginFailures(int batch) {
  TimeMs before = clock_.Now() - kLoginThrottleWindowMs;
  int total = 0;
  for (;;) {
    int n = 0;
    LIMBO_RETURN_IF_ERROR(store_.Write([&](Transaction& tx) -> Status {
      n = tx.accounts().PruneLoginFailures(before, batch);
      return Ok();
    }));
    total += n;
    if (n < batch) return total;
  }
}

Status AccountService::Logout(const std::string& session_id) {
  std::string hash = core::Sha256Hex(session_id);
  return store_.Write([&](Transaction& tx) -> Status {
    tx.accounts().DeleteSession(hash);
    return Ok();
  });
}

std::optional<std::int64_t> AccountService::AuthGeneration(Transaction& tx) {
  // A request reads it twice (key, then membership) in one shared snapshot: the second time is
  // the first's answer, which that snapshot cannot change.
  thread_local std::uint64_t memo_serial = 0;
  thread_local std::optional<std::int64_t> memo;
  std::uint64_t serial = tx.snapshot_serial();
  if (serial != 0 && serial == memo_serial) return memo;
  auto gen = tx.server().GetMeta("auth_generation");
  if (serial != 0) {
    memo_serial = serial;
    memo = gen;
  }
  return gen;
}

Result<Principal> AccountService::AuthenticateApiKey(const std::string& key) {
  if (key.rfind("lk_", 0) != 0 || key.size() > 200) return Error::Unauthorized("The API key is not valid.");
  std::string hash = core::Sha256Hex(key);
  Principal p;
  bool found = false;
  TimeMs now = clock_.Now();
  LIMBO_RETURN_IF_ERROR(store_.Read([&](Transaction& tx) -> Status {
    auto gen = AuthGeneration(tx);
    if (gen) {
      if (auto hit = cache_.FindPrincipal(hash, *gen)) {
        p = std::move(*hit);
        found = true;
        return Ok();
      }
    }
    auto k = tx.api_keys().ByHash(hash);
    if (!k || k->revoked) return Ok();
    auto u = tx.accounts().UserById(k->user_id);
    if (!u) return Ok();
    p.user = *u;
    p.api_key = *k;
    found = true;
    if (gen) cache_.PutPrincipal(hash, *gen, p);
    return Ok();
  }));
  if (!found) return Error::Unauthorized("The API key is not valid.");
  // Recording last use is best effort and at most once a minute per key. The request only notes it;
  // the background worker writes it (RecordKeyUses): a write here would make this read wait for
  // the database's write lock (held by another server, a cleanup step, a busy disk), and with it
  // every request queued behind it on the same worker thread.
  if (!p.api_key->last_used_at || now - *p.api_key->last_used_at > 60 * core::kSecondMs) {
    {
      std::lock_guard lock(uses_mu_);
      if (key_uses_.size() < kMaxNotedKeyUses) {
        TimeMs& at = key_uses_[p.api_key->id];
        at = std::max(at, now);
      }
    }
    cache_.TouchKey(hash, now);
  }
  return p;
}

Result<int> AccountService::RecordKeyUses() {
  std::unordered_map<std::string, TimeMs> uses;
  {
    std::lock_guard lock(uses_mu_);
    uses.swap(key_uses_);
  }
  if (uses.empty()) return 0;
  Status st = store_.Write([&](Transaction& tx) -> Status {
    for (const auto& [id, at] : uses) tx.api_keys().Touch(id, at);
    return Ok();
  });
  if (!st) {
    // Kept for the next pass, unless newer uses were noted meanwhile.
    std::lock_guard lock(uses_mu_);
    for (const auto& [id, at] : uses) {
      if (key_uses_.size() >= kMaxNotedKeyUses) break;
      TimeMs& kept = key_uses_[id];
      kept = std::max(kept, at);
    }
    return Fail(st.error());
  }
  return static_cast<int>(uses.size());
}

Result<Principal> AccountService::AuthenticateSession(const std::string& session_id) {
  if (session_id.empty() || session_id.size() > 200) return Error::Unauthorized("You are not signed in.");
  std::string hash = core::Sha256Hex(session_id);
  Principal p;
  bool found = false;
  TimeMs now = clock_.Now();
  LIMBO_RETURN_IF_ERROR(store_.Read([&](Transaction& tx) -> Status {
    auto gen = AuthGeneration(tx);
    if (gen) {
      if (auto hit = cache_.FindPrincipal("s" + hash, *gen)) {
        if (!hit->session || hit->session->expires_at <= now) return Ok();
        p = std::move(*hit);
        found = true;
        return Ok();
      }
    }
    auto s = tx.accounts().SessionByHash(hash);
    if (!s || s->expires_at <= now) return Ok();
    auto u = tx.accounts().UserById(s->user_id);
    if (!u) return Ok();
    p.user = *u;
    p.session = *s;
    found = true;
    if (gen) cache_.PutPrincipal("s" + hash, *gen, p);
    return Ok();
  }));
  if (!found) return Error::Unauthorized("Your session has ended; sign in again.");
  return p;
}

Result<Actor> AccountService::ResolveActor(const Principal& p, const std::string& ws_url) {
  Actor a;
  bool found = false;
  // Who asks (the user, and for a key the workspace it belongs to) and where.
  std::string key = p.user.id + '\n' + (p.api_key ? std::to_string(p.api_key->workspace_id) : "-") + '\n' + ws_url;
  LIMBO_RETURN_IF_ERROR(store_.Read([&](Transaction& tx) -> Status {
    auto gen = AuthGeneration(tx);
    if (gen) {
      if (auto hit = cache_.FindActor(key, *gen)) {
        a = std::move(*hit);
        a.user = p.user;
        found = true;
        return Ok();
      }
    }
    auto ws = tx.workspaces().ByUrl(ws_url);
    if (!ws) return Ok();
    if (p.api_key && p.api_key->workspace_id != ws->id) return Ok();
    auto m = tx.members().MemberOf(ws->id, p.user.id);
    if (!m) return Ok();
    auto role = FindRole(tx, ws->id, m->role_id);
    if (!role) return Ok();
    a.user = p.user;
    a.workspace = *ws;
    a.role = *role;
    a.via_api_key = p.api_key.has_value();
    found = true;
    if (gen) cache_.PutActor(key, *gen, a);
    return Ok();
  }));
  if (!found) return Error::NotFound("Workspace '" + ws_url + "' was not found.");
  return a;
}

Result<Workspace> AccountService::KeyWorkspace(const Principal& p) {
  if (!p.api_key) {
    auto ms = Memberships(p);
    if (!ms) return Fail(std::move(ms).error());
    if (ms->empty()) return Error::NotFound("You are not a member of any workspace.");
    return ms->front().workspace;
  }
  std::optional<Workspace> ws;
  LIMBO_RETURN_IF_ERROR(store_.Read([&](Transaction& tx) -> Status {
    ws = tx.workspaces().ById(p.api_key->workspace_id);
    return Ok();
  }));
  if (!ws) return Error::NotFound("The key's workspace no longer exists.");
  return *ws;
}

Result<std::vector<WorkspaceMembership>> AccountService::Memberships(const Principal& p) {
  std::vector<WorkspaceMembership> out;
  LIMBO_RETURN_IF_ERROR(store_.Read([&](Transaction& tx) -> Status {
    out.clear();
    for (auto& [ws, role_id] : tx.members().WorkspacesOf(p.user.id)) {
      if (p.api_key && p.api_key->workspace_id != ws.id) continue;
      if (auto role = FindRole(tx, ws.id, role_id)) out.push_back({ws, *role});
    }
    return Ok();
  }));
  return out;
}

Result<Workspace> AccountService::PatchWorkspace(const Actor& a, const WorkspacePatch& patch) {
  LIMBO_RETURN_IF_ERROR(a.Require(Permission::kManageWorkspace));
  Workspace ws;
  if (patch.name) LIMBO_RETURN_IF_ERROR(ValidateName("name", *patch.name));
  if (patch.retention_days && (*patch.retention_days < 1 || *patch.retention_days > 365)) {
    return Error::Invalid("Field 'retentionDays' must be between 1 and 365.");
  }
  if (patch.storage_quota_bytes && *patch.storage_quota_bytes < 0) {
    return Error::Invalid("Field 'storageQuotaBytes' must not be negative.");
  }
  LIMBO_RETURN_IF_ERROR(store_.Write([&](Transaction& tx) -> Status {
    auto cur = tx.workspaces().ById(a.workspace.id);
    if (!cur) return Error::NotFound("Workspace not found.");
    ws = *cur;
    // A shorter retention brings automatic permanent deletion closer, so, like a grant at the
    // permanent-deletion level, an API key may not make it (T17): a key could otherwise set one day
    // and trash everything.
    if (patch.retention_days && *patch.retention_days < cur->retention_days && a.via_api_key) {
      return Error::Forbidden("Shortening the Trash retention needs the web app: API keys may only lengthen it.",
                              "session_required")
          .WithHint("Change it in Settings > Trash while signed in.");
    }
    if (patch.name) ws.name = *patch.name;
    if (patch.retention_days) ws.retention_days = *patch.retention_days;
    if (patch.storage_quota_bytes) ws.storage_quota_bytes = *patch.storage_quota_bytes;
    tx.workspaces().Update(ws);
    return Ok();
  }));
  return ws;
}

Result<std::int64_t> AccountService::MemberCount(const Actor& a) {
  std::int64_t n = 0;
  LIMBO_RETURN_IF_ERROR(store_.Read([&](Transaction& tx) -> Status {
    n = static_cast<std::int64_t>(tx.members().List(a.workspace.id).size());
    return Ok();
  }));
  return n;
}

Result<std::vector<std::pair<Member, Role>>> AccountService::ListMembers(const Actor& a) {
  std::vector<std::pair<Member, Role>> out;
  LIMBO_RETURN_IF_ERROR(store_.Read([&](Transaction& tx) -> Status {
    out.clear();
    for (auto& m : tx.members().List(a.workspace.id)) {
      auto role = FindRole(tx, a.workspace.id, m.role_id);
      out.emplace_back(m, role.value_or(Role{m.role_id, m.role_id, {}, false}));
    }
    return Ok();
  }));
  return out;
}

Result<std::pair<Member, Role>> AccountService::AddMemberLocal(const std::string& ws_url, const std::string& email_in,
                                                               const std::string& name_in, const std::string& password,
                                                               const std::string& role_id) {
  LIMBO_TRY(std::string email, NormalizeEmail(email_in));
  std::string name = name_in.empty() ? email.substr(0, email.find('@')) : name_in;
  std::optional<User> existing;
  LIMBO_RETURN_IF_ERROR(store_.Read([&](Transaction& tx) -> Status {
    existing = tx.accounts().UserByEmail(email);
    return Ok();
  }));
  std::string pw_hash;  // hashed outside the transaction: argon2id is deliberately slow
  if (!existing) {
    LIMBO_RETURN_IF_ERROR(ValidateName("name", name));
    LIMBO_RETURN_IF_ERROR(ValidatePassword(password));
    pw_hash = core::HashPassword(password);
  }
  TimeMs now = clock_.Now();
  std::pair<Member, Role> out;
  LIMBO_RETURN_IF_ERROR(store_.Write([&](Transaction& tx) -> Status {
    auto ws = tx.workspaces().ByUrl(ws_url);
    if (!ws) return Error::NotFound("Workspace '" + ws_url + "' was not found.");
    auto role = FindRole(tx, ws->id, role_id);
    if (!role) return Error::Invalid("Role '" + role_id + "' does not exist in this workspace.", "invalid_role");
    auto user = tx.accounts().UserByEmail(email);
    if (!user) {
      if (pw_hash.empty()) return Error::Conflict("The account changed meanwhile; try again.");
      User u{"u_" + core::RandomToken(12), email, name, pw_hash, now};
      tx.accounts().InsertUser(u);
      user = u;
    }
    if (tx.members().MemberOf(ws->id, user->id)) {
      return Error::Conflict("'" + email + "' is already a member of this workspace.", "already_member");
    }
    tx.members().Insert(ws->id, user->id, role->id, now);
    if (auto inv = tx.invitations().ByEmail(ws->id, email)) tx.invitations().Delete(inv->id);
    out = {Member{user->id, user->email, user->name, role->id, now}, *role};
    return Ok();
  }));
  return out;
}

Result<std::pair<Member, Role>> AccountService::PatchMember(const Actor& a, const std::string& email_in,
                                                            const MemberPatch& patch) {
  LIMBO_RETURN_IF_ERROR(a.Require(Permission::kManageMembers));
  std::string email = Lower(email_in);
  std::pair<Member, Role> out;
  LIMBO_RETURN_IF_ERROR(store_.Write([&](Transaction& tx) -> Status {
    auto user = tx.accounts().UserByEmail(email);
    std::optional<Member> m;
    if (user) m = tx.members().MemberOf(a.workspace.id, user->id);
    if (!m) return Error::NotFound("'" + email + "' is not a member of this workspace.");
    if (patch.role) {
      auto role = FindRole(tx, a.workspace.id, *patch.role);
      if (!role) return Error::Invalid("Role '" + *patch.role + "' does not exist in this workspace.");
      bool touches_owner = role->id == kOwnerRole || m->role_id == kOwnerRole;
      if (touches_owner && a.role.id != kOwnerRole) {
        return Error::Forbidden("Only an owner can grant or take away the owner role.", "owner_required");
      }
      LIMBO_RETURN_IF_ERROR(CheckGrant(a, *role));
      if (m->role_id == kOwnerRole && role->id != kOwnerRole &&
          tx.members().CountWithRole(a.workspace.id, std::string(kOwnerRole)) <= 1) {
        return Error::Conflict("A workspace keeps at least one owner.", "last_owner");
      }
      tx.members().UpdateRoleOf(a.workspace.id, user->id, role->id);
      m->role_id = role->id;
    }
    auto role = FindRole(tx, a.workspace.id, m->role_id);
    out = {*m, role.value_or(Role{})};
    return Ok();
  }));
  return out;
}

Status AccountService::RemoveMember(const Actor& a, const std::string& email_in) {
  LIMBO_RETURN_IF_ERROR(a.Require(Permission::kManageMembers));
  std::string email = Lower(email_in);
  TimeMs now = clock_.Now();
  return store_.Write([&](Transaction& tx) -> Status {
    auto user = tx.accounts().UserByEmail(email);
    std::optional<Member> m;
    if (user) m = tx.members().MemberOf(a.workspace.id, user->id);
    if (!m) return Error::NotFound("'" + email + "' is not a member of this workspace.");
    if (m->role_id == kOwnerRole) {
      if (a.role.id != kOwnerRole) return Error::Forbidden("Only an owner can remove an owner.", "owner_required");
      if (tx.members().CountWithRole(a.workspace.id, std::string(kOwnerRole)) <= 1) {
        return Error::Conflict("A workspace keeps at least one owner.", "last_owner");
      }
    }
    tx.members().Delete(a.workspace.id, user->id);
    tx.api_keys().RevokeAllOf(a.workspace.id, user->id, now);
    return Ok();
  });
}

// ---- Invitations -------------------------------------------------------------------------------

Result<InvitationView> AccountService::ViewOf(Transaction& tx, const Invitation& inv) {
  auto ws = tx.workspaces().ById(inv.workspace_id);
  if (!ws) return InvitationNotFound();
  InvitationView v;
  v.invitation = inv;
  v.workspace = *ws;
  v.role = FindRole(tx, inv.workspace_id, inv.role_id).value_or(Role{inv.role_id, inv.role_id, {}, false});
  if (auto by = tx.accounts().UserById(inv.invited_by)) v.invited_by_name = by->name;
  return v;
}

Status AccountService::ViewsOf(Transaction& tx, const std::vector<Invitation>& invitations,
                               std::vector<InvitationView>* out) {
  out->clear();  // the read may run again
  for (const auto& inv : invitations) {
    LIMBO_TRY(auto v, ViewOf(tx, inv));
    out->push_back(std::move(v));
  }
  return Ok();
}

Result<NewInvitation> AccountService::Invite(const Actor& a, const std::string& email_in, const std::string& role_id) {
  LIMBO_RETURN_IF_ERROR(a.Require(Permission::kManageMembers));
  LIMBO_TRY(std::string email, NormalizeEmail(email_in));
  std::string token = core::RandomToken(32);
  std::string token_hash = core::Sha256Hex(token);
  TimeMs now = clock_.Now();
  NewInvitation out;
  LIMBO_RETURN_IF_ERROR(store_.Write([&](Transaction& tx) -> Status {
    auto role = FindRole(tx, a.workspace.id, role_id);
    if (!role) return Error::Invalid("Role '" + role_id + "' does not exist in this workspace.", "invalid_role");
    if (role->id == kOwnerRole && a.role.id != kOwnerRole) {
      return Error::Forbidden("Only an owner can invite another owner.", "owner_required");
    }
    LIMBO_RETURN_IF_ERROR(CheckGrant(a, *role));
    if (auto user = tx.accounts().UserByEmail(email); user && tx.members().MemberOf(a.workspace.id, user->id)) {
      return Error::Conflict("'" + email + "' is already a member of this workspace.", "already_member");
    }
    if (auto old = tx.invitations().ByEmail(a.workspace.id, email)) {
      if (old->expires_at > now) {
        return Error::Conflict("'" + email + "' is already invited to this workspace.", "already_invited")
            .WithHint("Revoke the pending invitation first, or get a new link for it.");
      }
      tx.invitations().Delete(old->id);
    }
    Invitation inv{"i_" + core::RandomToken(12), a.workspace.id, email, role->id, a.user.id, now,
                   now + kInvitationLifetimeMs};
    tx.invitations().Insert(inv, token_hash);
    out.view = InvitationView{inv, *role, a.workspace, a.user.name};
    return Ok();
  }));
  if (!a.via_api_key) out.token = token;
  return out;
}

Result<std::vector<InvitationView>> AccountService::ListInvitations(const Actor& a) {
  std::vector<InvitationView> out;
  TimeMs now = clock_.Now();
  LIMBO_RETURN_IF_ERROR(store_.Read(
      [&](Transaction& tx) -> Status { return ViewsOf(tx, tx.invitations().Pending(a.workspace.id, now), &out); }));
  return out;
}

Result<bool> AccountService::RevokeInvitation(const Actor& a, const std::string& email_in) {
  LIMBO_RETURN_IF_ERROR(a.Require(Permission::kManageMembers));
  std::string email = Lower(email_in);
  TimeMs now = clock_.Now();
  bool revoked = false;
  LIMBO_RETURN_IF_ERROR(store_.Write([&](Transaction& tx) -> Status {
    revoked = false;
    auto inv = tx.invitations().ByEmail(a.workspace.id, email);
    if (!inv) return Ok();
    revoked = inv->expires_at > now;
    tx.invitations().Delete(inv->id);
    return Ok();
  }));
  return revoked;
}

Result<NewInvitation> AccountService::RenewInvitationLink(const Actor& a, const std::string& email_in) {
  LIMBO_RETURN_IF_ERROR(a.Require(Permission::kManageMembers));
  if (a.via_api_key) {
    return Error::Forbidden("Invitation links are shown only in the web app.", "session_required")
        .WithHint("Open Settings > Members in the web app.");
  }
  std::string email = Lower(email_in);
  std::string token = core::RandomToken(32);
  std::string token_hash = core::Sha256Hex(token);
  TimeMs now = clock_.Now();
  NewInvitation out;
  LIMBO_RETURN_IF_ERROR(store_.Write([&](Transaction& tx) -> Status {
    auto inv = tx.invitations().ByEmail(a.workspace.id, email);
    if (!inv || inv->expires_at <= now) {
      return Error::NotFound("'" + email + "' has no pending invitation to this workspace.", "invitation_not_found");
    }
    auto role = FindRole(tx, a.workspace.id, inv->role_id);
    if (!role)
      return Error::Conflict("The invitation's role no longer exists; revoke it and invite again.", "role_gone");
    if (role->id == kOwnerRole && a.role.id != kOwnerRole) {
      return Error::Forbidden("Only an owner can hand out an invitation as owner.", "owner_required");
    }
    LIMBO_RETURN_IF_ERROR(CheckGrant(a, *role));
    inv->expires_at = now + kInvitationLifetimeMs;
    tx.invitations().UpdateToken(inv->id, token_hash, inv->expires_at);
    LIMBO_TRY(out.view, ViewOf(tx, *inv));
    return Ok();
  }));
  out.token = token;
  return out;
}

Result<InvitationPreview> AccountService::PreviewInvitation(const std::string& token) {
  if (token.empty() || token.size() > 200) return InvitationNotFound();
  std::string hash = core::Sha256Hex(token);
  TimeMs now = clock_.Now();
  InvitationPreview out;
  LIMBO_RETURN_IF_ERROR(store_.Read([&](Transaction& tx) -> Status {
    auto inv = tx.invitations().ByTokenHash(hash);
    if (!inv || inv->expires_at <= now) return InvitationNotFound();
    LIMBO_TRY(out.view, ViewOf(tx, *inv));
    out.account_exists = tx.accounts().UserByEmail(inv->email).has_value();
    return Ok();
  }));
  return out;
}

Result<AcceptResult> AccountService::AcceptInvitation(const std::string& token, const std::optional<User>& signed_in,
                                                      const std::string& name, const std::string& password,
                                                      const std::string& remote_addr) {
  LIMBO_TRY(InvitationPreview preview, PreviewInvitation(token));
  const Invitation& inv = preview.view.invitation;
  std::optional<User> user;
  std::optional<LoginResult> login;
  std::string pw_hash;
  if (signed_in && signed_in->email == inv.email) {
    user = signed_in;
  } else if (preview.account_exists) {
    // The account proves itself as at sign-in (throttled); its password and name stay as they are.
    if (password.empty()) {
      return Error::Unauthorized("An account exists for " + inv.email + ": enter its password to accept.",
                                 "password_required");
    }
    LIMBO_TRY(login, Login(inv.email, password, remote_addr));
    user = login->user;
  } else {
    LIMBO_RETURN_IF_ERROR(ValidateName("name", name));
    LIMBO_RETURN_IF_ERROR(ValidatePassword(password));
    pw_hash = core::HashPassword(password);
  }
  std::string hash = core::Sha256Hex(token);
  TimeMs now = clock_.Now();
  AcceptResult out;
  Session session_row;
  LIMBO_RETURN_IF_ERROR(store_.Write([&](Transaction& tx) -> Status {
    auto cur = tx.invitations().ByTokenHash(hash);
    if (!cur || cur->id != inv.id || cur->expires_at <= now) return InvitationNotFound();
    auto ws = tx.workspaces().ById(cur->workspace_id);
    if (!ws) return InvitationNotFound();
    auto role = FindRole(tx, ws->id, cur->role_id);
    if (!role) {
      return Error::Conflict("The role of this invitation no longer exists; ask for a new invitation.", "role_gone");
    }
    std::optional<User> u = user;
    if (!u) {
      if (tx.accounts().UserByEmail(cur->email)) {
        return Error::Conflict("An account for " + cur->email + " was created meanwhile; reload the page.");
      }
      u = User{"u_" + core::RandomToken(12), cur->email, name, pw_hash, now};
      tx.accounts().InsertUser(*u);
      out.login = MakeSession(*u, now, &session_row);
      tx.accounts().InsertSession(session_row);
    }
    if (!tx.members().MemberOf(ws->id, u->id)) tx.members().Insert(ws->id, u->id, role->id, now);
    tx.invitations().Delete(cur->id);
    out.workspace = *ws;
    return Ok();
  }));
  if (login) out.login = login;
  return out;
}

Result<std::vector<InvitationView>> AccountService::MyInvitations(const Principal& p) {
  std::vector<InvitationView> out;
  TimeMs now = clock_.Now();
  LIMBO_RETURN_IF_ERROR(store_.Read(
      [&](Transaction& tx) -> Status { return ViewsOf(tx, tx.invitations().PendingFor(p.user.email, now), &out); }));
  return out;
}

Result<User> AccountService::RenameSelf(const Principal& p, const std::string& name) {
  LIMBO_RETURN_IF_ERROR(ValidateName("name", name));
  User out;
  LIMBO_RETURN_IF_ERROR(store_.Write([&](Transaction& tx) -> Status {
    auto u = tx.accounts().UserById(p.user.id);
    if (!u) return Error::NotFound("Your account no longer exists.");
    u->name = name;
    tx.accounts().UpdateUser(*u);
    out = *u;
    return Ok();
  }));
  return out;
}

Result<std::vector<Role>> AccountService::ListRoles(const Actor& a) {
  std::vector<Role> out{OwnerRole(), MemberRole()};
  LIMBO_RETURN_IF_ERROR(store_.Read([&](Transaction& tx) -> Status {
    for (auto& r : tx.members().CustomRoles(a.workspace.id)) out.push_back(r);
    return Ok();
  }));
  return out;
}

Result<Role> AccountService::CreateRole(const Actor& a, const std::string& name,
                                        const std::vector<std::string>& perms) {
  LIMBO_RETURN_IF_ERROR(a.Require(Permission::kManageRoles));
  LIMBO_RETURN_IF_ERROR(ValidateName("name", name));
  LIMBO_TRY(PermissionSet set, ParsePermissions(perms));
  Role r{"r_" + core::RandomToken(10), name, set, false};
  LIMBO_RETURN_IF_ERROR(CheckGrant(a, r));
  LIMBO_RETURN_IF_ERROR(store_.Write([&](Transaction& tx) -> Status {
    for (auto& other : tx.members().CustomRoles(a.workspace.id)) {
      if (Lower(other.name) == Lower(name)) return Error::Conflict("A role named '" + name + "' exists.", "name_taken");
    }
    tx.members().InsertRole(a.workspace.id, r);
    return Ok();
  }));
  return r;
}

Result<Role> AccountService::PatchRole(const Actor& a, const std::string& id, const std::optional<std::string>& name,
                                       const std::optional<std::vector<std::string>>& perms) {
  LIMBO_RETURN_IF_ERROR(a.Require(Permission::kManageRoles));
  if (id == kOwnerRole || id == kMemberRole)
    return Error::Forbidden("Built-in roles cannot be edited.", "builtin_role");
  if (name) LIMBO_RETURN_IF_ERROR(ValidateName("name", *name));
  std::optional<PermissionSet> set;
  if (perms) {
    LIMBO_TRY(PermissionSet s, ParsePermissions(*perms));
    set = s;
  }
  Role out;
  LIMBO_RETURN_IF_ERROR(store_.Write([&](Transaction& tx) -> Status {
    auto r = tx.members().CustomRole(a.workspace.id, id);
    if (!r) return Error::NotFound("Role '" + id + "' was not found.");
    if (set) {
      // Only what the patch adds is granted: narrowing a role is always allowed.
      PermissionSet added;
      for (const auto& n : set->Missing(r->permissions)) added.Add(*ParsePermission(n));
      if (auto missing = added.Missing(a.role.permissions); !missing.empty()) return CannotGrant(missing);
      if (a.via_api_key && CanDeletePermanently(*set) && !r->permissions.Contains(*set)) {
        return SessionRequired("Role '" + r->name + "' then");
      }
    }
    if (name) r->name = *name;
    if (set) r->permissions = *set;
    tx.members().UpdateRole(a.workspace.id, *r);
    out = *r;
    return Ok();
  }));
  return out;
}

Status AccountService::DeleteRole(const Actor& a, const std::string& id) {
  LIMBO_RETURN_IF_ERROR(a.Require(Permission::kManageRoles));
  if (id == kOwnerRole || id == kMemberRole)
    return Error::Forbidden("Built-in roles cannot be deleted.", "builtin_role");
  return store_.Write([&](Transaction& tx) -> Status {
    if (!tx.members().CustomRole(a.workspace.id, id)) return Error::NotFound("Role '" + id + "' was not found.");
    if (tx.members().CountWithRole(a.workspace.id, id) > 0) {
      return Error::Conflict("Members still have this role; give them another role first.", "role_in_use");
    }
    tx.members().DeleteRole(a.workspace.id, id);
    return Ok();
  });
}

Result<std::vector<ApiKey>> AccountService::ListApiKeys(const Actor& a) {
  std::vector<ApiKey> out;
  std::optional<std::string> only;
  if (!a.Can(Permission::kManageApiKeys)) only = a.user.id;
  LIMBO_RETURN_IF_ERROR(store_.Read([&](Transaction& tx) -> Status {
    out = tx.api_keys().List(a.workspace.id, only);
    return Ok();
  }));
  return out;
}

Result<NewApiKey> AccountService::CreateApiKey(const Actor& a, const std::string& name) {
  LIMBO_RETURN_IF_ERROR(ValidateName("name", name));
  std::string hash;
  NewApiKey k = MakeKey(a.workspace.id, a.user, name, clock_.Now(), &hash);
  LIMBO_RETURN_IF_ERROR(store_.Write([&](Transaction& tx) -> Status {
    tx.api_keys().Insert(k.key, hash);
    return Ok();
  }));
  return k;
}

Status AccountService::RevokeApiKey(const Actor& a, const std::string& id) {
  TimeMs now = clock_.Now();
  return store_.Write([&](Transaction& tx) -> Status {
    auto k = tx.api_keys().ById(a.workspace.id, id);
    if (!k || k->revoked) return Error::NotFound("API key '" + id + "' was not found.");
    if (k->user_id != a.user.id && !a.Can(Permission::kManageApiKeys)) {
      // Members who may not manage others' keys do not learn that the key exists.
      return Error::NotFound("API key '" + id + "' was not found.");
    }
    tx.api_keys().Revoke(id, now);
    return Ok();
  });
}

Result<std::vector<Group>> AccountService::ListGroups(const Actor& a) {
  std::vector<Group> out;
  LIMBO_RETURN_IF_ERROR(store_.Read([&](Transaction& tx) -> Status {
    out = tx.groups().List(a.workspace.id);
    return Ok();
  }));
  return out;
}

Result<Group> AccountService::CreateGroup(const Actor& a, const std::string& name) {
  LIMBO_RETURN_IF_ERROR(a.Require(Permission::kCreateProject));
  LIMBO_RETURN_IF_ERROR(ValidateName("name", name));
  Group g{"g_" + core::RandomToken(10), name, 0};
  TimeMs now = clock_.Now();
  LIMBO_RETURN_IF_ERROR(store_.Write([&](Transaction& tx) -> Status {
    tx.groups().Insert(a.workspace.id, g, now);
    return Ok();
  }));
  return g;
}

Result<Group> AccountService::RenameGroup(const Actor& a, const std::string& id, const std::string& name) {
  LIMBO_RETURN_IF_ERROR(a.Require(Permission::kCreateProject));
  LIMBO_RETURN_IF_ERROR(ValidateName("name", name));
  Group out;
  LIMBO_RETURN_IF_ERROR(store_.Write([&](Transaction& tx) -> Status {
    auto g = tx.groups().ById(a.workspace.id, id);
    if (!g) return Error::NotFound("Group '" + id + "' was not found.");
    tx.groups().Rename(a.workspace.id, id, name);
    out = *g;
    out.name = name;
    return Ok();
  }));
  return out;
}

Status AccountService::DeleteGroup(const Actor& a, const std::string& id) {
  LIMBO_RETURN_IF_ERROR(a.Require(Permission::kCreateProject));
  return store_.Write([&](Transaction& tx) -> Status {
    if (!tx.groups().ById(a.workspace.id, id)) return Error::NotFound("Group '" + id + "' was not found.");
    tx.groups().Delete(a.workspace.id, id);
    return Ok();
  });
}

}  // namespace limbo::domain
