#include <thread>
#include <vector>

#include "core/crypto.h"
#include "support/fixture.h"

namespace limbo::testing {
namespace {

constexpr char kRight[] = "correct horse battery";

// Sign-in throttling with the failures kept in the database: limits shared by every server on it,
// kept across restarts, on the server clock. Runs on SQLite and on PostgreSQL.
class LoginThrottle : public DomainTest {
 protected:
  std::string Code(domain::AccountService& a, const std::string& email, const std::string& password,
                   const std::string& addr) {
    auto r = a.Login(email, password, addr);
    return r ? "ok" : r.error().code;
  }
  std::string Code(const std::string& email, const std::string& password, const std::string& addr) {
    return Code(*accounts_, email, password, addr);
  }
  int Rows(const std::string& key) {
    int n = -1;
    EXPECT_TRUE(store_->Read([&](domain::Transaction& tx) -> core::Status {
      n = tx.accounts().CountLoginFailures(key, 0);
      return core::Ok();
    }));
    return n;
  }
};

TEST_F(LoginThrottle, FailuresOnOneServerCountOnAnotherOnTheSameDatabase) {
  auto other_store = OpenStore();
  domain::AccountService other(*other_store, clock_);
  for (int i = 0; i < 3; ++i)
    EXPECT_EQ(Code("owner@example.com", "wrong", "10.0.0." + std::to_string(i)), "invalid_credentials");
  for (int i = 3; i < 5; ++i) {
    EXPECT_EQ(Code(other, "owner@example.com", "wrong", "10.0.0." + std::to_string(i)), "invalid_credentials");
  }
  // Five failures in all: both servers now refuse even the right password for that account.
  EXPECT_EQ(Code(other, "owner@example.com", kRight, "10.0.1.1"), "too_many_attempts");
  EXPECT_EQ(Code("owner@example.com", kRight, "10.0.1.2"), "too_many_attempts");
}

TEST_F(LoginThrottle, FailuresFromOneAddressCountAcrossAccountsAndServers) {
  auto other_store = OpenStore();
  domain::AccountService other(*other_store, clock_);
  for (int i = 0; i < 5; ++i) {
    auto& a = i % 2 == 0 ? *accounts_ : other;
    EXPECT_EQ(Code(a, "nobody" + std::to_string(i) + "@example.com", "guess guess", "203.0.113.5"),
              "invalid_credentials");
  }
  EXPECT_EQ(Code(other, "owner@example.com", kRight, "203.0.113.5"), "too_many_attempts");
  EXPECT_EQ(Code("owner@example.com", kRight, "203.0.113.5"), "too_many_attempts");
  EXPECT_EQ(Code(other, "owner@example.com", kRight, "203.0.113.6"), "ok");  // another address
}

TEST_F(LoginThrottle, ARestartForgetsNothing) {
  for (int i = 0; i < 5; ++i) EXPECT_EQ(Code("owner@example.com", "wrong", "10.0.0.1"), "invalid_credentials");
  // The server goes away and comes back: new store, new service, same database.
  accounts_.reset();
  trash_.reset();
  training_.reset();
  content_.reset();
  store_ = OpenStore();
  accounts_ = std::make_unique<domain::AccountService>(*store_, clock_);
  EXPECT_EQ(Code("owner@example.com", kRight, "10.0.0.9"), "too_many_attempts");
  EXPECT_EQ(Code("someone@example.com", "guess guess", "10.0.0.1"), "too_many_attempts");  // the address too
}

TEST_F(LoginThrottle, TheWindowSlidesOnTheServerClock) {
  for (int i = 0; i < 4; ++i) EXPECT_EQ(Code("owner@example.com", "wrong", "10.0.0.1"), "invalid_credentials");
  Advance(10 * 60 * core::kSecondMs);
  EXPECT_EQ(Code("owner@example.com", "wrong", "10.0.0.2"), "invalid_credentials");
  EXPECT_EQ(Code("owner@example.com", kRight, "10.0.0.3"), "too_many_attempts");
  // The first four are exactly one window old: still counted.
  Advance(domain::kLoginThrottleWindowMs - 10 * 60 * core::kSecondMs);
  EXPECT_EQ(Code("owner@example.com", kRight, "10.0.0.3"), "too_many_attempts");
  // A millisecond later only the fifth is left in the window.
  Advance(1);
  EXPECT_EQ(Code("owner@example.com", kRight, "10.0.0.3"), "ok");
  // With the one from minute 10, four more make five in the window again.
  for (int i = 0; i < 4; ++i) EXPECT_EQ(Code("owner@example.com", "wrong", "10.0.0.4"), "invalid_credentials");
  EXPECT_EQ(Code("owner@example.com", kRight, "10.0.0.5"), "too_many_attempts");
}

TEST_F(LoginThrottle, SuccessfulSignInsAreNotCounted) {
  for (int i = 0; i < 8; ++i) EXPECT_EQ(Code("owner@example.com", kRight, "10.0.0.1"), "ok") << i;
  for (int i = 0; i < 4; ++i) EXPECT_EQ(Code("owner@example.com", "wrong", "10.0.0.1"), "invalid_credentials");
  EXPECT_EQ(Code("owner@example.com", kRight, "10.0.0.1"), "ok");
}

TEST_F(LoginThrottle, ConcurrentGuessesOnTwoServersGetNoMoreThanTheLimit) {
  auto other_store = OpenStore();
  domain::AccountService other(*other_store, clock_);
  constexpr int kThreads = 8;
  std::vector<std::string> codes(kThreads);
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      codes[static_cast<std::size_t>(i)] =
          Code(i % 2 == 0 ? *accounts_ : other, "owner@example.com", "wrong", "10.0.2." + std::to_string(i));
    });
  }
  for (auto& t : threads) t.join();
  int refused = 0, throttled = 0;
  for (const auto& c : codes) {
    refused += c == "invalid_credentials";
    throttled += c == "too_many_attempts";
  }
  EXPECT_EQ(refused, domain::kMaxLoginFailures);
  EXPECT_EQ(throttled, kThreads - domain::kMaxLoginFailures);
}

TEST_F(LoginThrottle, KeepsHashesNotEmailsAndPrunesWhatTheWindowNoLongerNeeds) {
  EXPECT_EQ(Code("Typo@Example.com", "wrong", "198.51.100.7"), "invalid_credentials");
  Advance(5 * 60 * core::kSecondMs);
  EXPECT_EQ(Code("owner@example.com", "wrong", "198.51.100.7"), "invalid_credentials");
  EXPECT_EQ(Rows("user:typo@example.com"), 0);
  EXPECT_EQ(Rows(core::Sha256Hex("user:typo@example.com")), 1);
  EXPECT_EQ(Rows(core::Sha256Hex("addr:198.51.100.7")), 2);
  // Nothing is old enough yet.
  EXPECT_EQ(accounts_->PruneLoginFailures().value(), 0);
  Advance(domain::kLoginThrottleWindowMs - 5 * 60 * core::kSecondMs + 1);
  // The first attempt's two rows go (in batches of one here); the second attempt's stay.
  EXPECT_EQ(accounts_->PruneLoginFailures(1).value(), 2);
  EXPECT_EQ(Rows(core::Sha256Hex("user:typo@example.com")), 0);
  EXPECT_EQ(Rows(core::Sha256Hex("addr:198.51.100.7")), 1);
  EXPECT_EQ(Rows(core::Sha256Hex("user:owner@example.com")), 1);
}

}  // namespace
}  // namespace limbo::testing
