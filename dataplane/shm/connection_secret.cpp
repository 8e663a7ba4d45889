#include "shm/connection_secret.hpp"

#include <sodium.h>

#include <cstring>
#include <string_view>

#include "shm/segment.hpp"

namespace swarmline::shm {

static_assert(std::tuple_size_v<HashKey> >= crypto_generichash_KEYBYTES_MIN, "hash_key is too short a BLAKE2b key");

std::array<std::uint8_t, 32> connection_secret(const Segment& segment) noexcept {
    // The purpose string keeps the secret independent of the tables' SipHash uses of the same key.
    constexpr std::string_view kPurpose = "swarmline BEP 15 connection ids v1";
    std::uint8_t input[kPurpose.size() + sizeof(std::uint64_t)];
    std::memcpy(input, kPurpose.data(), kPurpose.size());
    std::memcpy(input + kPurpose.size(), &segment.header().segment_id, sizeof(std::uint64_t));
    const HashKey& key = segment.hash_key();
    std::array<std::uint8_t, 32> out{};
    crypto_generichash(out.data(), out.size(), input, sizeof input, key.data(), key.size());
    return out;
}

}  // namespace swarmline::shm
