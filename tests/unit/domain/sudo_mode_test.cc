#include "support/fixture.h"

namespace limbo::testing {
namespace {

constexpr const char* kPassword = "correct horse battery";

class SudoMode : public DomainTest {
 protected:
  domain::Principal SignIn(const std::string& addr = "10.0.0.1") {
    auto login = accounts_->Login("owner@example.com", kPassword, addr);
    EXPECT_TRUE(login);
    return Session(login->session_id);
  }
  domain::Principal Session(const std::string& id) {
    auto p = accounts_->AuthenticateSession(id);
    EXPECT_TRUE(p);
    return *p;
  }
};

TEST_F(SudoMode, ASignInOpensTheWindowForTenMinutesOfServerTime) {
  auto login = accounts_->Login("owner@example.com", kPassword, "10.0.0.1");
  ASSERT_TRUE(login);
  EXPECT_TRUE(accounts_->RequireRecentPassword(Session(login->session_id)));
  Advance(domain::kSudoWindowMs - 1);
  EXPECT_TRUE(accounts_->RequireRecentPassword(Session(login->session_id)));
  Advance(1);
  auto refused = accounts_->RequireRecentPassword(Session(login->session_id));
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, "reauth_required");
  EXPECT_EQ(refused.error().kind, core::ErrorKind::kForbidden);
  EXPECT_FALSE(refused.error().hint.empty());
  EXPECT_EQ(domain::kSudoWindowMs, 10 * 60 * core::kSecondMs);
}

TEST_F(SudoMode, ReauthenticationRefreshesOnlyItsOwnSession) {
  auto a = accounts_->Login("owner@example.com", kPassword, "10.0.0.1");
  auto b = accounts_->Login("owner@example.com", kPassword, "10.0.0.1");
  ASSERT_TRUE(a && b);
  Advance(domain::kSudoWindowMs);
  EXPECT_EQ(accounts_->Reauthenticate(Session(a->session_id), "wrong password", "10.0.0.1").error().code,
            "invalid_credentials");
  EXPECT_FALSE(accounts_->RequireRecentPassword(Session(a->session_id)));
  auto until = accounts_->Reauthenticate(Session(a->session_id), kPassword, "10.0.0.1");
  ASSERT_TRUE(until);
  EXPECT_EQ(*until, clock_.Now() + domain::kSudoWindowMs);
  EXPECT_TRUE(accounts_->RequireRecentPassword(Session(a->session_id)));
  EXPECT_FALSE(accounts_->RequireRecentPassword(Session(b->session_id)));
}

TEST_F(SudoMode, AnApiKeyHasNoSudoModeAndCannotReauthenticate) {
  auto key = accounts_->AuthenticateApiKey(owner_key_);
  ASSERT_TRUE(key);
  EXPECT_EQ(accounts_->RequireRecentPassword(*key).error().code, "reauth_required");
  EXPECT_EQ(accounts_->Reauthenticate(*key, kPassword, "10.0.0.1").error().kind, core::ErrorKind::kUnauthorized);
}

TEST_F(SudoMode, WrongPasswordsAreThrottledWithTheSignInFailures) {
  auto p = SignIn();
  for (int i = 0; i < domain::kMaxLoginFailures; ++i) {
    EXPECT_EQ(accounts_->Reauthenticate(p, "wrong password", "10.0.0.9").error().code, "invalid_credentials");
  }
  EXPECT_EQ(accounts_->Reauthenticate(p, kPassword, "10.0.0.2").error().code, "too_many_attempts");  // per account
  EXPECT_EQ(accounts_->Login("owner@example.com", kPassword, "10.0.0.3").error().code, "too_many_attempts");
  Advance(domain::kLoginThrottleWindowMs + 1);
  EXPECT_TRUE(accounts_->Reauthenticate(p, kPassword, "10.0.0.2"));
}

}  // namespace
}  // namespace limbo::testing
