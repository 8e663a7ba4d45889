#include "shm/swarm_layout.hpp"

#include <bit>

#include "shm/keyed_hash.hpp"

namespace swarmline::shm {
namespace {

std::size_t align_up(std::size_t n, std::size_t a) noexcept { return (n + a - 1) / a * a; }

}  // namespace

ShardLayout shard_layout(const SegmentSizes& sizes) noexcept {
    ShardLayout l{};
    l.swarm_slots = slots_for(sizes.torrents_per_shard);
    // A list grows by doubling when full and halves at a quarter: a block holds from a quarter to
    // all of its peers, most lists sit near half. Twice the peers, plus a little for the smallest
    // pools, leaves room for the buddy allocator's splits.
    l.pool4_records = sizes.peers_per_shard * 2 + 1024;
    l.pool6_records = sizes.v6_peers_per_shard * 2 + 1024;
    // Eight first completions per swarm before the set is cleared (see swarm/snatch_set.hpp).
    l.snatch_slots = static_cast<std::uint32_t>(std::bit_ceil(std::uint64_t{sizes.torrents_per_shard} * 8 + 16));
    std::size_t at = align_up(sizeof(ShardHeader), 64);
    l.swarms = at;
    at = align_up(at + std::size_t{l.swarm_slots} * sizeof(SwarmSlot), 64);
    l.pool4 = at;
    at = align_up(at + std::size_t{l.pool4_records} * sizeof(PeerRecord4), 64);
    l.pool6 = at;
    at = align_up(at + std::size_t{l.pool6_records} * sizeof(PeerRecord6), 64);
    l.snatches = at;
    at = align_up(at + std::size_t{l.snatch_slots} * sizeof(SnatchKey), 4096);
    l.bytes = at;
    return l;
}

}  // namespace swarmline::shm
