// Which MAC a reply to an IP address goes to, shared by every worker. A request handed to the
// worker that owns its swarm is answered by that worker on its own queue (worker.hpp), but only the
// worker that received the frame saw the sender's MAC: it records it here, and the owner reads it.
//
// Clients off our link all come through a router: one MAC (`gateway`), written only when it
// changes, so the hot path of a routed deployment reads one cache line every worker keeps. Clients
// on our link (a flat segment, the tests) each have their own MAC, kept in the table below.
//
// The table is a direct-mapped cache: a colliding address replaces the older one, and a miss means the reply
// cannot be addressed (the caller counts and drops it; the client retries, and its retry teaches the
// table again). Each slot is a seqlock any thread may write: a writer that finds the slot busy
// skips the update instead of waiting (it is a cache, the next frame will teach it), so no worker
// ever waits for another. Lookups are lock-free and retry only while a write is in progress.
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>

#include "io/dpdk/wire.hpp"

namespace swarmline::io::dpdk {

class NeighborTable {
public:
    // 64-byte slots: 4096 of them are 256 KiB and hold the clients of a busy segment; routed
    // deployments need one.
    static constexpr std::size_t kSlots = 4096;

    NeighborTable() : slots_(std::make_unique<Slot[]>(kSlots)) {}

    // `ip` is the 16-byte form (IPv4 mapped). Writes only when the slot holds something else.
    void learn(const std::array<std::uint8_t, 16>& ip, const wire::Mac& mac) noexcept;
    [[nodiscard]] bool find(const std::array<std::uint8_t, 16>& ip, wire::Mac& mac) const noexcept;
    // The MAC frames from off-link clients came from (the router's).
    void learn_gateway(const wire::Mac& mac) noexcept;
    [[nodiscard]] bool gateway(wire::Mac& mac) const noexcept;

private:
    // The address and MAC are atomics (read relaxed) so that a read racing a write is defined
    // behaviour; the sequence number says whether what was read is one consistent entry.
    struct alignas(64) Slot {
        std::atomic<std::uint32_t> seq{0};  // odd while a writer is inside
        std::atomic<std::uint64_t> ip_hi{0};
        std::atomic<std::uint64_t> ip_lo{0};
        std::atomic<std::uint64_t> mac{0};  // 6 bytes, and bit 48 set when the slot is in use
    };
    struct Entry {
        std::uint64_t hi, lo, mac;
    };
    static std::size_t index(std::uint64_t hi, std::uint64_t lo) noexcept;
    bool read(const Slot& s, Entry& e) const noexcept;

    std::unique_ptr<Slot[]> slots_;
    // The packed MAC (bit 48: known). Relaxed: the value is all there is, nothing else is published
    // with it, and a 64-bit atomic is never torn.
    alignas(64) std::atomic<std::uint64_t> gateway_{0};
};

}  // namespace swarmline::io::dpdk
