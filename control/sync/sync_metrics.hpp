// Counters of the shm <-> PostgreSQL sync, read by /metrics while the sync's threads write them.
// Every counter is a relaxed atomic: each is an independent tally, no reader infers anything about
// another counter or about memory from its value.
#pragma once

#include <atomic>
#include <cstdint>
#include <string_view>

namespace swarmline::control::sync {

struct SyncMetrics {
    // shared memory -> PostgreSQL
    std::atomic<std::uint64_t> events_flushed{0};      // event records committed to PostgreSQL
    std::atomic<std::uint64_t> batches_committed{0};   // flush transactions committed
    std::atomic<std::uint64_t> flush_failures{0};      // flush transactions that failed and will be retried
    std::atomic<std::uint64_t> events_skipped{0};      // records at or below the committed watermark (replays)
    std::atomic<std::uint64_t> accumulator_bytes{0};   // credited bytes taken from accumulators (ring overflow)
    std::atomic<std::uint64_t> backlog_events{0};      // records waiting in the rings at the last drain
    std::atomic<std::uint64_t> lag_ms{0};              // age of the oldest record in the last committed batch
    std::atomic<std::uint64_t> peer_history_snapshots{0};
    std::atomic<std::uint64_t> partition_checks{0};    // periodic create_upcoming_partitions() calls
    // PostgreSQL -> shared memory
    std::atomic<std::uint64_t> full_loads{0};          // full loads and periodic reconciles completed
    std::atomic<std::uint64_t> notifications{0};       // change notifications received
    std::atomic<std::uint64_t> rows_published{0};      // user / torrent / token rows written to the tables
    std::atomic<std::uint64_t> load_failures{0};       // loads that failed and will be retried
    std::atomic<std::uint64_t> postgres_up{0};         // 1 while both connections are healthy

    // Calls fn(name, help, value, is_counter) for each metric, so /metrics prints them without
    // knowing the fields (is_counter false: a gauge).
    template <typename Fn>
    void for_each(Fn&& fn) const {
        auto v = [](const std::atomic<std::uint64_t>& a) { return a.load(std::memory_order_relaxed); };
        fn("swarmline_sync_events_flushed_total", "event records committed to PostgreSQL", v(events_flushed), true);
        fn("swarmline_sync_batches_committed_total", "flush transactions committed", v(batches_committed), true);
        fn("swarmline_sync_flush_failures_total", "flush transactions that failed (retried)", v(flush_failures), true);
        fn("swarmline_sync_events_skipped_total", "records at or below the committed watermark", v(events_skipped), true);
        fn("swarmline_sync_accumulator_bytes_total", "credited bytes taken from ring-overflow accumulators", v(accumulator_bytes), true);
        fn("swarmline_sync_backlog_events", "records waiting in the rings at the last drain", v(backlog_events), false);
        fn("swarmline_sync_lag_milliseconds", "age of the oldest record of the last committed batch", v(lag_ms), false);
        fn("swarmline_sync_peer_history_snapshots_total", "peer_history snapshots written", v(peer_history_snapshots), true);
        fn("swarmline_sync_partition_checks_total", "periodic checks that the coming months' partitions exist", v(partition_checks), true);
        fn("swarmline_sync_full_loads_total", "full loads and reconciles of the shm tables", v(full_loads), true);
        fn("swarmline_sync_notifications_total", "change notifications received", v(notifications), true);
        fn("swarmline_sync_rows_published_total", "rows written to the shm tables", v(rows_published), true);
        fn("swarmline_sync_load_failures_total", "loads that failed (retried)", v(load_failures), true);
        fn("swarmline_sync_postgres_up", "1 while the sync's PostgreSQL connections are healthy", v(postgres_up), false);
    }
};

}  // namespace swarmline::control::sync
