// The swarms of one shard as they lie in the segment. Only the shard's worker (swarm::Shard)
// writes them. Other workers (scrape) and control (statistics) read the swarm keys through their
// seqlock and the counters as relaxed atomics; peer records are the worker's alone.
//
// A swarm's IPv4 and IPv6 peers are two arrays (blocks of a power-of-two size from per-family
// buddy pools), leechers first then seeders, so a seeder's peer list is the leecher prefix and a reply is
// one memcpy of the stored compact form per peer.
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>

#include "shm/layout.hpp"
#include "shm/seqlock.hpp"

namespace swarmline::shm {

enum PeerFlags : std::uint8_t {
    kPeerSeeder = 1u << 0,
    kPeerHasKey = 1u << 1,     // the client sent a `key`: it must match from another address
    kPeerCompleted = 1u << 2,  // this peer already announced `completed`
    kPeerFree = 1u << 7,       // not a peer: the first record of a free block (swarm/peer_pool.hpp)
};

// An IPv4 peer: the 6 compact bytes (address, port; network order) first, as sent in a reply.
struct PeerRecord4 {
    std::array<std::uint8_t, 6> compact;
    std::uint8_t flags;  // PeerFlags
    std::uint8_t reserved0;
    std::array<std::uint8_t, 20> peer_id;
    UserId user_id;
    std::uint32_t key;
    std::uint32_t last_announce;  // unix seconds
    std::uint64_t uploaded;       // the client's counters at its last announce
    std::uint64_t downloaded;
    std::uint32_t first_seen;
    std::uint32_t reserved1;
};
static_assert(sizeof(PeerRecord4) == 64 && std::is_trivially_copyable_v<PeerRecord4>);

// An IPv6 peer: 18 compact bytes (address, port).
struct PeerRecord6 {
    std::array<std::uint8_t, 18> compact;
    std::uint8_t flags;
    std::uint8_t reserved0;
    std::array<std::uint8_t, 20> peer_id;
    UserId user_id;
    std::uint32_t key;
    std::uint32_t last_announce;
    std::uint32_t first_seen;
    std::uint64_t uploaded;
    std::uint64_t downloaded;
};
static_assert(sizeof(PeerRecord6) == 72 && std::is_trivially_copyable_v<PeerRecord6>);

struct PeerList {             // worker-only
    std::uint32_t block;      // first record in the family's pool
    std::uint8_t order;       // capacity = 1 << order; kNoBlock when none
    std::uint8_t reserved[3];
    std::uint32_t count;      // records in use
    std::uint32_t leechers;   // records [0, leechers) are leechers, [leechers, count) seeders
    static constexpr std::uint8_t kNoBlock = 0xff;
};

struct SwarmKey {
    std::array<std::uint8_t, 20> info_hash;
    std::uint32_t state;  // 0 empty (a fresh segment), 1 live, 2 tombstone
};

struct SwarmSlot {
    SeqCell<SwarmKey> key;                 // written on creation and removal only
    std::atomic<std::uint32_t> seeders;    // relaxed: independent statistics, the worker stores them
    std::atomic<std::uint32_t> leechers;
    std::atomic<std::uint32_t> completed;  // first completions seen by this dataplane
    std::atomic<std::uint32_t> torrent_id;
    PeerList v4;                           // worker-only from here on
    PeerList v6;
    std::uint32_t last_activity;
    std::uint32_t reserved0;
};
static_assert(sizeof(SwarmSlot) == 88);

inline constexpr std::uint32_t kPoolOrders = 32;
struct PoolHeader {  // worker-only: a buddy allocator over a record array (swarm/peer_pool.hpp)
    std::uint32_t capacity;  // records
    std::uint32_t bump;      // records never carved into chunks start here
    std::array<std::uint32_t, kPoolOrders> free_head;  // block index + 1 of the first free block; 0 = none
};

struct alignas(64) ShardHeader {
    // Statistics (the worker stores, anyone reads; relaxed: no other data hangs on them).
    std::atomic<std::uint32_t> swarms;
    std::atomic<std::uint32_t> peers4;
    std::atomic<std::uint32_t> peers6;
    std::atomic<std::uint32_t> reserved0;
    std::atomic<std::uint64_t> announces;
    std::atomic<std::uint64_t> folded;    // announces folded into the accumulator (ring full)
    std::atomic<std::uint64_t> reaped;
    // Worker-only.
    std::uint32_t swarm_slots;     // a power of two
    std::uint32_t swarm_capacity;  // swarms accepted
    std::uint32_t swarm_tombstones;
    std::uint32_t reap_cursor;
    std::uint32_t snatch_slots;  // a power of two
    std::uint32_t snatch_used;
    PoolHeader pool4;
    PoolHeader pool6;
};

// (user, torrent + 1); torrent_plus1 == 0 is an empty slot.
struct SnatchKey {
    UserId user_id;
    std::uint32_t torrent_plus1;
};

// Where each part of a shard region starts, in bytes from the region's start.
struct ShardLayout {
    std::size_t swarms;
    std::size_t pool4;
    std::size_t pool6;
    std::size_t snatches;
    std::size_t bytes;
    std::uint32_t swarm_slots;
    std::uint32_t pool4_records;
    std::uint32_t pool6_records;
    std::uint32_t snatch_slots;
};
[[nodiscard]] ShardLayout shard_layout(const SegmentSizes& sizes) noexcept;

}  // namespace swarmline::shm
