#include "auth/totp.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <cctype>
#include <stdexcept>

#include "auth/secrets.hpp"

namespace swarmline::auth {

namespace {

constexpr std::string_view kBase32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

const EVP_MD* digest(TotpAlgorithm alg) {
    switch (alg) {
        case TotpAlgorithm::sha1: return EVP_sha1();
        case TotpAlgorithm::sha256: return EVP_sha256();
        case TotpAlgorithm::sha512: return EVP_sha512();
    }
    return EVP_sha1();
}

std::string_view algorithm_name(TotpAlgorithm alg) {
    switch (alg) {
        case TotpAlgorithm::sha1: return "SHA1";
        case TotpAlgorithm::sha256: return "SHA256";
        case TotpAlgorithm::sha512: return "SHA512";
    }
    return "SHA1";
}

std::string uri_escape(std::string_view s) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : s) {
        if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
            out.push_back(static_cast<char>(c));
        } else {
            out.push_back('%');
            out.push_back(kHex[c >> 4]);
            out.push_back(kHex[c & 0xF]);
        }
    }
    return out;
}

}  // namespace

std::string base32_encode(const std::vector<std::uint8_t>& data) {
    std::string out;
    std::uint32_t buffer = 0;
    int bits = 0;
    for (auto b : data) {
        buffer = (buffer << 8) | b;
        bits += 8;
        while (bits >= 5) {
            out.push_back(kBase32[(buffer >> (bits - 5)) & 31]);
            bits -= 5;
        }
    }
    if (bits > 0) out.push_back(kBase32[(buffer << (5 - bits)) & 31]);
    return out;
}

std::optional<std::vector<std::uint8_t>> base32_decode(std::string_view text) {
    std::vector<std::uint8_t> out;
    std::uint32_t buffer = 0;
    int bits = 0;
    for (char c : text) {
        if (c == ' ' || c == '=') continue;
        if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
        const auto pos = kBase32.find(c);
        if (pos == std::string_view::npos) return std::nullopt;
        buffer = (buffer << 5) | static_cast<std::uint32_t>(pos);
        bits += 5;
        if (bits >= 8) {
            out.push_back(static_cast<std::uint8_t>(buffer >> (bits - 8)));
            bits -= 8;
        }
    }
    return out;
}

std::string hotp(const std::vector<std::uint8_t>& key, std::uint64_t counter, unsigned digits, TotpAlgorithm alg) {
    std::uint8_t msg[8];
    for (int i = 7; i >= 0; --i) {
        msg[i] = static_cast<std::uint8_t>(counter & 0xFF);
        counter >>= 8;
    }
    std::uint8_t mac[EVP_MAX_MD_SIZE];
    unsigned mac_len = 0;
    if (!HMAC(digest(alg), key.data(), static_cast<int>(key.size()), msg, sizeof msg, mac, &mac_len))
        throw std::runtime_error("HMAC failed");
    // RFC 4226 section 5.3: dynamic truncation.
    const unsigned offset = mac[mac_len - 1] & 0x0F;
    const std::uint32_t bin = (static_cast<std::uint32_t>(mac[offset] & 0x7F) << 24) |
                              (static_cast<std::uint32_t>(mac[offset + 1]) << 16) |
                              (static_cast<std::uint32_t>(mac[offset + 2]) << 8) | mac[offset + 3];
    std::uint32_t mod = 1;
    for (unsigned i = 0; i < digits; ++i) mod *= 10;
    std::string out = std::to_string(bin % mod);
    if (out.size() < digits) out.insert(0, digits - out.size(), '0');
    return out;
}

std::optional<std::uint64_t> totp_verify(const std::vector<std::uint8_t>& key, std::string_view code,
                                         std::uint64_t unix_time, const TotpParams& params,
                                         std::optional<std::uint64_t> last_used_step) {
    if (code.size() != params.digits) return std::nullopt;
    const std::uint64_t now = totp_step(unix_time, params.period_s);
    const std::uint64_t first = now >= params.window ? now - params.window : 0;
    // Every candidate is computed and compared in constant time, so timing does not say which matched.
    std::optional<std::uint64_t> hit;
    for (std::uint64_t step = first; step <= now + params.window; ++step) {
        if (equal_secret(hotp(key, step, params.digits, params.algorithm), code) && !hit) hit = step;
    }
    if (hit && last_used_step && *hit <= *last_used_step) return std::nullopt;
    return hit;
}

std::string totp_uri(std::string_view issuer, std::string_view account, std::string_view secret_base32,
                     const TotpParams& params) {
    return "otpauth://totp/" + uri_escape(issuer) + ":" + uri_escape(account) + "?secret=" +
           std::string(secret_base32) + "&issuer=" + uri_escape(issuer) +
           "&algorithm=" + std::string(algorithm_name(params.algorithm)) + "&digits=" + std::to_string(params.digits) +
           "&period=" + std::to_string(params.period_s);
}

}  // namespace swarmline::auth
