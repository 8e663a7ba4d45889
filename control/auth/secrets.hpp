// Random secrets and their digests: session and API tokens (256 bits from libsodium's CSPRNG),
// passkeys, backup codes, and SHA-256 (OpenSSL) for storing tokens without storing the token.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace swarmline::auth {

std::vector<std::uint8_t> random_bytes(std::size_t n);

using Sha256 = std::array<std::uint8_t, 32>;
Sha256 sha256(std::string_view data);
std::string to_hex(const std::uint8_t* data, std::size_t n);
inline std::string to_hex(const Sha256& d) { return to_hex(d.data(), d.size()); }

// A bearer token: 32 random bytes (256 bits) as 64 lower-case hex characters, prefixed so a leaked
// token is recognisable ("sls_" session, "slt_" API token).
std::string new_token(std::string_view prefix);
// 32 characters of [0-9a-zA-Z] drawn uniformly (rejection sampling, no modulo bias): ~190 bits.
std::string new_passkey();
// A single-use recovery code "xxxxx-xxxxx" over 31 letters and digits without look-alikes (49 bits).
std::string new_backup_code();
// Constant-time equality of two equally long strings.
bool equal_secret(std::string_view a, std::string_view b) noexcept;

}  // namespace swarmline::auth
