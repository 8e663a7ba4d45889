// Time-based one-time passwords (RFC 6238 over RFC 4226 HOTP), HMAC through OpenSSL, and the
// Base32 (RFC 4648) form authenticator apps exchange secrets in.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace swarmline::auth {

enum class TotpAlgorithm { sha1, sha256, sha512 };

struct TotpParams {
    TotpAlgorithm algorithm = TotpAlgorithm::sha1;  // what every authenticator app supports
    unsigned digits = 6;
    std::uint32_t period_s = 30;
    // Steps accepted on either side of now: one step (30 s) of clock drift between phone and server.
    unsigned window = 1;
};

std::string base32_encode(const std::vector<std::uint8_t>& data);  // upper case, no padding
// Decodes upper- or lower-case Base32, ignoring spaces and '=' padding; nullopt on a bad letter.
std::optional<std::vector<std::uint8_t>> base32_decode(std::string_view text);

// RFC 4226 HOTP value for `counter`, as a zero-padded string of `digits` digits.
std::string hotp(const std::vector<std::uint8_t>& key, std::uint64_t counter, unsigned digits, TotpAlgorithm alg);
// The time step containing `unix_time`.
inline std::uint64_t totp_step(std::uint64_t unix_time, std::uint32_t period_s) { return unix_time / period_s; }

// The step `code` is valid for around `unix_time`, or nullopt. A step at or before `last_used_step`
// is refused, so a code cannot be replayed (RFC 6238 section 5.2).
std::optional<std::uint64_t> totp_verify(const std::vector<std::uint8_t>& key, std::string_view code,
                                         std::uint64_t unix_time, const TotpParams& params,
                                         std::optional<std::uint64_t> last_used_step);

// The otpauth:// URI an authenticator app reads from a QR code.
std::string totp_uri(std::string_view issuer, std::string_view account, std::string_view secret_base32,
                     const TotpParams& params);

}  // namespace swarmline::auth
