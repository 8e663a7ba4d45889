// BEP 15 connection ids without per-client state: an id is SipHash-2-4 (libsodium
// crypto_shorthash) of the client's address and port, keyed with a secret that belongs to one
// time bucket. The bucket secret is derived from a master secret (crypto_kdf), so every worker
// holding the same master issues and accepts the same ids without sharing anything mutable, and a
// leaked bucket secret says nothing about the next one. An id is accepted in the bucket it was
// issued in and the next one: between kBucketSeconds and 2*kBucketSeconds, which covers the
// minute BEP 15 lets a client reuse it.
#pragma once

#include <array>
#include <cstdint>

#include "proto/types.hpp"

namespace swarmline::proto {

class ConnectionIds {
public:
    static constexpr std::uint64_t kBucketSeconds = 60;
    using Secret = std::array<std::uint8_t, 32>;

    // A fresh random master secret (randombytes_buf); ids do not survive a restart.
    ConnectionIds() noexcept;
    // A given master secret: workers and restarts that share it accept each other's ids.
    explicit ConnectionIds(const Secret& master) noexcept;

    // Moves to the bucket of `now_s` (unix seconds); cheap when the bucket has not changed, so a
    // worker calls it once per batch of packets.
    void advance(std::uint64_t now_s) noexcept;

    [[nodiscard]] std::uint64_t issue(const Endpoint& client) const noexcept;
    [[nodiscard]] bool verify(std::uint64_t id, const Endpoint& client) const noexcept;

private:
    using Key = std::array<std::uint8_t, 16>;  // crypto_shorthash_KEYBYTES
    static std::uint64_t hash(const Key& key, const Endpoint& client) noexcept;
    Key bucket_key(std::uint64_t bucket) const noexcept;

    Secret master_{};
    std::uint64_t bucket_ = 0;
    Key current_{};
    Key previous_{};
};

}  // namespace swarmline::proto
