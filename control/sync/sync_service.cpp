#include "sync/sync_service.hpp"

#include "base/options.hpp"

namespace swarmline::control::sync {

void register_options(options::Registry& r, SyncConfig& c) {
    r.add("shm-path", "the dataplane's shared-memory segment (its [dataplane] shm-path)", &c.shm_path);
    r.add("sync-flush-interval-ms", "longest a record waits in a ring before it is flushed to PostgreSQL",
          &c.flush_interval_ms);
    r.add("sync-flush-batch-events", "event records per flush transaction, at most", &c.flush_batch_events);
    r.add("sync-reconcile-interval-s", "seconds between full reloads of the shm tables from PostgreSQL",
          &c.reconcile_interval_s);
    r.add("sync-peer-history-interval-s", "seconds between peer_history snapshots (0: none)",
          &c.peer_history_interval_s);
    r.add("sync-retry-max-ms", "back-off ceiling while PostgreSQL or the segment is unavailable", &c.retry_max_ms);
    r.add("sync-record-announces", "write every announce to the partitioned announces table", &c.record_announces);
}

struct SyncService::Threads {};

SyncService::SyncService() = default;
SyncService::~SyncService() { stop(); }

std::string SyncService::start(const SyncConfig&) { return "the shm <-> PostgreSQL sync is not built yet"; }

void SyncService::stop() { threads_.reset(); }

}  // namespace swarmline::control::sync
