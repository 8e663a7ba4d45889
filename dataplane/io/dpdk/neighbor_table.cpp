#include "io/dpdk/neighbor_table.hpp"

#include <cstring>

namespace swarmline::io::dpdk {
namespace {

constexpr std::uint64_t kInUse = std::uint64_t{1} << 48;

void split(const std::array<std::uint8_t, 16>& ip, std::uint64_t& hi, std::uint64_t& lo) noexcept {
    std::memcpy(&hi, ip.data(), 8);
    std::memcpy(&lo, ip.data() + 8, 8);
}

std::uint64_t pack(const wire::Mac& mac) noexcept {
    std::uint64_t v = 0;
    std::memcpy(&v, mac.data(), 6);
    return v | kInUse;
}

}  // namespace

std::size_t NeighborTable::index(std::uint64_t hi, std::uint64_t lo) noexcept {
    // The splitmix64 finaliser over both halves: addresses of one subnet differ only in a few
    // bytes, which must still spread over every slot.
    std::uint64_t x = lo ^ (hi * 0x9e3779b97f4a7c15ULL);
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    x ^= x >> 31;
    return static_cast<std::size_t>(x & (kSlots - 1));
}

bool NeighborTable::read(const Slot& s, Entry& e) const noexcept {
    for (;;) {
        // Acquire pairs with the writer's closing release store: a reader that sees that even value
        // sees the fields it covered.
        const std::uint32_t before = s.seq.load(std::memory_order_acquire);
        if (before & 1) return false;  // a writer is inside: treat as a miss rather than wait
        e.hi = s.ip_hi.load(std::memory_order_relaxed);
        e.lo = s.ip_lo.load(std::memory_order_relaxed);
        e.mac = s.mac.load(std::memory_order_relaxed);
        // Pairs with the writer's release fence before its field stores: if a field load above saw
        // a newer write, this fence makes the writer's odd sequence number visible below.
        std::atomic_thread_fence(std::memory_order_acquire);
        if (s.seq.load(std::memory_order_relaxed) == before) return true;
    }
}

void NeighborTable::learn(const std::array<std::uint8_t, 16>& ip, const wire::Mac& mac) noexcept {
    std::uint64_t hi, lo;
    split(ip, hi, lo);
    Slot& s = slots_[index(hi, lo)];
    const std::uint64_t packed = pack(mac);
    Entry e;
    if (read(s, e) && e.hi == hi && e.lo == lo && e.mac == packed) return;  // the usual case: known
    std::uint32_t seq = s.seq.load(std::memory_order_relaxed);
    // Relaxed is enough for the claim itself: the release fence below orders it before the field
    // stores, which is what readers depend on. A busy or lost race skips the update.
    if ((seq & 1) || !s.seq.compare_exchange_strong(seq, seq + 1, std::memory_order_relaxed)) return;
    std::atomic_thread_fence(std::memory_order_release);
    s.ip_hi.store(hi, std::memory_order_relaxed);
    s.ip_lo.store(lo, std::memory_order_relaxed);
    s.mac.store(packed, std::memory_order_relaxed);
    // Release: a reader that loads this even value (acquire) sees the three fields above.
    s.seq.store(seq + 2, std::memory_order_release);
}

bool NeighborTable::find(const std::array<std::uint8_t, 16>& ip, wire::Mac& mac) const noexcept {
    std::uint64_t hi, lo;
    split(ip, hi, lo);
    Entry e;
    if (!read(slots_[index(hi, lo)], e) || !(e.mac & kInUse) || e.hi != hi || e.lo != lo) return false;
    std::memcpy(mac.data(), &e.mac, 6);
    return true;
}

void NeighborTable::learn_gateway(const wire::Mac& mac) noexcept {
    const std::uint64_t packed = pack(mac);
    if (gateway_.load(std::memory_order_relaxed) != packed) gateway_.store(packed, std::memory_order_relaxed);
}

bool NeighborTable::gateway(wire::Mac& mac) const noexcept {
    const std::uint64_t packed = gateway_.load(std::memory_order_relaxed);
    if (!(packed & kInUse)) return false;
    std::memcpy(mac.data(), &packed, 6);
    return true;
}

}  // namespace swarmline::io::dpdk
