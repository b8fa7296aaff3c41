#include "http/trusted_proxies.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "http/message.h"

namespace limbo::http {
namespace {

TrustedProxies Parse(std::string_view list) {
  std::string bad;
  auto t = TrustedProxies::Parse(list, &bad);
  EXPECT_TRUE(t) << "rejected: " << bad;
  return t.value_or(TrustedProxies{});
}

TEST(TrustedProxies, ParsesIpv4AndIpv6RangesAndBareAddresses) {
  auto t = Parse(" 10.0.0.0/8, 192.168.1.7 ,2001:db8::/32,::1");
  EXPECT_TRUE(t.Contains("10.255.3.4"));
  EXPECT_FALSE(t.Contains("11.0.0.1"));
  EXPECT_TRUE(t.Contains("192.168.1.7"));
  EXPECT_FALSE(t.Contains("192.168.1.8"));
  EXPECT_TRUE(t.Contains("2001:db8:ffff::1"));
  EXPECT_FALSE(t.Contains("2001:db9::1"));
  EXPECT_TRUE(t.Contains("::1"));
  EXPECT_FALSE(t.Contains("::2"));
  // A socket listening on IPv6 reports IPv4 peers IPv4-mapped; they still match IPv4 ranges.
  EXPECT_TRUE(t.Contains("::ffff:10.1.2.3"));
}

TEST(TrustedProxies, PrefixesThatAreNotWholeBytesAndHostBitsAreHandled) {
  auto t = Parse("172.16.0.0/12,10.1.2.3/24,fd00::/7");
  EXPECT_TRUE(t.Contains("172.31.255.255"));
  EXPECT_FALSE(t.Contains("172.32.0.0"));
  EXPECT_FALSE(t.Contains("172.15.255.255"));
  EXPECT_TRUE(t.Contains("10.1.2.200"));  // host bits of 10.1.2.3/24 are ignored
  EXPECT_FALSE(t.Contains("10.1.3.1"));
  EXPECT_TRUE(t.Contains("fc00::1"));
  EXPECT_TRUE(t.Contains("fdff::1"));
  EXPECT_FALSE(t.Contains("fe00::1"));
  auto everyone = Parse("0.0.0.0/0");
  EXPECT_TRUE(everyone.Contains("203.0.113.9"));
}

TEST(TrustedProxies, RejectsMalformedRanges) {
  for (const char* list : {"10.0.0.0/33", "::/129", "10.0.0.0/", "10.0.0.0/-1", "10.0.0.0/8x", "10.0.0", "10.0.0.256",
                           "a.b.c.d", "localhost", "10.0.0.0/8,", ",10.0.0.0/8", "10.0.0.0/8,,::1", "[::1]",
                           "fe80::1%eth0", "1.2.3.4:80", "10.0.0.0/8/8", "010.0.0.1"}) {
    std::string bad;
    EXPECT_FALSE(TrustedProxies::Parse(list, &bad)) << list;
  }
  std::string bad;
  EXPECT_FALSE(TrustedProxies::Parse("10.0.0.0/8, 300.1.1.1/32", &bad));
  EXPECT_EQ(bad, "300.1.1.1/32");
  auto none = TrustedProxies::Parse("", &bad);
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->empty());
}

TEST(ClientAddress, IsThePeerWhenNoProxyIsTrusted) {
  TrustedProxies none;
  EXPECT_EQ(none.ClientAddress("127.0.0.1", "203.0.113.5"), "127.0.0.1");
  EXPECT_EQ(none.ClientAddress("::ffff:127.0.0.1", ""), "127.0.0.1");
  EXPECT_EQ(none.ClientAddress("2001:DB8:0:0::1", ""), "2001:db8::1");
  EXPECT_EQ(none.ClientAddress("", "203.0.113.5"), "");
}

TEST(ClientAddress, IsThePeerWhenThePeerIsNotTrusted) {
  auto t = Parse("10.0.0.0/8");
  EXPECT_EQ(t.ClientAddress("198.51.100.7", "203.0.113.5"), "198.51.100.7");
}

TEST(ClientAddress, IsTheRightMostUntrustedEntryBehindTrustedProxies) {
  auto t = Parse("127.0.0.1/32,10.0.0.0/8");
  EXPECT_EQ(t.ClientAddress("127.0.0.1", "203.0.113.5"), "203.0.113.5");
  // A client may write anything on the left; the proxies append on the right.
  EXPECT_EQ(t.ClientAddress("127.0.0.1", "1.1.1.1, 203.0.113.5"), "203.0.113.5");
  EXPECT_EQ(t.ClientAddress("127.0.0.1", "1.1.1.1, 203.0.113.5, 10.0.0.2"), "203.0.113.5");
  EXPECT_EQ(t.ClientAddress("::ffff:127.0.0.1", "203.0.113.5,\t10.9.9.9 "), "203.0.113.5");
  // Spoofed garbage left of the proxy's own entry does not matter.
  EXPECT_EQ(t.ClientAddress("127.0.0.1", "not an address, 203.0.113.5"), "203.0.113.5");
  // Ports and brackets, as some proxies write them; IPv6 canonical.
  EXPECT_EQ(t.ClientAddress("127.0.0.1", "203.0.113.5:4711"), "203.0.113.5");
  EXPECT_EQ(t.ClientAddress("127.0.0.1", "[2001:DB8::5]:443"), "2001:db8::5");
  EXPECT_EQ(t.ClientAddress("127.0.0.1", "[2001:db8::5]"), "2001:db8::5");
  EXPECT_EQ(t.ClientAddress("127.0.0.1", "2001:db8:0:0:0:0:0:5"), "2001:db8::5");
  EXPECT_EQ(t.ClientAddress("127.0.0.1", "::ffff:203.0.113.5"), "203.0.113.5");
  // Every entry trusted: the left-most one is the origin.
  EXPECT_EQ(t.ClientAddress("127.0.0.1", "10.0.0.3, 10.0.0.2"), "10.0.0.3");
}

TEST(ClientAddress, IsThePeerWhenTheHeaderIsMissingOrMalformed) {
  auto t = Parse("127.0.0.1/32,10.0.0.0/8");
  const std::vector<std::string> headers = {"",
                                            "   ",
                                            ",",
                                            "203.0.113.5,",
                                            "203.0.113.5, ",
                                            "unknown",
                                            "203.0.113.5, unknown",
                                            "203.0.113.5, 10.0.0.2, garbage",
                                            "203.0.113.256",
                                            "203.0.113",
                                            "example.com",
                                            "203.0.113.5:",
                                            "203.0.113.5:123456",
                                            "203.0.113.5:80x",
                                            "[203.0.113.5]",
                                            "[2001:db8::5",
                                            "[2001:db8::5]x",
                                            "fe80::1%eth0",
                                            "_hidden",
                                            "203.0.113.5 203.0.113.6",
                                            "\xff\xfe",
                                            std::string("203.0.113.5\0", 12),
                                            std::string(5000, 'a')};
  for (const auto& header : headers) {
    EXPECT_EQ(t.ClientAddress("127.0.0.1", header), "127.0.0.1") << header;
  }
}

TEST(ClientAddress, ReadsEveryForwardedForFieldInOrder) {
  Request req;
  req.headers = {{"x-forwarded-for", "1.1.1.1"}, {"host", "x"}, {"x-forwarded-for", "203.0.113.5, 10.0.0.2"}};
  EXPECT_EQ(ForwardedFor(req), "1.1.1.1,203.0.113.5, 10.0.0.2");
  auto t = Parse("127.0.0.1,10.0.0.0/8");
  EXPECT_EQ(t.ClientAddress("127.0.0.1", ForwardedFor(req)), "203.0.113.5");
  EXPECT_EQ(Parse("127.0.0.1").ClientAddress("127.0.0.1", ForwardedFor(req)), "10.0.0.2");
  EXPECT_EQ(ForwardedFor(Request{}), "");
}

}  // namespace
}  // namespace limbo::http
