// The shared-memory <-> PostgreSQL sync of swarmline-control, as one service with its own threads:
//  - the loader keeps the segment's users, torrents, tokens and rules tables equal to PostgreSQL
//    (a full load at start, then every change announced by the triggers' NOTIFY, and a periodic
//    reconcile that catches what a lost notification missed);
//  - the flusher drains the workers' event rings and accumulators into PostgreSQL, exactly once: the
//    last committed seq of each ring is stored in the same transaction as the rows it produced, and
//    a ring is released only after COMMIT.
// Neither thread gives up while PostgreSQL or the segment is unavailable: each retries with
// back-off, and the rings keep what was not yet committed.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "sync/sync_metrics.hpp"

namespace swarmline::options {
class Registry;
}
namespace swarmline::shm {
class Segment;
}

namespace swarmline::control::sync {

struct SyncConfig {
    std::string database_url;                 // libpq URL; `serve` fills it from its own database option
    std::string shm_path = "/dev/shm/swarmline";  // the dataplane's segment (its `shm` option)
    std::uint32_t flush_interval_ms = 100;    // the longest a record waits in a ring before its flush
    std::uint32_t flush_batch_events = 20000; // records per flush transaction, at most
    std::uint32_t reconcile_interval_s = 300; // full reload of the shm tables from PostgreSQL
    std::uint32_t peer_history_interval_s = 900;  // peer_history snapshot period (0: none)
    std::uint32_t partitions_interval_s = 86400;  // create_upcoming_partitions() period; also at start
    std::uint32_t retry_max_ms = 10000;       // back-off ceiling while PostgreSQL is unreachable
    bool record_announces = true;             // write every event to the partitioned `announces`
};

// Registers the sync's keys (shm, sync-flush-interval-ms, sync-flush-batch-events,
// sync-reconcile-interval-s, sync-peer-history-interval-s, sync-partitions-interval-s, sync-retry-max-ms,
// sync-record-announces) into the control's registry, targeting `config`. database_url is not
// registered here: it is the control's own option.
void register_options(options::Registry& registry, SyncConfig& config);

class SyncService {
public:
    SyncService();
    ~SyncService();  // stops
    SyncService(const SyncService&) = delete;
    SyncService& operator=(const SyncService&) = delete;

    // Starts the loader and flusher threads. Returns "" on success, else why the configuration is
    // unusable. PostgreSQL or the segment being unavailable is not an error: the threads retry.
    // `segment`: a segment this process already has open (it must outlive stop()); when null, the
    // threads attach to config.shm_path themselves, and again whenever the dataplane replaces it.
    std::string start(const SyncConfig& config, shm::Segment* segment = nullptr);
    // Asks both threads to finish their current transaction and joins them. Idempotent.
    void stop();

    const SyncMetrics& metrics() const noexcept { return metrics_; }

private:
    struct Threads;
    SyncMetrics metrics_;
    std::unique_ptr<Threads> threads_;
};

}  // namespace swarmline::control::sync
