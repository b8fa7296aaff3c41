#pragma once

#include <string>
#include <string_view>

namespace limbo::core {

// Must run once before any other function here (initialises libsodium); safe to call twice.
void InitCrypto();
// Lowercase hex SHA-256 of the bytes.
std::string Sha256Hex(std::string_view bytes);
// SHA-256 over bytes given in pieces (a body streamed to disk).
class Sha256Stream {
 public:
  Sha256Stream();
  void Update(std::string_view bytes);
  // Lowercase hex; call once.
  std::string HexDigest();

 private:
  alignas(16) unsigned char state_[128];  // crypto_hash_sha256_state (104 bytes in libsodium)
};
// `n` random characters from [a-z0-9], from the system CSPRNG.
std::string RandomToken(std::size_t n);
// argon2id hash in libsodium's encoded string form (includes salt and parameters).
std::string HashPassword(std::string_view password);
bool VerifyPassword(std::string_view encoded_hash, std::string_view password);
// Constant-time equality of two strings of any length (length difference is not hidden).
bool ConstantTimeEquals(std::string_view a, std::string_view b);

}  // namespace limbo::core
