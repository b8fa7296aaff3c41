#include <gtest/gtest.h>

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

}  // namespace
}  // namespace limbo::core
