#include "shm/keyed_hash.hpp"

#include <sodium.h>

#include <bit>
#include <cstring>

namespace swarmline::shm {

static_assert(crypto_shorthash_BYTES == 8 && crypto_shorthash_KEYBYTES == 16);

std::uint64_t keyed_hash(const void* data, std::size_t len, const HashKey& key) noexcept {
    unsigned char out[crypto_shorthash_BYTES];
    crypto_shorthash(out, static_cast<const unsigned char*>(data), len, key.data());
    std::uint64_t h;
    std::memcpy(&h, out, sizeof h);
    return h;
}

std::uint32_t slots_for(std::uint32_t capacity) noexcept {
    const std::uint64_t want = std::uint64_t{capacity} * 2;
    return static_cast<std::uint32_t>(std::bit_ceil(want < 16 ? std::uint64_t{16} : want));
}

}  // namespace swarmline::shm
