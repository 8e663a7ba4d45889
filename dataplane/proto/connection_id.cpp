#include "proto/connection_id.hpp"

#include <sodium.h>

#include <cstring>

namespace swarmline::proto {

namespace {
// crypto_kdf context: 8 bytes naming what the derived keys are for.
constexpr char kKdfContext[crypto_kdf_CONTEXTBYTES + 1] = "bep15cid";
static_assert(crypto_shorthash_KEYBYTES == 16 && crypto_shorthash_BYTES == 8);
static_assert(crypto_kdf_KEYBYTES == 32);
}  // namespace

ConnectionIds::ConnectionIds() noexcept {
    // randombytes_buf needs no sodium_init() on Linux (getrandom), and cannot fail.
    randombytes_buf(master_.data(), master_.size());
    current_ = bucket_key(0);
    previous_ = bucket_key(UINT64_MAX);
}

ConnectionIds::ConnectionIds(const Secret& master) noexcept
    : master_(master), current_(bucket_key(0)), previous_(bucket_key(UINT64_MAX)) {}

ConnectionIds::Key ConnectionIds::bucket_key(std::uint64_t bucket) const noexcept {
    Key k{};
    crypto_kdf_derive_from_key(k.data(), k.size(), bucket, kKdfContext, master_.data());
    return k;
}

void ConnectionIds::advance(std::uint64_t now_s) noexcept {
    const std::uint64_t bucket = now_s / kBucketSeconds;
    if (bucket == bucket_) return;
    // One bucket on: the current key becomes the previous one; a jump derives both afresh.
    previous_ = bucket == bucket_ + 1 ? current_ : bucket_key(bucket - 1);
    current_ = bucket_key(bucket);
    bucket_ = bucket;
}

std::uint64_t ConnectionIds::hash(const Key& key, const Endpoint& client) noexcept {
    std::uint8_t in[18];
    std::memcpy(in, client.ip.data(), 16);
    in[16] = static_cast<std::uint8_t>(client.port >> 8);
    in[17] = static_cast<std::uint8_t>(client.port);
    std::uint8_t out[crypto_shorthash_BYTES];
    crypto_shorthash(out, in, sizeof(in), key.data());
    std::uint64_t id = 0;
    std::memcpy(&id, out, sizeof(id));
    return id;
}

std::uint64_t ConnectionIds::issue(const Endpoint& client) const noexcept { return hash(current_, client); }

bool ConnectionIds::verify(std::uint64_t id, const Endpoint& client) const noexcept {
    // Both hashes are computed whatever the first gives, so the time taken does not tell an
    // attacker which bucket matched.
    const bool current = hash(current_, client) == id;
    const bool previous = hash(previous_, client) == id;
    return current | previous;
}

}  // namespace swarmline::proto
