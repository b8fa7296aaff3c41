#include "http/range.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>

namespace limbo::http {
namespace {

constexpr std::uint64_t kSize = 1000;

void ExpectPartial(std::string_view header, std::uint64_t first, std::uint64_t last, std::uint64_t size = kSize) {
  RangeChoice r = ParseRange(header, size);
  EXPECT_EQ(r.kind, RangeChoice::kPartial) << header;
  EXPECT_EQ(r.first, first) << header;
  EXPECT_EQ(r.last, last) << header;
}

void ExpectWhole(std::string_view header, std::uint64_t size = kSize) {
  EXPECT_EQ(ParseRange(header, size).kind, RangeChoice::kWhole) << header;
}

void ExpectUnsatisfiable(std::string_view header, std::uint64_t size = kSize) {
  EXPECT_EQ(ParseRange(header, size).kind, RangeChoice::kUnsatisfiable) << header;
}

TEST(Range, FirstToLast) {
  ExpectPartial("bytes=0-0", 0, 0);
  ExpectPartial("bytes=0-499", 0, 499);
  ExpectPartial("bytes=500-999", 500, 999);
  ExpectPartial("bytes=999-999", 999, 999);
  ExpectPartial("Bytes=1-2", 1, 2);  // the unit is case-insensitive
  ExpectPartial("  bytes= 10-20 ", 10, 20);
}

TEST(Range, LastPastTheEndIsCut) {
  ExpectPartial("bytes=500-1000", 500, 999);
  ExpectPartial("bytes=0-18446744073709551615", 0, 999);
  ExpectPartial("bytes=0-99999999999999999999999999", 0, 999);  // saturates instead of wrapping
}

TEST(Range, OpenEnded) {
  ExpectPartial("bytes=0-", 0, 999);
  ExpectPartial("bytes=999-", 999, 999);
  ExpectPartial("bytes=123-", 123, 999);
}

TEST(Range, Suffix) {
  ExpectPartial("bytes=-1", 999, 999);
  ExpectPartial("bytes=-100", 900, 999);
  ExpectPartial("bytes=-1000", 0, 999);
  ExpectPartial("bytes=-5000", 0, 999);  // more than there is: all of it
  ExpectPartial("bytes=-99999999999999999999999", 0, 999);
}

TEST(Range, Unsatisfiable) {
  ExpectUnsatisfiable("bytes=1000-");
  ExpectUnsatisfiable("bytes=1000-2000");
  ExpectUnsatisfiable("bytes=5000-5000");
  ExpectUnsatisfiable("bytes=99999999999999999999999-");
  ExpectUnsatisfiable("bytes=-0");
  ExpectUnsatisfiable("bytes=0-", 0);  // nothing to serve a range of
  ExpectUnsatisfiable("bytes=-5", 0);
}

TEST(Range, MalformedOrSeveralAreIgnored) {
  ExpectWhole("");
  ExpectWhole("bytes=");
  ExpectWhole("bytes=-");
  ExpectWhole("bytes");
  ExpectWhole("items=0-10");
  ExpectWhole("bytes 0-10");
  ExpectWhole("bytes=10");
  ExpectWhole("bytes=a-b");
  ExpectWhole("bytes=5-4");  // last before first: an invalid range-spec
  ExpectWhole("bytes=+1-2");
  ExpectWhole("bytes=1-+2");
  ExpectWhole("bytes=--1");
  ExpectWhole("bytes=1-2-3");
  ExpectWhole("bytes=0x10-20");
  ExpectWhole("bytes=0-1,5-6");     // several ranges are not served
  ExpectWhole("bytes=0-1, 2000-");  // not even when one is unsatisfiable
  ExpectWhole(std::string("bytes=0-1\0", 10));
}

TEST(IfNoneMatch, WeakComparison) {
  const std::string tag = "\"abc\"";
  EXPECT_TRUE(IfNoneMatchMatches("\"abc\"", tag));
  EXPECT_TRUE(IfNoneMatchMatches("W/\"abc\"", tag));
  EXPECT_TRUE(IfNoneMatchMatches("\"x\", \"abc\"", tag));
  EXPECT_TRUE(IfNoneMatchMatches("*", tag));
  EXPECT_TRUE(IfNoneMatchMatches(" * ", tag));
  EXPECT_FALSE(IfNoneMatchMatches("\"abcd\"", tag));
  EXPECT_FALSE(IfNoneMatchMatches("abc", tag));
  EXPECT_FALSE(IfNoneMatchMatches("\"x\",\"y\"", tag));
  EXPECT_FALSE(IfNoneMatchMatches(",", tag));
}

}  // namespace
}  // namespace limbo::http
