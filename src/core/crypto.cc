#include "core/crypto.h"

#include <sodium.h>

#include <algorithm>
#include <array>
#include <stdexcept>

namespace limbo::core {

void InitCrypto() {
  if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
}

std::string Sha256Hex(std::string_view bytes) {
  std::array<unsigned char, crypto_hash_sha256_BYTES> out{};
  crypto_hash_sha256(out.data(), reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
  std::string hex(out.size() * 2 + 1, '\0');
  sodium_bin2hex(hex.data(), hex.size(), out.data(), out.size());
  hex.pop_back();
  return hex;
}

static_assert(sizeof(crypto_hash_sha256_state) <= 128);

Sha256Stream::Sha256Stream() { crypto_hash_sha256_init(reinterpret_cast<crypto_hash_sha256_state*>(state_)); }

void Sha256Stream::Update(std::string_view bytes) {
  crypto_hash_sha256_update(reinterpret_cast<crypto_hash_sha256_state*>(state_),
                            reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
}

std::string Sha256Stream::HexDigest() {
  std::array<unsigned char, crypto_hash_sha256_BYTES> out{};
  crypto_hash_sha256_final(reinterpret_cast<crypto_hash_sha256_state*>(state_), out.data());
  std::string hex(out.size() * 2 + 1, '\0');
  sodium_bin2hex(hex.data(), hex.size(), out.data(), out.size());
  hex.pop_back();
  return hex;
}

std::string RandomToken(std::size_t n) {
  // One call into the system's generator for the whole token (one per character was a system call
  // each), then rejection sampling: bytes of 252 and above are dropped, so each of the 36
  // characters is exactly equally likely (252 = 7 * 36).
  static constexpr char kAlphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789";
  static constexpr unsigned kSize = sizeof kAlphabet - 1;
  static constexpr unsigned kLimit = 256 - 256 % kSize;
  std::string s;
  s.reserve(n);
  unsigned char buf[64];
  while (s.size() < n) {
    std::size_t want = std::min(sizeof buf, n - s.size() + (n - s.size()) / 8 + 1);
    randombytes_buf(buf, want);
    for (std::size_t i = 0; i < want && s.size() < n; ++i) {
      if (buf[i] < kLimit) s.push_back(kAlphabet[buf[i] % kSize]);
    }
  }
  return s;
}

std::string HashPassword(std::string_view password) {
  char out[crypto_pwhash_STRBYTES];
  // Interactive limits keep a login under ~100 ms on the 2-core machines we target.
  if (crypto_pwhash_str(out, password.data(), password.size(), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                        crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0) {
    throw std::runtime_error("out of memory while hashing a password");
  }
  return out;
}

bool VerifyPassword(std::string_view encoded_hash, std::string_view password) {
  std::string h(encoded_hash);
  return crypto_pwhash_str_verify(h.c_str(), password.data(), password.size()) == 0;
}

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  if (a.empty()) return true;
  return sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace limbo::core
