// The swarm table of one shard: info hash -> SwarmSlot, open addressing in the segment.
// The shard's worker inserts and erases (see shm/seq_table.hpp for why tombstones make that safe
// for lock-free readers); any worker and control look keys up through each slot's seqlock and read
// the counters as relaxed atomics.
#pragma once

#include <cstdint>

#include "proto/types.hpp"
#include "shm/keyed_hash.hpp"
#include "shm/swarm_layout.hpp"

namespace swarmline::swarm {

class SwarmTable {
public:
    static constexpr std::uint32_t kNone = ~0u;

    SwarmTable() = default;
    SwarmTable(shm::ShardHeader* header, shm::SwarmSlot* slots, const shm::HashKey* key) noexcept
        : h_(header), slots_(slots), key_(key), mask_(header->swarm_slots - 1) {}

    [[nodiscard]] shm::SwarmSlot& at(std::uint32_t i) const noexcept { return slots_[i]; }
    [[nodiscard]] std::uint32_t slot_count() const noexcept { return mask_ + 1; }

    // Any thread: starts loading the cache line where a lookup of `h` begins.
    void prefetch(const proto::InfoHash& h) const noexcept { __builtin_prefetch(&slots_[home(h)]); }
    // Any thread: the slot of `h`, or kNone.
    [[nodiscard]] std::uint32_t lookup(const proto::InfoHash& h) const noexcept;

    // The worker: the slot of `h`, or kNone.
    [[nodiscard]] std::uint32_t find(const proto::InfoHash& h) const noexcept;
    // The worker: the slot of `h`, creating an empty swarm; kNone when the shard is full.
    std::uint32_t find_or_insert(const proto::InfoHash& h, std::uint32_t torrent_id) noexcept;
    // The worker: removes the (empty) swarm in slot i.
    void erase(std::uint32_t i) noexcept;
    // The worker, on attach: ends key stores a crashed predecessor left half-done.
    void repair() noexcept;
    [[nodiscard]] bool live(std::uint32_t i) const noexcept { return slots_[i].key.load_own().state == kLive; }

private:
    static constexpr std::uint32_t kEmpty = 0, kLive = 1, kTombstone = 2;
    std::uint32_t home(const proto::InfoHash& h) const noexcept;
    void bury(std::uint32_t i) noexcept;

    shm::ShardHeader* h_ = nullptr;
    shm::SwarmSlot* slots_ = nullptr;
    const shm::HashKey* key_ = nullptr;
    std::uint32_t mask_ = 0;
};

}  // namespace swarmline::swarm
