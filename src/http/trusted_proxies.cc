#include "http/trusted_proxies.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>
#include <cstring>

#include "http/text.h"

namespace limbo::http {

namespace {

using Bytes = std::array<std::uint8_t, 16>;

bool IsV4Mapped(const Bytes& b) {
  static constexpr std::uint8_t kPrefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  return std::memcmp(b.data(), kPrefix, sizeof kPrefix) == 0;
}

// A bare IPv4 or IPv6 address (no brackets, port or zone); IPv4 comes back IPv4-mapped.
std::optional<Bytes> ParseIp(std::string_view s) {
  if (s.empty() || s.size() > INET6_ADDRSTRLEN) return std::nullopt;
  // Only what addresses are made of; above all no NUL, where inet_pton would stop reading.
  if (!std::all_of(s.begin(), s.end(),
                   [](char c) { return std::isxdigit(static_cast<unsigned char>(c)) || c == '.' || c == ':'; })) {
    return std::nullopt;
  }
  std::string text(s);  // inet_pton wants a terminated string
  Bytes out{};
  if (s.find(':') == std::string_view::npos) {
    std::uint8_t v4[4];
    if (inet_pton(AF_INET, text.c_str(), v4) != 1) return std::nullopt;
    out[10] = out[11] = 0xff;
    std::memcpy(out.data() + 12, v4, 4);
    return out;
  }
  if (inet_pton(AF_INET6, text.c_str(), out.data()) != 1) return std::nullopt;
  return out;
}

// One X-Forwarded-For entry: "1.2.3.4", "1.2.3.4:5678", "2001:db8::1", "[2001:db8::1]" or
// "[2001:db8::1]:443". Anything else ("unknown", a host name, an obfuscated identifier) is malformed.
std::optional<Bytes> ParseForwardedEntry(std::string_view s) {
  s = TrimOws(s);
  if (!s.empty() && s.front() == '[') {
    auto close = s.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    std::string_view rest = s.substr(close + 1);
    if (!rest.empty() && !(rest.front() == ':' && AllDigits(rest.substr(1), 5))) return std::nullopt;
    std::string_view host = s.substr(1, close - 1);
    if (host.find(':') == std::string_view::npos) return std::nullopt;  // brackets hold IPv6 only
    return ParseIp(host);
  }
  if (std::count(s.begin(), s.end(), ':') == 1) {
    auto colon = s.find(':');
    if (!AllDigits(s.substr(colon + 1), 5)) return std::nullopt;
    return ParseIp(s.substr(0, colon));
  }
  return ParseIp(s);
}

std::string Format(const Bytes& b) {
  char buf[INET6_ADDRSTRLEN];
  if (IsV4Mapped(b)) {
    inet_ntop(AF_INET, b.data() + 12, buf, sizeof buf);
  } else {
    inet_ntop(AF_INET6, b.data(), buf, sizeof buf);
  }
  return buf;
}

}  // namespace

std::optional<TrustedProxies> TrustedProxies::Parse(std::string_view list, std::string* bad) {
  TrustedProxies out;
  if (TrimOws(list).empty()) return out;
  for (;;) {
    auto comma = list.find(',');
    std::string_view entry = TrimOws(list.substr(0, comma));
    auto slash = entry.find('/');
    std::string_view addr = entry.substr(0, slash);
    auto ip = ParseIp(addr);
    bool v4 = addr.find(':') == std::string_view::npos;
    int max_prefix = v4 ? 32 : 128;
    int prefix = max_prefix;
    if (ip && slash != std::string_view::npos) {
      std::string_view len = entry.substr(slash + 1);
      prefix = AllDigits(len, 3) ? std::stoi(std::string(len)) : -1;
    }
    if (!ip || prefix < 0 || prefix > max_prefix) {
      *bad = std::string(entry);
      return std::nullopt;
    }
    Range r;
    r.prefix = v4 ? prefix + 96 : prefix;
    for (int bit = r.prefix; bit < 128; ++bit) {  // host bits
      (*ip)[static_cast<std::size_t>(bit / 8)] &= static_cast<std::uint8_t>(~(0x80 >> (bit % 8)));
    }
    r.bytes = *ip;
    out.ranges_.push_back(r);
    if (comma == std::string_view::npos) return out;
    list.remove_prefix(comma + 1);
  }
}

bool TrustedProxies::Contains(const Bytes& address) const {
  for (const auto& r : ranges_) {
    int full = r.prefix / 8;
    if (std::memcmp(address.data(), r.bytes.data(), static_cast<std::size_t>(full)) != 0) continue;
    int rest = r.prefix % 8;
    if (rest != 0) {
      auto mask = static_cast<std::uint8_t>(0xff << (8 - rest));
      if ((address[static_cast<std::size_t>(full)] & mask) != r.bytes[static_cast<std::size_t>(full)]) continue;
    }
    return true;
  }
  return false;
}

bool TrustedProxies::Contains(std::string_view address) const {
  auto ip = ParseForwardedEntry(address);
  return ip && Contains(*ip);
}

std::string TrustedProxies::ClientAddress(std::string_view peer, std::string_view forwarded_for) const {
  auto peer_ip = ParseForwardedEntry(peer);
  if (!peer_ip) return std::string(peer);
  std::string fallback = Format(*peer_ip);
  if (!Contains(*peer_ip) || TrimOws(forwarded_for).empty()) return fallback;
  std::optional<Bytes> leftmost;
  std::string_view rest = forwarded_for;
  for (;;) {
    auto comma = rest.rfind(',');
    std::string_view entry = comma == std::string_view::npos ? rest : rest.substr(comma + 1);
    auto ip = ParseForwardedEntry(entry);
    if (!ip) return fallback;
    if (!Contains(*ip)) return Format(*ip);
    leftmost = ip;
    if (comma == std::string_view::npos) break;
    rest = rest.substr(0, comma);
  }
  return Format(*leftmost);
}

std::string ForwardedFor(const Request& req) {
  std::string out;
  for (const auto& [name, value] : req.headers) {
    if (name != "x-forwarded-for") continue;
    if (!out.empty()) out += ',';
    out += value;
  }
  return out;
}

}  // namespace limbo::http
