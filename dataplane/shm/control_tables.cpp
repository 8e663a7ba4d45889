#include "shm/control_tables.hpp"

#include <algorithm>
#include <cstring>
#include <memory>

namespace swarmline::shm {
namespace {

Rules make_defaults() noexcept {
    Rules r;
    std::memset(&r, 0, sizeof r);
    r.interval = 1800;
    r.interval_jitter = 300;
    r.min_interval = 300;
    r.warning_interval = 300;
    r.peer_timeout = 2700;        // one and a half intervals: one lost announce is not a departure
    r.deleted_reason_ttl = 86400;
    r.numwant_default = 50;
    r.numwant_max = 200;
    r.max_locations = 3;
    // A seeding account announces each torrent twice an hour; 20000 lists an hour covers 10000
    // torrents, while walking a million swarms would take two days.
    r.peer_list_budget = 2000;
    r.peer_list_refill_per_hour = 20000;
    block_default_ports(r);
    return r;
}

bool less(const std::array<std::uint8_t, 16>& a, const std::array<std::uint8_t, 16>& b) noexcept {
    return std::memcmp(a.data(), b.data(), 16) < 0;
}

// a + 1 == b, as 128-bit big-endian integers (two adjacent ranges merge).
bool adjacent(std::array<std::uint8_t, 16> a, const std::array<std::uint8_t, 16>& b) noexcept {
    for (int i = 15; i >= 0; --i) {
        if (++a[static_cast<std::size_t>(i)] != 0) break;
    }
    return a == b;
}

}  // namespace

const Rules& default_rules() noexcept {
    static const std::unique_ptr<const Rules> defaults = std::make_unique<const Rules>(make_defaults());
    return *defaults;
}

void block_default_ports(Rules& r) noexcept {
    auto block = [&r](unsigned p) { r.blocked_ports[p >> 6] |= std::uint64_t{1} << (p & 63); };
    for (unsigned p = 0; p < 1024; ++p) block(p);  // privileged: never a BitTorrent client's
    // Ports of other P2P networks and common services, announced by abusers to aim a swarm at them.
    for (unsigned p : {1214u, 1433u, 1434u, 3306u, 3389u, 4662u, 5432u, 5900u, 6346u, 6347u, 6379u, 6699u, 8080u,
                       11211u, 27017u}) {
        block(p);
    }
}

std::uint64_t RulesBoard::publish(const Rules& rules) noexcept {
    auto r = std::make_unique<Rules>(rules);
    r->banned_range_count = std::min<std::uint32_t>(r->banned_range_count, kMaxBannedRanges);
    r->client_prefix_count = std::min<std::uint32_t>(r->client_prefix_count, kMaxClientPrefixes);
    auto* first = r->banned.data();
    auto* last = first + r->banned_range_count;
    std::sort(first, last, [](const IpRange& a, const IpRange& b) { return less(a.first, b.first); });
    // Merge overlapping and adjacent ranges so that a binary search on `first` finds the only candidate.
    std::uint32_t n = 0;
    for (auto* it = first; it != last; ++it) {
        if (less(it->last, it->first)) continue;
        if (n > 0 && (!less(r->banned[n - 1].last, it->first) || adjacent(r->banned[n - 1].last, it->first))) {
            if (less(r->banned[n - 1].last, it->last)) r->banned[n - 1].last = it->last;
            continue;
        }
        r->banned[n++] = *it;
    }
    for (std::uint32_t i = n; i < r->banned_range_count; ++i) r->banned[i] = IpRange{};
    r->banned_range_count = n;

    const std::uint64_t v = s_->version.load(std::memory_order_relaxed);  // only control writes it
    s_->buffers[(v + 1) & 1].store(*r);  // the buffer readers are not directed to
    s_->version.store(v + 1, std::memory_order_release);  // pairs with readers' acquire in version()/read()
    return v + 1;
}

std::uint64_t RulesBoard::read(Rules& out) const noexcept {
    for (;;) {
        const std::uint64_t v = version();
        if (v == 0) {
            out = default_rules();
            return 0;
        }
        // A failed load means control died while writing this buffer, which it only does after
        // publishing the other one: reading again finds a newer version.
        if (s_->buffers[v & 1].load(out) && version() == v) return v;
    }
}

}  // namespace swarmline::shm
