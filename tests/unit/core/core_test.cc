#include <gtest/gtest.h>

#include <cstdio>
#include <ctime>
#include <map>
#include <random>

#include "core/crypto.h"
#include "core/slug.h"
#include "core/time_format.h"

namespace limbo::core {
namespace {

TEST(Slug, MakesUrlsFromNames) {
  EXPECT_EQ(Slugify("My Cats (2024)!"), "my-cats-2024");
  EXPECT_EQ(Slugify("  --Hello__World--  "), "hello-world");
  EXPECT_EQ(Slugify("Ünïcode ok"), "n-code-ok");
  EXPECT_TRUE(IsValidSlug("a-b-1"));
  EXPECT_FALSE(IsValidSlug("-a"));
  EXPECT_FALSE(IsValidSlug("A"));
  EXPECT_FALSE(IsValidSlug("../etc"));
  EXPECT_FALSE(IsValidSlug(std::string(65, 'a')));
  for (auto w : {"app", "api", "trash", "api-keys", "versions", "healthz"}) EXPECT_TRUE(IsReservedSlug(w)) << w;
  EXPECT_FALSE(IsReservedSlug("cats"));
}

TEST(Time, FormatsAndParsesIso8601) {
  EXPECT_EQ(FormatIso8601(0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(FormatIso8601(1'800'000'000'250), "2027-01-15T08:00:00.250Z");
  EXPECT_EQ(ParseIso8601("2027-01-15T08:00:00.250Z"), 1'800'000'000'250);
  EXPECT_EQ(ParseIso8601("2027-01-15T08:00:00Z"), 1'800'000'000'000);
  EXPECT_FALSE(ParseIso8601("yesterday"));
  EXPECT_EQ(ParseDuration("60s"), 60'000);
  EXPECT_EQ(ParseDuration("5m"), 300'000);
  EXPECT_EQ(ParseDuration("2"), 2'000);
  EXPECT_FALSE(ParseDuration("x5"));
}

// The hand-written formatter agrees with gmtime_r and snprintf everywhere (leap days, centuries,
// before 1970, milliseconds or none).
TEST(Time, FormatIso8601AgreesWithTheCLibrary) {
  auto reference = [](TimeMs t) {
    TimeMs secs = t >= 0 ? t / 1000 : (t - 999) / 1000;
    int ms = static_cast<int>(t - secs * 1000);
    std::time_t tt = static_cast<std::time_t>(secs);
    std::tm tm{};
    gmtime_r(&tt, &tm);
    char buf[64];
    if (ms == 0) {
      std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                    tm.tm_hour, tm.tm_min, tm.tm_sec);
    } else {
      std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                    tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ms);
    }
    return std::string(buf);
  };
  std::mt19937_64 rng(16);
  std::uniform_int_distribution<TimeMs> any(-62'000'000'000'000, 253'402'300'799'999);  // years 0 to 9999
  for (int i = 0; i < 200000; ++i) {
    TimeMs t = any(rng);
    if (i % 3 == 0) t -= t % 1000;  // whole seconds too
    ASSERT_EQ(FormatIso8601(t), reference(t)) << t;
  }
  for (TimeMs t : {TimeMs{951'782'400'000}, TimeMs{4'107'542'400'000}, TimeMs{-1}, TimeMs{-1000}, TimeMs{-86'400'001},
                   TimeMs{253'402'300'799'999}}) {
    EXPECT_EQ(FormatIso8601(t), reference(t)) << t;  // 2000-02-29, 2100-03-01, just before 1970, the last ms of 9999
  }
}

TEST(Time, DaysRemainingIsACeilingNeverBelowZero) {
  EXPECT_EQ(DaysRemaining(0, 30 * kDayMs), 30);
  EXPECT_EQ(DaysRemaining(1, 30 * kDayMs), 30);
  EXPECT_EQ(DaysRemaining(kDayMs, 30 * kDayMs), 29);
  EXPECT_EQ(DaysRemaining(30 * kDayMs - 1, 30 * kDayMs), 1);
  EXPECT_EQ(DaysRemaining(30 * kDayMs, 30 * kDayMs), 0);
  EXPECT_EQ(DaysRemaining(31 * kDayMs, 30 * kDayMs), 0);
}

TEST(Crypto, HashesAndComparesSecrets) {
  InitCrypto();
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  auto h = HashPassword("correct horse");
  EXPECT_TRUE(VerifyPassword(h, "correct horse"));
  EXPECT_FALSE(VerifyPassword(h, "correct horsf"));
  EXPECT_TRUE(ConstantTimeEquals("abc", "abc"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "abd"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "abcd"));
  EXPECT_EQ(RandomToken(20).size(), 20u);
  EXPECT_NE(RandomToken(20), RandomToken(20));
}

// Secrets (API keys, sessions) are RandomTokens: every character of the alphabet equally likely.
TEST(Crypto, RandomTokensUseTheWholeAlphabetUniformly) {
  InitCrypto();
  EXPECT_EQ(RandomToken(0), "");
  EXPECT_EQ(RandomToken(1000).size(), 1000u);
  std::map<char, int> seen;
  for (int i = 0; i < 9000; ++i) {
    for (char c : RandomToken(40)) seen[c]++;
  }
  ASSERT_EQ(seen.size(), 36u);
  for (auto [c, n] : seen) {
    EXPECT_TRUE((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) << c;
    // 360 000 characters: 10 000 expected of each, a standard deviation of about 98.
    EXPECT_GT(n, 9400) << c;
    EXPECT_LT(n, 10600) << c;
  }
}

}  // namespace
}  // namespace limbo::core
