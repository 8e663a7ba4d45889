// Password hashing with Argon2id (libargon2), stored in the PHC string format
// ("$argon2id$v=19$m=...,t=...,p=...$salt$hash") so the parameters travel with each hash and can be
// raised later without invalidating old ones.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace swarmline::auth {

// OWASP's Argon2id baseline (Password Storage Cheat Sheet: m=19 MiB, t=2, p=1): about 25 ms of one
// core per hash on this class of machine, which bounds what a password-guessing client costs us.
struct Argon2Params {
    std::uint32_t memory_kib = 19 * 1024;
    std::uint32_t iterations = 2;
    std::uint32_t parallelism = 1;
    static constexpr std::uint32_t kSaltBytes = 16;
    static constexpr std::uint32_t kHashBytes = 32;
};

inline constexpr std::size_t kMinPasswordLength = 8;
inline constexpr std::size_t kMaxPasswordLength = 256;  // bounds the work one request can ask for

// A fresh PHC-format Argon2id hash with a random salt. Throws std::runtime_error on failure.
std::string hash_password(std::string_view password, const Argon2Params& params = {});
// True when `password` matches `encoded` (any Argon2id parameters).
bool verify_password(std::string_view password, const std::string& encoded);

}  // namespace swarmline::auth
