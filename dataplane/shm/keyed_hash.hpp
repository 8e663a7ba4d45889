// The hash of every shared-memory table: SipHash-2-4 (libsodium's crypto_shorthash) under the
// segment's random key. Keys are chosen by users (passkeys are issued, but info hashes of uploaded
// torrents are not), so an unkeyed hash would let one user pile their keys into one probe chain.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

namespace swarmline::shm {

using HashKey = std::array<std::uint8_t, 16>;

[[nodiscard]] std::uint64_t keyed_hash(const void* data, std::size_t len, const HashKey& key) noexcept;

// Slots for a table of `capacity` keys: a power of two with the load kept at or below one half,
// which bounds a linear probe to a few slots.
[[nodiscard]] std::uint32_t slots_for(std::uint32_t capacity) noexcept;

}  // namespace swarmline::shm
