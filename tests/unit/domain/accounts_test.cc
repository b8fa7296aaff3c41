#include "support/fixture.h"

namespace limbo::testing {
namespace {

class Accounts : public DomainTest {};

TEST_F(Accounts, LoginChecksThePasswordAndThrottlesRepeatedFailures) {
  auto ok = accounts_->Login("OWNER@example.com", "correct horse battery", "10.0.0.1");
  ASSERT_TRUE(ok);
  EXPECT_FALSE(ok->csrf_token.empty());
  auto session = accounts_->AuthenticateSession(ok->session_id);
  ASSERT_TRUE(session);
  EXPECT_EQ(session->user.email, "owner@example.com");
  for (int i = 0; i < 5; ++i)
    EXPECT_EQ(accounts_->Login("owner@example.com", "wrong", "10.0.0.2").error().code, "invalid_credentials");
  EXPECT_EQ(accounts_->Login("owner@example.com", "correct horse battery", "10.0.0.3").error().code,
            "too_many_attempts");
  Advance(16 * 60 * core::kSecondMs);
  EXPECT_TRUE(accounts_->Login("owner@example.com", "correct horse battery", "10.0.0.3"));
}

TEST_F(Accounts, SessionsExpireAndLogoutEndsThem) {
  auto s = accounts_->Login("owner@example.com", "correct horse battery", "a");
  ASSERT_TRUE(accounts_->Logout(s->session_id));
  EXPECT_FALSE(accounts_->AuthenticateSession(s->session_id));
  auto t = accounts_->Login("owner@example.com", "correct horse battery", "a");
  Advance(domain::kSessionLifetimeMs);
  EXPECT_FALSE(accounts_->AuthenticateSession(t->session_id));
}

TEST_F(Accounts, ApiKeysAreScopedToTheirWorkspaceAndRevocableAtOnce) {
  auto other = accounts_->Bootstrap("other", "owner@example.com", "ignored for existing");
  ASSERT_TRUE(other);
  auto key = accounts_->AuthenticateApiKey(other->api_key);
  ASSERT_TRUE(key);
  // The same user owns both workspaces, but this key acts only in "other".
  EXPECT_EQ(accounts_->ResolveActor(*key, "acme").error().code, "not_found");
  EXPECT_TRUE(accounts_->ResolveActor(*key, "other"));

  auto created = accounts_->CreateApiKey(owner(), "ci");
  ASSERT_TRUE(created);
  EXPECT_EQ(created->secret.rfind("lk_", 0), 0u);
  EXPECT_TRUE(accounts_->AuthenticateApiKey(created->secret));
  ASSERT_TRUE(accounts_->RevokeApiKey(owner(), created->key.id));
  EXPECT_FALSE(accounts_->AuthenticateApiKey(created->secret));
}

TEST_F(Accounts, RolesValidatePermissionsAndProtectBuiltins) {
  EXPECT_EQ(accounts_->CreateRole(owner(), "Bad", {"view_trash", "fly"}).error().code, "invalid_permission");
  auto r = accounts_->CreateRole(owner(), "Curator", {"view_trash", "restore_dataset"});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->permissions.Names(), (std::vector<std::string>{"view_trash", "restore_dataset"}));
  EXPECT_EQ(accounts_->PatchRole(owner(), "owner", std::string("x"), std::nullopt).error().code, "builtin_role");
  auto m = AddMember("c@example.com", r->id);
  EXPECT_TRUE(m.Can(domain::Permission::kViewTrash));
  EXPECT_FALSE(m.Can(domain::Permission::kTrashDataset));
  EXPECT_EQ(accounts_->DeleteRole(owner(), r->id).error().code, "role_in_use");
  EXPECT_EQ(accounts_->RemoveMember(owner(), "owner@example.com").error().code, "last_owner");
}

TEST_F(Accounts, MembersCannotManageOthers) {
  auto member = AddMember("m@example.com", "member");
  EXPECT_EQ(accounts_->Invite(member, "x@example.com", "member").error().code, "forbidden");
  EXPECT_EQ(accounts_->CreateRole(member, "R", {}).error().code, "forbidden");
  // Everyone manages their own keys; only their own are listed.
  ASSERT_TRUE(accounts_->CreateApiKey(member, "mine"));
  auto keys = accounts_->ListApiKeys(member);
  ASSERT_EQ(keys->size(), 1u);
  EXPECT_EQ(keys->front().name, "mine");
  auto owners = accounts_->ListApiKeys(owner());
  EXPECT_EQ(owners->size(), 2u);
  std::string owner_key_id;
  for (const auto& k : *owners) {
    if (k.user_email == "owner@example.com") owner_key_id = k.id;
  }
  EXPECT_EQ(accounts_->RevokeApiKey(member, owner_key_id).error().code, "not_found");
}

TEST_F(Accounts, PasswordsAreHashedAndShortOnesRefused) {
  EXPECT_EQ(accounts_->AddMemberLocal("acme", "s@example.com", "S", "short", "member").error().code, "invalid_request");
  std::optional<domain::User> u;
  ASSERT_TRUE(store_->Read([&](domain::Transaction& tx) -> core::Status {
    u = tx.accounts().UserByEmail("owner@example.com");
    return core::Ok();
  }));
  EXPECT_EQ(u->password_hash.rfind("$argon2id$", 0), 0u);
}

TEST_F(Accounts, EmailsWithControlCharactersOrWhitespaceAreRefused) {
  for (std::string bad : {std::string("eve@example.com\0", 16), std::string("eve@example.com\n"),
                          std::string("e ve@x.io"), std::string("eve.example.com"), std::string("a@b@x.io"),
                          std::string("@x.io"), std::string("eve@"), std::string(250, 'e') + "@x.io"}) {
    auto r = domain::AccountService::NormalizeEmail(bad);
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().code, "invalid_email");
    EXPECT_EQ(accounts_->Invite(owner(), bad, "member").error().code, "invalid_email");
  }
  EXPECT_EQ(*domain::AccountService::NormalizeEmail("Eve@Example.COM"), "eve@example.com");
}

TEST_F(Accounts, ApiKeysMayLengthenTheTrashRetentionButNeverShortenIt) {
  domain::Actor key = owner();
  key.via_api_key = true;
  domain::WorkspacePatch shorter;
  shorter.retention_days = 1;
  auto refused = accounts_->PatchWorkspace(key, shorter);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, "session_required");
  domain::WorkspacePatch longer;
  longer.retention_days = 90;
  ASSERT_TRUE(accounts_->PatchWorkspace(key, longer));
  auto by_session = accounts_->PatchWorkspace(owner(), shorter);
  ASSERT_TRUE(by_session);
  EXPECT_EQ(by_session->retention_days, 1);
}

TEST_F(Accounts, ApiKeysCannotGrantThePermanentDeletionLevelAndNobodyGrantsWhatTheyLack) {
  domain::Actor key = owner();
  key.via_api_key = true;
  EXPECT_EQ(accounts_->Invite(key, "x@example.com", "owner").error().code, "session_required");
  EXPECT_EQ(accounts_->CreateRole(key, "Janitor", {"view_trash", "trash_version"}).error().code, "session_required");
  auto viewer = accounts_->CreateRole(key, "Viewer", {"view_trash", "restore_version"});
  ASSERT_TRUE(viewer);
  EXPECT_EQ(accounts_->PatchRole(key, viewer->id, std::nullopt, std::vector<std::string>{"view_trash", "trash_dataset"})
                .error()
                .code,
            "session_required");
  EXPECT_TRUE(
      accounts_->PatchRole(owner(), viewer->id, std::nullopt, std::vector<std::string>{"view_trash", "trash_dataset"}));
  EXPECT_TRUE(accounts_->PatchRole(key, viewer->id, std::string("Viewers"), std::nullopt));  // a rename
  auto m = AddMember("m@example.com", "member");
  EXPECT_EQ(accounts_->PatchMember(key, "m@example.com", {std::string("owner")}).error().code, "session_required");
  EXPECT_EQ(accounts_->PatchMember(key, "m@example.com", {viewer->id}).error().code, "session_required");
  EXPECT_TRUE(accounts_->PatchMember(owner(), "m@example.com", {viewer->id}));

  auto admin_role = accounts_->CreateRole(owner(), "Admin", {"manage_members", "manage_roles"});
  auto admin = AddMember("a@example.com", admin_role->id);
  EXPECT_EQ(accounts_
                ->PatchRole(admin, admin_role->id, std::nullopt,
                            std::vector<std::string>{"manage_members", "manage_roles", "manage_workspace"})
                .error()
                .code,
            "cannot_grant");
  EXPECT_EQ(accounts_->PatchMember(admin, "a@example.com", {std::string("member")}).error().code, "cannot_grant");
  EXPECT_EQ(accounts_->Invite(admin, "n@example.com", "member").error().code, "cannot_grant");
  EXPECT_TRUE(accounts_->Invite(admin, "n@example.com", admin_role->id));
}

TEST_F(Accounts, InvitationsNeedTheirTokenAndNeverChangeAnExistingAccount) {
  domain::Actor key = owner();
  key.via_api_key = true;
  auto by_key = accounts_->Invite(key, "new@example.com", "member");
  ASSERT_TRUE(by_key);
  EXPECT_TRUE(by_key->token.empty());  // an API key never sees the link
  auto link = accounts_->RenewInvitationLink(owner(), "new@example.com");
  ASSERT_TRUE(link);
  EXPECT_EQ(accounts_->RenewInvitationLink(key, "new@example.com").error().code, "session_required");
  EXPECT_EQ(accounts_->AcceptInvitation("wrong", std::nullopt, "N", "long enough password", "a").error().code,
            "invitation_not_found");
  auto accepted = accounts_->AcceptInvitation(link->token, std::nullopt, "Nora", "long enough password", "a");
  ASSERT_TRUE(accepted) << accepted.error().message;
  EXPECT_EQ(accepted->workspace.url, "acme");
  ASSERT_TRUE(accepted->login);
  EXPECT_EQ(accepted->login->user.name, "Nora");
  EXPECT_FALSE(accounts_->AcceptInvitation(link->token, std::nullopt, "N", "long enough password", "a"));

  // An existing account: only its own password accepts, and it stays; so does its name.
  ASSERT_TRUE(accounts_->Bootstrap("other", "old@example.com", "the old password"));
  auto inv = accounts_->Invite(owner(), "old@example.com", "member");
  ASSERT_TRUE(inv);
  EXPECT_EQ(accounts_->AcceptInvitation(inv->token, std::nullopt, "X", "a new password", "a").error().code,
            "invalid_credentials");
  auto joined = accounts_->AcceptInvitation(inv->token, std::nullopt, "X", "the old password", "a");
  ASSERT_TRUE(joined);
  EXPECT_EQ(joined->login->user.name, "old");
  EXPECT_TRUE(accounts_->Login("old@example.com", "the old password", "b"));
  EXPECT_FALSE(accounts_->Login("old@example.com", "a new password", "b"));

  auto late = accounts_->Invite(owner(), "late@example.com", "member");
  Advance(domain::kInvitationLifetimeMs);
  EXPECT_EQ(accounts_->PreviewInvitation(late->token).error().code, "invitation_not_found");
}

}  // namespace
}  // namespace limbo::testing
