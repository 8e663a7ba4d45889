// What each worker counts for /metrics. Every worker owns one WorkerCounters and is its only
// writer; the admin thread sums all workers when it is scraped. A counter is bumped with a relaxed
// load and store instead of fetch_add: there is one writer, so no increment can be lost, and the
// reader only needs each value to be some recent value (no ordering with other memory), which
// relaxed gives without a locked instruction on the hot path.
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>

namespace swarmline::io {

enum class Counter : std::uint8_t {
    udp_connect,
    udp_announce,
    udp_scrape,
    udp_refused,            // answered with a BEP 15 error (a rule, a bad request that had a transaction id)
    udp_bad_connection_id,  // answered with an error: forged or expired connection id
    udp_dropped,            // not answerable (truncated, not BEP 15) or too large
    udp_no_buffer,          // -ENOBUFS: the provided buffer ring ran dry (back-pressure)
    udp_send_dropped,       // no free send slot: the reply was not sent
    http_announce,
    http_scrape,
    http_refused,           // a bencoded failure reason (rules, bad query)
    http_bad_request,       // 4xx/5xx from the request parser, or a path that is not served
    http_browser,           // a browser user agent refused
    http_accepted,
    http_over_capacity,     // 503: the connection cap was reached
    http_timed_out,         // idle or header timeout (slowloris)
    handoff_sent,           // requests given to the owning worker
    handoff_received,
    handoff_full,           // the ring to the owner was full: answered "try again" or dropped
    loop_iterations,        // event loop turns: with completions, a measure of load
    completions,            // io_uring completions handled
    count_
};

// Values that go up and down (connections open).
enum class Gauge : std::uint8_t { http_connections, count_ };

inline constexpr std::size_t kCounters = static_cast<std::size_t>(Counter::count_);
inline constexpr std::size_t kGauges = static_cast<std::size_t>(Gauge::count_);

// Aligned to a cache line so two workers' counters never share one (no false sharing).
struct alignas(64) WorkerCounters {
    std::array<std::atomic<std::uint64_t>, kCounters> counters{};
    std::array<std::atomic<std::int64_t>, kGauges> gauges{};

    void add(Counter c, std::uint64_t n = 1) noexcept {
        auto& v = counters[static_cast<std::size_t>(c)];
        v.store(v.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
    }
    void adjust(Gauge g, std::int64_t by) noexcept {
        auto& v = gauges[static_cast<std::size_t>(g)];
        v.store(v.load(std::memory_order_relaxed) + by, std::memory_order_relaxed);
    }
    [[nodiscard]] std::uint64_t get(Counter c) const noexcept {
        return counters[static_cast<std::size_t>(c)].load(std::memory_order_relaxed);
    }
    [[nodiscard]] std::int64_t get(Gauge g) const noexcept {
        return gauges[static_cast<std::size_t>(g)].load(std::memory_order_relaxed);
    }
};

}  // namespace swarmline::io
