#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "http/message.h"

namespace limbo::http {

// The reverse proxies whose X-Forwarded-For header is believed (`limbod serve --trusted-proxy`):
// IPv4 and IPv6 ranges. Empty by default, and then the header is ignored. Immutable once parsed,
// so it can be shared between threads.
class TrustedProxies {
 public:
  // Parses "CIDR[,CIDR...]" ("10.0.0.0/8", "2001:db8::/32"; a bare address is one host; host bits
  // are ignored). nullopt when an entry is malformed; *bad then holds that entry.
  static std::optional<TrustedProxies> Parse(std::string_view list, std::string* bad);

  bool empty() const { return ranges_.empty(); }
  bool Contains(std::string_view address) const;

  // The address the throttle of sign-ins (and anything else per client) should use. It is the
  // socket peer, unless the peer is a trusted proxy: then it is the right-most X-Forwarded-For
  // entry that is not itself trusted (entries further left were written by the client and prove
  // nothing). If every entry is trusted, the left-most one. A missing header, or a malformed entry
  // reached before an untrusted one, gives the peer. Addresses come back in canonical form
  // (IPv4-mapped IPv6 as plain IPv4, IPv6 lowercase and compressed).
  std::string ClientAddress(std::string_view peer, std::string_view forwarded_for) const;

 private:
  struct Range {
    std::array<std::uint8_t, 16> bytes{};  // IPv4 as IPv4-mapped IPv6
    int prefix = 0;                        // of the 128 bits
  };
  bool Contains(const std::array<std::uint8_t, 16>& address) const;

  std::vector<Range> ranges_;
};

// Every X-Forwarded-For field of the request, in order, joined with commas (RFC 9110 5.3: several
// fields of one name are one comma-separated list).
std::string ForwardedFor(const Request& req);

}  // namespace limbo::http
