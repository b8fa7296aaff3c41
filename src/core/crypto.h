#pragma once

#include <string>
#include <string_view>

namespace limbo::core {

// Must run once before any other function here (initialises libsodium); safe to call twice.
void InitCrypto();
// Lowercase hex SHA-256 of the bytes.
std::string Sha256Hex(std::string_view bytes);
// `n` random characters from [a-z0-9], from the system CSPRNG.
std::string RandomToken(std::size_t n);
// argon2id hash in libsodium's encoded string form (includes salt and parameters).
std::string HashPassword(std::string_view password);
bool VerifyPassword(std::string_view encoded_hash, std::string_view password);
// Constant-time equality of two strings of any length (length difference is not hidden).
bool ConstantTimeEquals(std::string_view a, std::string_view b);

}  // namespace limbo::core
