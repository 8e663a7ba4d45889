#include "swarm/swarm_table.hpp"

#include <cstring>
#include <optional>

#include "shm/segment.hpp"
#include "swarm/engine.hpp"

namespace swarmline::swarm {
namespace {

shm::SwarmKey key_of(const proto::InfoHash& h, std::uint32_t state) noexcept {
    shm::SwarmKey k;
    std::memset(&k, 0, sizeof k);
    k.info_hash = h;
    k.state = state;
    return k;
}

void reset_counters(shm::SwarmSlot& s) noexcept {
    s.seeders.store(0, std::memory_order_relaxed);
    s.leechers.store(0, std::memory_order_relaxed);
    s.completed.store(0, std::memory_order_relaxed);
    s.torrent_id.store(0, std::memory_order_relaxed);
    s.v4 = shm::PeerList{0, shm::PeerList::kNoBlock, {}, 0, 0};
    s.v6 = s.v4;
    s.last_activity = 0;
}

}  // namespace

std::uint32_t SwarmTable::home(const proto::InfoHash& h) const noexcept {
    return static_cast<std::uint32_t>(shm::keyed_hash(h.data(), h.size(), *key_)) & mask_;
}

std::uint32_t SwarmTable::lookup(const proto::InfoHash& h) const noexcept {
    std::uint32_t i = home(h);
    for (std::uint32_t probes = 0; probes <= mask_; ++probes, i = (i + 1) & mask_) {
        shm::SwarmKey k;
        if (!slots_[i].key.load(k) || k.state == kEmpty) return kNone;
        if (k.state == kLive && k.info_hash == h) return i;
    }
    return kNone;
}

std::uint32_t SwarmTable::find(const proto::InfoHash& h) const noexcept {
    std::uint32_t i = home(h);
    for (std::uint32_t probes = 0; probes <= mask_; ++probes, i = (i + 1) & mask_) {
        const shm::SwarmKey k = slots_[i].key.load_own();
        if (k.state == kEmpty) return kNone;
        if (k.state == kLive && k.info_hash == h) return i;
    }
    return kNone;
}

std::uint32_t SwarmTable::find_or_insert(const proto::InfoHash& h, std::uint32_t torrent_id) noexcept {
    std::uint32_t i = home(h), reuse = kNone;
    for (std::uint32_t probes = 0; probes <= mask_; ++probes, i = (i + 1) & mask_) {
        const shm::SwarmKey k = slots_[i].key.load_own();
        if (k.state == kLive && k.info_hash == h) return i;
        if (k.state == kTombstone && reuse == kNone) reuse = i;
        if (k.state == kEmpty) break;
    }
    const std::uint32_t live = h_->swarms.load(std::memory_order_relaxed);
    if (live >= h_->swarm_capacity) return kNone;
    if (reuse != kNone) {
        --h_->swarm_tombstones;
        i = reuse;
    } else if (live + h_->swarm_tombstones + 1 > slot_count() - slot_count() / 4) {
        return kNone;
    }
    shm::SwarmSlot& s = slots_[i];
    reset_counters(s);
    s.torrent_id.store(torrent_id, std::memory_order_relaxed);
    s.key.store(key_of(h, kLive));
    h_->swarms.store(live + 1, std::memory_order_relaxed);
    return i;
}

void SwarmTable::erase(std::uint32_t i) noexcept {
    h_->swarms.store(h_->swarms.load(std::memory_order_relaxed) - 1, std::memory_order_relaxed);
    bury(i);
}

void SwarmTable::bury(std::uint32_t i) noexcept {
    slots_[i].key.store(key_of({}, kTombstone));
    reset_counters(slots_[i]);
    ++h_->swarm_tombstones;
    // A tombstone followed by an empty slot ends no probe chain: it can become empty again.
    while (slots_[(i + 1) & mask_].key.load_own().state == kEmpty && slots_[i].key.load_own().state == kTombstone) {
        slots_[i].key.store(key_of({}, kEmpty));
        --h_->swarm_tombstones;
        i = (i - 1) & mask_;
    }
}

void SwarmTable::repair() noexcept {
    for (std::uint32_t i = 0; i <= mask_; ++i) slots_[i].key.repair();
}

std::uint32_t shard_of(const proto::InfoHash& h, std::uint32_t nshards) noexcept {
    // Info hashes are SHA-1/SHA-256 output: their first bytes are already uniform. Multiply-shift
    // maps them onto [0, nshards) without a division.
    std::uint32_t x;
    std::memcpy(&x, h.data(), sizeof x);
    return static_cast<std::uint32_t>((std::uint64_t{x} * nshards) >> 32);
}

proto::InfoHash swarm_key_of(shm::TorrentId torrent) noexcept {
    // The id itself makes keys of distinct torrents distinct; a multiplicative hash in front spreads
    // consecutive ids over the shards (shard_of reads the first four bytes).
    proto::InfoHash k{};
    const std::uint64_t spread = std::uint64_t{torrent} * 0x9E3779B97F4A7C15ULL;
    std::memcpy(k.data(), &spread, sizeof spread);
    std::memcpy(k.data() + sizeof spread, &torrent, sizeof torrent);
    return k;
}

namespace {

std::optional<ScrapeCounts> counts_of(const shm::Segment& segment, const proto::InfoHash& key) noexcept {
    const std::uint32_t shard = shard_of(key, segment.sizes().shards);
    const shm::ShardLayout layout = shm::shard_layout(segment.sizes());
    auto* region = static_cast<char*>(segment.shard_region(shard));
    auto* header = reinterpret_cast<shm::ShardHeader*>(region);
    const SwarmTable table(header, reinterpret_cast<shm::SwarmSlot*>(region + layout.swarms), &segment.hash_key());
    const std::uint32_t i = table.lookup(key);
    if (i == SwarmTable::kNone) return std::nullopt;
    const shm::SwarmSlot& s = table.at(i);
    return ScrapeCounts{s.seeders.load(std::memory_order_relaxed), s.leechers.load(std::memory_order_relaxed),
                        s.completed.load(std::memory_order_relaxed)};
}

}  // namespace

ScrapeCounts scrape_counts(const shm::Segment& segment, const proto::InfoHash& h, bool open_mode) noexcept {
    if (open_mode) return counts_of(segment, h).value_or(ScrapeCounts{});
    // Private mode announces only registered torrents, and keys their swarms by torrent id.
    const auto torrent = segment.torrents().find(h);
    if (!torrent) return {};
    return counts_of(segment, swarm_key_of(torrent->torrent_id)).value_or(ScrapeCounts{});
}

}  // namespace swarmline::swarm
