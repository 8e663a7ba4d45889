#include "auth/secrets.hpp"

#include <openssl/crypto.h>
#include <openssl/sha.h>
#include <sodium.h>

#include <stdexcept>

namespace swarmline::auth {

namespace {

// sodium_init() is idempotent and thread-safe; randombytes works without it on Linux, but libsodium
// documents calling it first.
void ensure_sodium() {
    static const int rc = sodium_init();
    if (rc < 0) throw std::runtime_error("libsodium initialisation failed");
}

std::string random_string(std::string_view alphabet, std::size_t n) {
    ensure_sodium();
    std::string out(n, '\0');
    for (auto& c : out) c = alphabet[randombytes_uniform(static_cast<std::uint32_t>(alphabet.size()))];
    return out;
}

}  // namespace

std::vector<std::uint8_t> random_bytes(std::size_t n) {
    ensure_sodium();
    std::vector<std::uint8_t> out(n);
    randombytes_buf(out.data(), out.size());
    return out;
}

Sha256 sha256(std::string_view data) {
    Sha256 out;
    SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), out.data());
    return out;
}

std::string to_hex(const std::uint8_t* data, std::size_t n) {
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string out(n * 2, '\0');
    for (std::size_t i = 0; i < n; ++i) {
        out[2 * i] = kDigits[data[i] >> 4];
        out[2 * i + 1] = kDigits[data[i] & 0xF];
    }
    return out;
}

std::string new_token(std::string_view prefix) {
    const auto bytes = random_bytes(32);
    return std::string(prefix) + to_hex(bytes.data(), bytes.size());
}

std::string new_passkey() {
    // randombytes_uniform rejects out-of-range draws, so every character is uniform over the 62.
    return random_string("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ", 32);
}

std::string new_backup_code() {
    auto s = random_string("abcdefghjkmnpqrstuvwxyz23456789", 10);
    return s.substr(0, 5) + "-" + s.substr(5);
}

bool equal_secret(std::string_view a, std::string_view b) noexcept {
    return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace swarmline::auth
