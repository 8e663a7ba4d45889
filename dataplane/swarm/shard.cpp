#include <sodium.h>

#include <algorithm>
#include <cstring>
#include <vector>

#include "shm/swarm_layout.hpp"
#include "swarm/accounting.hpp"
#include "swarm/engine.hpp"
#include "swarm/flat_map.hpp"
#include "swarm/list_budget.hpp"
#include "swarm/peer_pool.hpp"
#include "swarm/snatch_set.hpp"
#include "swarm/swarm_table.hpp"

namespace swarmline::swarm {
namespace {

constexpr std::string_view kUnknownStopped = "Stopped announce for a peer the tracker does not know";
constexpr std::string_view kOtherAddress = "This peer_id is in use from another address";
constexpr std::string_view kOtherUser = "This peer_id is in use by another account";
constexpr std::string_view kTooManyLocations = "Too many locations for this torrent: stop a client first";
constexpr std::string_view kBusy = "Tracker is busy: announce again shortly";

constexpr std::uint32_t kNone = ~0u;
constexpr std::size_t kBudgetSlots = 1u << 16;

struct PeerLoc {
    std::uint32_t swarm = 0;
    std::uint32_t pos = 0;
};

// The compact wire form of an address: IPv4 4 bytes (the mapped tail) or IPv6 16, then the port,
// big-endian.
template <std::size_t N>
std::array<std::uint8_t, N> compact_of(const proto::Endpoint& e) noexcept {
    std::array<std::uint8_t, N> c{};
    std::memcpy(c.data(), e.ip.data() + 16 - (N - 2), N - 2);
    c[N - 2] = static_cast<std::uint8_t>(e.port >> 8);
    c[N - 1] = static_cast<std::uint8_t>(e.port);
    return c;
}

template <class Rec>
constexpr bool kV6 = sizeof(Rec{}.compact) == 18;

}  // namespace

struct Shard::State {
    shm::Segment* segment = nullptr;
    std::uint32_t index = 0;
    shm::ShardHeader* h = nullptr;
    SwarmTable swarms;
    PeerPool<shm::PeerRecord4> pool4;
    PeerPool<shm::PeerRecord6> pool6;
    SnatchSet snatches;
    shm::EventRing ring;
    shm::Accumulator acc;
    FlatMap<PeerLoc> peers;            // tag(info_hash, family, peer_id) -> position in the list
    FlatMap<std::uint32_t> locations;  // swarm << 32 | user -> the user's peers in the swarm
    FlatMap<std::uint32_t> acc_index;  // user << 32 | torrent -> accumulator slot
    std::vector<std::uint32_t> acc_free;
    ListBudget budget{kBudgetSlots};
    shm::HashKey tag_key{};
    std::uint64_t rng;
    std::uint32_t peer_timeout = shm::default_rules().peer_timeout;

    State(shm::Segment& seg, std::uint32_t idx, std::uint64_t seed)
        : segment(&seg),
          index(idx),
          peers(std::size_t{seg.sizes().peers_per_shard} + seg.sizes().v6_peers_per_shard),
          locations(std::size_t{seg.sizes().peers_per_shard} + seg.sizes().v6_peers_per_shard),
          acc_index(seg.sizes().accumulator),
          rng(seed | 1) {
        const shm::ShardLayout l = shm::shard_layout(seg.sizes());
        auto* region = static_cast<char*>(seg.shard_region(idx));
        h = reinterpret_cast<shm::ShardHeader*>(region);
        swarms = SwarmTable(h, reinterpret_cast<shm::SwarmSlot*>(region + l.swarms), &seg.hash_key());
        pool4 = PeerPool<shm::PeerRecord4>(&h->pool4, reinterpret_cast<shm::PeerRecord4*>(region + l.pool4));
        pool6 = PeerPool<shm::PeerRecord6>(&h->pool6, reinterpret_cast<shm::PeerRecord6*>(region + l.pool6));
        snatches = SnatchSet(h, reinterpret_cast<shm::SnatchKey*>(region + l.snatches));
        ring = seg.event_ring(idx);
        acc = seg.accumulator(idx);
        randombytes_buf(tag_key.data(), tag_key.size());
        acc_free.reserve(acc.capacity());
        rebuild();
    }

    // ---- helpers over one family ----

    std::uint64_t next_random() noexcept {  // splitmix64
        std::uint64_t z = (rng += 0x9e3779b97f4a7c15ULL);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        return z ^ (z >> 31);
    }
    std::uint32_t below(std::uint32_t n) noexcept {
        return static_cast<std::uint32_t>(((next_random() >> 32) * n) >> 32);
    }

    // Keyed by the info hash rather than the swarm's slot, so it can be computed (and its index
    // slot prefetched) before the swarm is found.
    std::uint64_t tag(const proto::InfoHash& info_hash, bool v6, const proto::PeerId& id) const noexcept {
        unsigned char buf[20 + 20 + 1];
        std::memcpy(buf, info_hash.data(), 20);
        std::memcpy(buf + 20, id.data(), 20);
        buf[40] = v6 ? 1 : 0;
        const std::uint64_t t = shm::keyed_hash(buf, sizeof buf, tag_key);
        return t == FlatMap<PeerLoc>::kEmpty ? 0 : t;
    }
    std::uint64_t tag(std::uint32_t swarm, bool v6, const proto::PeerId& id) const noexcept {
        return tag(swarms.at(swarm).key.load_own().info_hash, v6, id);
    }

    template <class Rec>
    PeerPool<Rec>& pool() noexcept {
        if constexpr (kV6<Rec>) {
            return pool6;
        } else {
            return pool4;
        }
    }
    template <class Rec>
    static shm::PeerList& list(shm::SwarmSlot& s) noexcept {
        if constexpr (kV6<Rec>) {
            return s.v6;
        } else {
            return s.v4;
        }
    }
    template <class Rec>
    Rec* rec(const shm::PeerList& l, std::uint32_t pos) noexcept {
        return pool<Rec>().at(l.block + pos);
    }

    template <class Rec>
    void reindex(std::uint32_t swarm, const shm::PeerList& l, std::uint32_t pos) noexcept {
        if (PeerLoc* loc = peers.find(tag(swarm, kV6<Rec>, rec<Rec>(l, pos)->peer_id))) loc->pos = pos;
    }
    template <class Rec>
    void move(std::uint32_t swarm, shm::PeerList& l, std::uint32_t from, std::uint32_t to) noexcept {
        *rec<Rec>(l, to) = *rec<Rec>(l, from);
        reindex<Rec>(swarm, l, to);
    }
    template <class Rec>
    void swap(std::uint32_t swarm, shm::PeerList& l, std::uint32_t a, std::uint32_t b) noexcept {
        if (a == b) return;
        std::swap(*rec<Rec>(l, a), *rec<Rec>(l, b));
        reindex<Rec>(swarm, l, a);
        reindex<Rec>(swarm, l, b);
    }

    // Room for one more record; false when the pool is exhausted.
    template <class Rec>
    bool grow(shm::PeerList& l) noexcept {
        if (l.order == shm::PeerList::kNoBlock) {
            const std::uint32_t b = pool<Rec>().alloc(0);
            if (b == PeerPool<Rec>::kNone) return false;
            l.block = b;
            l.order = 0;
            return true;
        }
        if (l.count < (1u << l.order)) return true;
        const std::uint32_t b = pool<Rec>().alloc(static_cast<std::uint8_t>(l.order + 1));
        if (b == PeerPool<Rec>::kNone) return false;
        std::memcpy(static_cast<void*>(pool<Rec>().at(b)), pool<Rec>().at(l.block), sizeof(Rec) * l.count);
        relocate<Rec>(l, b, static_cast<std::uint8_t>(l.order + 1));
        return true;
    }
    // Gives memory back when a list is empty or a quarter full (positions are block-relative, so
    // the index needs no change).
    template <class Rec>
    void shrink(shm::PeerList& l) noexcept {
        if (l.order == shm::PeerList::kNoBlock) return;
        if (l.count == 0) {
            pool<Rec>().free(l.block, l.order);
            l.order = shm::PeerList::kNoBlock;
            l.block = 0;
            return;
        }
        if (l.order == 0 || l.count > (1u << l.order) / 4) return;
        const std::uint32_t b = pool<Rec>().alloc(static_cast<std::uint8_t>(l.order - 1));
        if (b == PeerPool<Rec>::kNone) return;
        std::memcpy(static_cast<void*>(pool<Rec>().at(b)), pool<Rec>().at(l.block), sizeof(Rec) * l.count);
        relocate<Rec>(l, b, static_cast<std::uint8_t>(l.order - 1));
    }
    // Points the list at its copy first, then frees the old block (which overwrites its first
    // record): a process killed in between leaks a block rather than leaving a list on a free one.
    template <class Rec>
    void relocate(shm::PeerList& l, std::uint32_t block, std::uint8_t order) noexcept {
        const std::uint32_t old_block = l.block;
        const std::uint8_t old_order = l.order;
        l.block = block;
        l.order = order;
        pool<Rec>().free(old_block, old_order);
    }

    template <class Rec>
    std::uint32_t add(std::uint32_t swarm, const Rec& r) noexcept {
        shm::PeerList& l = list<Rec>(swarms.at(swarm));
        if (!grow<Rec>(l)) return kNone;
        std::uint32_t pos = l.count;
        if (!(r.flags & shm::kPeerSeeder)) {
            pos = l.leechers;
            if (pos < l.count) move<Rec>(swarm, l, pos, l.count);
            ++l.leechers;
        }
        *rec<Rec>(l, pos) = r;
        ++l.count;
        peers.insert(tag(swarm, kV6<Rec>, r.peer_id), PeerLoc{swarm, pos});
        if (r.user_id != 0) {
            if (std::uint32_t* n = locations.insert((std::uint64_t{swarm} << 32) | r.user_id, 0)) ++*n;
        }
        return pos;
    }

    // `rebuilding`: the record is not in the indexes (a duplicate found while rebuilding them).
    template <class Rec>
    void remove(std::uint32_t swarm, std::uint32_t pos, bool rebuilding = false) noexcept {
        shm::PeerList& l = list<Rec>(swarms.at(swarm));
        if (!rebuilding) {
            const Rec* r = rec<Rec>(l, pos);
            peers.erase(tag(swarm, kV6<Rec>, r->peer_id));
            if (r->user_id != 0) {
                const std::uint64_t k = (std::uint64_t{swarm} << 32) | r->user_id;
                if (std::uint32_t* n = locations.find(k); n && --*n == 0) locations.erase(k);
            }
        }
        if (pos < l.leechers) {
            const std::uint32_t last_leecher = l.leechers - 1;
            if (pos != last_leecher) move<Rec>(swarm, l, last_leecher, pos);
            if (l.count - 1 != last_leecher) move<Rec>(swarm, l, l.count - 1, last_leecher);
            --l.leechers;
        } else if (pos != l.count - 1) {
            move<Rec>(swarm, l, l.count - 1, pos);
        }
        --l.count;
        shrink<Rec>(l);
    }

    // Moves the record at pos across the leecher/seeder boundary when its state changed; returns
    // its new position.
    template <class Rec>
    std::uint32_t set_seeder(std::uint32_t swarm, std::uint32_t pos, bool seeder) noexcept {
        shm::PeerList& l = list<Rec>(swarms.at(swarm));
        if (seeder && pos < l.leechers) {
            const std::uint32_t j = l.leechers - 1;
            swap<Rec>(swarm, l, pos, j);
            --l.leechers;
            return j;
        }
        if (!seeder && pos >= l.leechers) {
            const std::uint32_t j = l.leechers;
            swap<Rec>(swarm, l, pos, j);
            ++l.leechers;
            return j;
        }
        return pos;
    }

    void publish_counts(shm::SwarmSlot& s) noexcept {
        s.seeders.store(s.v4.count - s.v4.leechers + s.v6.count - s.v6.leechers, std::memory_order_relaxed);
        s.leechers.store(s.v4.leechers + s.v6.leechers, std::memory_order_relaxed);
    }
    void bump_peers(bool v6, int delta) noexcept {
        auto& c = v6 ? h->peers6 : h->peers4;
        c.store(static_cast<std::uint32_t>(static_cast<int>(c.load(std::memory_order_relaxed)) + delta), std::memory_order_relaxed);
    }

    // Up to `want` peers from list l starting at a random place; a seeder (`leechers_only`) gets
    // the leecher prefix only; `self` (a position, or kNone) and `self_id` in the other family are
    // skipped.
    template <class Rec>
    std::uint32_t pick(const shm::PeerList& l, std::uint32_t self, const proto::PeerId* self_id, bool leechers_only,
                       std::uint32_t want, std::uint8_t* out, std::uint8_t* ids) noexcept {
        const std::uint32_t n = leechers_only ? l.leechers : l.count;
        if (n == 0 || want == 0 || out == nullptr) return 0;
        const std::uint32_t start = below(n);
        std::uint32_t got = 0;
        for (std::uint32_t k = 0; k < n && got < want; ++k) {
            std::uint32_t i = start + k;
            if (i >= n) i -= n;
            if (i == self) continue;
            const Rec* r = rec<Rec>(l, i);
            if (self_id != nullptr && r->peer_id == *self_id) continue;
            std::memcpy(out + std::size_t{got} * r->compact.size(), r->compact.data(), r->compact.size());
            if (ids != nullptr) std::memcpy(ids + std::size_t{got} * 20, r->peer_id.data(), 20);
            ++got;
        }
        return got;
    }

    // ---- the accumulator ----

    std::uint32_t acc_slot(shm::UserId user, shm::TorrentId torrent) noexcept {
        const std::uint64_t key = (std::uint64_t{user} << 32) | torrent;
        if (const std::uint32_t* slot = acc_index.find(key)) return *slot;
        if (acc_free.empty()) {  // reclaim every slot control has fully committed
            for (std::uint32_t i = 0; i < acc.capacity(); ++i) {
                const shm::AccumulatorEntry e = acc.own(i);
                if (e.gen != 0 && acc.reusable(i)) {
                    acc_index.erase((std::uint64_t{e.user_id} << 32) | e.torrent_id);
                    acc_free.push_back(i);
                }
            }
        }
        if (acc_free.empty()) return kNone;
        const std::uint32_t slot = acc_free.back();
        acc_free.pop_back();
        shm::AccumulatorEntry e{};
        e.gen = acc.own(slot).gen + 1;
        if (e.gen == 0) e.gen = 1;
        e.user_id = user;
        e.torrent_id = torrent;
        acc.write(slot, e);
        acc_index.insert(key, slot);
        return slot;
    }

    void fold(std::uint32_t slot, const shm::EventRecord& ev) noexcept {
        shm::AccumulatorEntry e = acc.own(slot);
        ++e.announces;
        e.uploaded_raw += ev.uploaded_delta;
        e.downloaded_raw += ev.downloaded_delta;
        e.uploaded_credited += ev.uploaded_credited;
        e.downloaded_credited += ev.downloaded_credited;
        e.seedtime += ev.seedtime_delta;
        if (ev.flags & shm::kEventFirstCompletion) ++e.completions;
        acc.write(slot, e);
        h->folded.store(h->folded.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
    }

    // ---- attach ----

    template <class Rec>
    void rebuild_list(std::uint32_t swarm) noexcept {
        shm::PeerList& l = list<Rec>(swarms.at(swarm));
        const std::uint64_t cap = l.order < shm::kPoolOrders ? std::uint64_t{1} << l.order : 0;
        if (cap == 0 || l.count > cap || l.block + cap > pool<Rec>().capacity()) {  // no block, or not a sane one
            l = shm::PeerList{0, shm::PeerList::kNoBlock, {}, 0, 0};
            return;
        }
        // A crash may have stopped a move half-way: partition again, then index from the end so
        // that removing a duplicate only moves records that are already indexed.
        std::uint32_t leechers = 0;
        for (std::uint32_t p = 0; p < l.count; ++p) {
            if (!(rec<Rec>(l, p)->flags & shm::kPeerSeeder)) {
                if (p != leechers) std::swap(*rec<Rec>(l, p), *rec<Rec>(l, leechers));
                ++leechers;
            }
        }
        l.leechers = leechers;
        for (std::uint32_t p = l.count; p-- > 0;) {
            const Rec* r = rec<Rec>(l, p);
            const std::uint64_t t = tag(swarm, kV6<Rec>, r->peer_id);
            if ((r->flags & shm::kPeerFree) || peers.find(t) != nullptr ||
                peers.size() >= segment->sizes().peers_per_shard + segment->sizes().v6_peers_per_shard) {
                remove<Rec>(swarm, p, true);
                continue;
            }
            peers.insert(t, PeerLoc{swarm, p});
            if (r->user_id != 0) {
                if (std::uint32_t* n = locations.insert((std::uint64_t{swarm} << 32) | r->user_id, 0)) ++*n;
            }
        }
    }

    void rebuild() noexcept {
        swarms.repair();
        std::uint32_t n4 = 0, n6 = 0, live = 0;
        for (std::uint32_t i = 0; i < swarms.slot_count(); ++i) {
            if (!swarms.live(i)) continue;
            ++live;
            rebuild_list<shm::PeerRecord4>(i);
            rebuild_list<shm::PeerRecord6>(i);
            shm::SwarmSlot& s = swarms.at(i);
            publish_counts(s);
            n4 += s.v4.count;
            n6 += s.v6.count;
        }
        h->swarms.store(live, std::memory_order_relaxed);
        h->peers4.store(n4, std::memory_order_relaxed);
        h->peers6.store(n6, std::memory_order_relaxed);
        acc.repair();
        for (std::uint32_t i = acc.capacity(); i-- > 0;) {
            const shm::AccumulatorEntry e = acc.own(i);
            if (e.gen == 0 || acc_index.find((std::uint64_t{e.user_id} << 32) | e.torrent_id) != nullptr) {
                if (e.gen == 0) acc_free.push_back(i);
                continue;
            }
            acc_index.insert((std::uint64_t{e.user_id} << 32) | e.torrent_id, i);
        }
    }

    // ---- announce ----

    template <class Rec>
    AnnounceResult announce(const Admission& adm, const proto::Announce& a, const proto::Endpoint& peer,
                            std::uint32_t now, PeerOutput& out) noexcept;
    template <class Rec>
    std::size_t reap_list(std::uint32_t swarm, std::uint32_t now) noexcept;
};

template <class Rec>
AnnounceResult Shard::State::announce(const Admission& adm, const proto::Announce& a, const proto::Endpoint& peer,
                                      std::uint32_t now, PeerOutput& out) noexcept {
    using Other = std::conditional_t<kV6<Rec>, shm::PeerRecord4, shm::PeerRecord6>;
    const Policy& pol = adm.policy;
    peer_timeout = pol.peer_timeout;
    AnnounceResult res;
    res.outcome = adm.outcome;
    res.message = adm.message;
    res.min_interval = pol.min_interval;
    res.interval = adm.short_interval ? pol.warning_interval : pol.interval + below(pol.interval_jitter + 1);
    auto counts = [&res](const shm::SwarmSlot& s) {
        res.complete = s.seeders.load(std::memory_order_relaxed);
        res.incomplete = s.leechers.load(std::memory_order_relaxed);
        res.downloaded = s.completed.load(std::memory_order_relaxed);
    };
    auto refuse = [&res, &pol](Outcome o, std::string_view why) {
        res.outcome = o;
        res.message = why;
        if (o == Outcome::warning) res.interval = pol.warning_interval;
        return res;
    };
    if (adm.outcome == Outcome::failure) return res;

    const auto compact = compact_of<sizeof(Rec{}.compact)>(peer);
    std::uint32_t swarm = swarms.find(adm.swarm);
    std::uint32_t pos = kNone;
    if (swarm != SwarmTable::kNone) {
        if (const PeerLoc* loc = peers.find(tag(adm.swarm, kV6<Rec>, a.peer_id))) pos = loc->pos;
        counts(swarms.at(swarm));
    }
    Rec* r = pos == kNone ? nullptr : rec<Rec>(list<Rec>(swarms.at(swarm)), pos);

    if (a.event == proto::Event::stopped && r == nullptr) return refuse(Outcome::warning, kUnknownStopped);
    if (r != nullptr) {
        if (r->user_id != adm.user_id) return refuse(Outcome::failure, kOtherUser);
        // The address may change (a new IP lease) only with the key the peer registered with.
        const bool same_ip = std::memcmp(r->compact.data(), compact.data(), compact.size() - 2) == 0;
        if (!same_ip && !((r->flags & shm::kPeerHasKey) && a.has_key && a.key == r->key)) {
            return refuse(Outcome::failure, kOtherAddress);
        }
        const bool regular = a.event == proto::Event::none || a.event == proto::Event::paused;
        if (regular && now >= r->last_announce && now - r->last_announce < pol.min_interval) {
            res.interval = pol.min_interval;  // too early: nothing changes, no peers
            return res;
        }
    } else {
        if (adm.user_id != 0 && pol.max_locations != 0 && swarm != SwarmTable::kNone) {
            const std::uint32_t* n = locations.find((std::uint64_t{swarm} << 32) | adm.user_id);
            if (n != nullptr && *n >= pol.max_locations) return refuse(Outcome::failure, kTooManyLocations);
        }
    }

    // Where the record of this announce goes: the ring, or the accumulator when the ring is full.
    // Decided before any change, so that a full accumulator refuses the announce whole.
    std::uint32_t fold_slot = kNone;
    if (ring.full()) {
        fold_slot = acc_slot(adm.user_id, adm.torrent_id);
        if (fold_slot == kNone) return refuse(Outcome::warning, kBusy);
    }
    if (swarm == SwarmTable::kNone) {
        swarm = swarms.find_or_insert(adm.swarm, adm.torrent_id);
        if (swarm == SwarmTable::kNone) return refuse(Outcome::warning, kBusy);
    }
    shm::SwarmSlot& s = swarms.at(swarm);

    // Accounting. A dual-stack client announces the same totals over both families: its record in
    // the other family shares the baseline, so its progress counts once.
    Other* other = nullptr;
    if (list<Other>(s).count > 0) {
        if (const PeerLoc* loc = peers.find(tag(adm.swarm, !kV6<Rec>, a.peer_id))) {
            other = rec<Other>(list<Other>(s), loc->pos);
            if (other->user_id != adm.user_id) other = nullptr;
        }
    }
    shm::EventRecord ev{};
    Deltas d{};
    std::uint32_t seedtime = 0;
    const bool seeder = a.left == 0;
    if (r != nullptr || other != nullptr) {
        std::uint64_t prev_up = r ? r->uploaded : 0, prev_down = r ? r->downloaded : 0;
        if (other != nullptr) {
            prev_up = std::max(prev_up, other->uploaded);
            prev_down = std::max(prev_down, other->downloaded);
        }
        d = deltas(prev_up, prev_down, a.uploaded, a.downloaded);
        // Seedtime accrues on the IPv4 record of a dual-stack peer only.
        if (r != nullptr && (r->flags & shm::kPeerSeeder) && !(kV6<Rec> && other != nullptr) && now > r->last_announce) {
            seedtime = std::min(now - r->last_announce, pol.peer_timeout);
        }
        if (other != nullptr) {
            other->uploaded = a.uploaded;
            other->downloaded = a.downloaded;
        }
    }
    ev.uploaded_delta = d.uploaded;
    ev.downloaded_delta = d.downloaded;
    ev.uploaded_credited = scale_pct(d.uploaded, adm.upload_pct);
    ev.downloaded_credited = scale_pct(d.downloaded, adm.download_pct);
    ev.seedtime_delta = seedtime;
    if (d.rebased) ev.flags |= shm::kEventRebased;

    // Completion: once per (user, torrent), or once per peer in open mode.
    if (a.event == proto::Event::completed && !(r != nullptr && (r->flags & shm::kPeerCompleted))) {
        const bool first = adm.user_id == 0 ? true : snatches.insert(adm.user_id, adm.torrent_id);
        if (first) {
            ev.flags |= shm::kEventFirstCompletion;
            s.completed.store(s.completed.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
        }
    }

    // The swarm.
    if (a.event == proto::Event::stopped) {
        ev.flags |= shm::kEventPeerRemoved;
        if (r->flags & shm::kPeerSeeder) ev.flags |= shm::kEventSeeder;
        remove<Rec>(swarm, pos);
        bump_peers(kV6<Rec>, -1);
        r = nullptr;
    } else if (r == nullptr) {
        Rec fresh{};
        fresh.compact = compact;
        fresh.flags = static_cast<std::uint8_t>((seeder ? shm::kPeerSeeder : 0) | (a.has_key ? shm::kPeerHasKey : 0) |
                                                (a.event == proto::Event::completed ? shm::kPeerCompleted : 0));
        fresh.peer_id = a.peer_id;
        fresh.user_id = adm.user_id;
        fresh.key = a.key;
        fresh.last_announce = now;
        fresh.first_seen = now;
        fresh.uploaded = a.uploaded;
        fresh.downloaded = a.downloaded;
        pos = add<Rec>(swarm, fresh);
        if (pos == kNone) {
            if (list<Rec>(s).count == 0 && list<Other>(s).count == 0) swarms.erase(swarm);
            return refuse(Outcome::warning, kBusy);
        }
        bump_peers(kV6<Rec>, +1);
        ev.flags |= shm::kEventNewPeer;
        r = rec<Rec>(list<Rec>(s), pos);
    } else {
        r->compact = compact;  // the port (or, with the key, the address) may have changed
        if (a.has_key && !(r->flags & shm::kPeerHasKey)) {
            r->key = a.key;
            r->flags |= shm::kPeerHasKey;
        }
        if (a.event == proto::Event::completed) r->flags |= shm::kPeerCompleted;
        r->last_announce = now;
        r->uploaded = a.uploaded;
        r->downloaded = a.downloaded;
        if (seeder != ((r->flags & shm::kPeerSeeder) != 0)) {
            r->flags ^= shm::kPeerSeeder;
            pos = set_seeder<Rec>(swarm, pos, seeder);
            r = rec<Rec>(list<Rec>(s), pos);
        }
    }
    s.last_activity = now;
    publish_counts(s);
    counts(s);

    // The event record.
    ev.user_id = adm.user_id;
    ev.torrent_id = adm.torrent_id;
    ev.left = a.left;
    ev.uploaded_total = a.uploaded;
    ev.downloaded_total = a.downloaded;
    ev.time = now;
    ev.event = static_cast<std::uint8_t>(a.event);
    if (seeder) ev.flags |= shm::kEventSeeder;
    if (kV6<Rec>) ev.flags |= shm::kEventIpv6;
    ev.port = peer.port;
    ev.ip = peer.ip;
    ev.peer_id = a.peer_id;
    if (fold_slot == kNone) {
        ring.try_push(ev);  // cannot fail: only this worker fills the ring, and it was not full
    } else {
        fold(fold_slot, ev);
    }
    h->announces.store(h->announces.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);

    // Peers.
    if (r == nullptr) return res;  // stopped: no peers wanted
    std::uint32_t want = a.numwant < 0 ? pol.numwant_default : std::min<std::uint32_t>(static_cast<std::uint32_t>(a.numwant), pol.numwant_max);
    want = std::min<std::uint32_t>(want, pol.numwant_max);
    if (want == 0) return res;
    const bool want_other = kV6<Rec> ? a.has_ipv4 : a.has_ipv6;
    // Only a list with someone in it spends from the budget (the requester is in its own list
    // unless it is a seeder, which is offered leechers only).
    const std::uint32_t mine_candidates = seeder ? list<Rec>(s).leechers : list<Rec>(s).count - 1;
    const std::uint32_t other_candidates = !want_other ? 0 : seeder ? list<Other>(s).leechers : list<Other>(s).count;
    if (mine_candidates + other_candidates == 0) return res;
    if (!budget.take(adm.user_id, now, pol.peer_list_budget, pol.peer_list_refill_per_hour)) return res;
    std::uint8_t* mine = kV6<Rec> ? out.v6 : out.v4;
    std::uint8_t* mine_ids = kV6<Rec> ? out.peer_ids6 : out.peer_ids4;
    const std::size_t mine_cap = kV6<Rec> ? out.v6_capacity : out.v4_capacity;
    const std::uint32_t n_mine = pick<Rec>(list<Rec>(s), pos, nullptr, seeder,
                                           static_cast<std::uint32_t>(std::min<std::size_t>(want, mine_cap)), mine, mine_ids);
    std::uint32_t n_other = 0;
    if (want_other) {
        std::uint8_t* theirs = kV6<Rec> ? out.v4 : out.v6;
        std::uint8_t* theirs_ids = kV6<Rec> ? out.peer_ids4 : out.peer_ids6;
        const std::size_t theirs_cap = kV6<Rec> ? out.v4_capacity : out.v6_capacity;
        n_other = pick<Other>(list<Other>(s), kNone, &a.peer_id, seeder,
                              static_cast<std::uint32_t>(std::min<std::size_t>(want, theirs_cap)), theirs, theirs_ids);
    }
    res.n4 = kV6<Rec> ? n_other : n_mine;
    res.n6 = kV6<Rec> ? n_mine : n_other;
    return res;
}

template <class Rec>
std::size_t Shard::State::reap_list(std::uint32_t swarm, std::uint32_t now) noexcept {
    shm::SwarmSlot& s = swarms.at(swarm);
    std::size_t removed = 0;
    // From the end: a removal moves only records already looked at into the hole.
    for (std::uint32_t p = list<Rec>(s).count; p-- > 0;) {
        const Rec* r = rec<Rec>(list<Rec>(s), p);
        if (now <= r->last_announce || now - r->last_announce <= peer_timeout) continue;
        if (ring.full()) break;  // the departure must reach control: try again later
        shm::EventRecord ev{};
        ev.user_id = r->user_id;
        ev.torrent_id = s.torrent_id.load(std::memory_order_relaxed);
        ev.uploaded_total = r->uploaded;
        ev.downloaded_total = r->downloaded;
        ev.time = now;
        ev.event = static_cast<std::uint8_t>(proto::Event::stopped);
        ev.flags = shm::kEventPeerRemoved | shm::kEventReaped | (kV6<Rec> ? shm::kEventIpv6 : 0) |
                   ((r->flags & shm::kPeerSeeder) ? shm::kEventSeeder : 0);
        if constexpr (kV6<Rec>) {
            std::memcpy(ev.ip.data(), r->compact.data(), 16);
        } else {
            ev.ip[10] = 0xff;
            ev.ip[11] = 0xff;
            std::memcpy(ev.ip.data() + 12, r->compact.data(), 4);
        }
        ev.port = static_cast<std::uint16_t>((r->compact[r->compact.size() - 2] << 8) | r->compact[r->compact.size() - 1]);
        ev.peer_id = r->peer_id;
        ring.try_push(ev);
        remove<Rec>(swarm, p);
        bump_peers(kV6<Rec>, -1);
        ++removed;
    }
    return removed;
}

Shard::Shard(shm::Segment& segment, std::uint32_t index, std::uint64_t rng_seed)
    : s_(std::make_unique<State>(segment, index, rng_seed)) {}

Shard::~Shard() = default;

std::uint32_t Shard::index() const noexcept { return s_->index; }

void Shard::prefetch(const Admission& adm, const proto::Announce& a, const proto::Endpoint& peer) const noexcept {
    s_->swarms.prefetch(adm.swarm);
    s_->peers.prefetch(s_->tag(adm.swarm, !peer.v4(), a.peer_id));
}

AnnounceResult Shard::announce(const Admission& adm, const proto::Announce& a, const proto::Endpoint& peer,
                               std::uint32_t now, PeerOutput& out) noexcept {
    return peer.v4() ? s_->announce<shm::PeerRecord4>(adm, a, peer, now, out)
                     : s_->announce<shm::PeerRecord6>(adm, a, peer, now, out);
}

std::size_t Shard::reap(std::uint32_t now, std::size_t budget) noexcept {
    State& s = *s_;
    std::size_t removed = 0;
    const std::uint32_t mask = s.swarms.slot_count() - 1;
    for (std::size_t visited = 0; visited < budget; ++visited) {
        const std::uint32_t i = s.h->reap_cursor++ & mask;
        if (!s.swarms.live(i)) continue;
        shm::SwarmSlot& slot = s.swarms.at(i);
        removed += s.reap_list<shm::PeerRecord4>(i, now);
        removed += s.reap_list<shm::PeerRecord6>(i, now);
        s.publish_counts(slot);
        if (slot.v4.count == 0 && slot.v6.count == 0 && now > slot.last_activity &&
            now - slot.last_activity > s.peer_timeout) {
            s.swarms.erase(i);
        }
    }
    s.h->reaped.store(s.h->reaped.load(std::memory_order_relaxed) + removed, std::memory_order_relaxed);
    return removed;
}

}  // namespace swarmline::swarm
