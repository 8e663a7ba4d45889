#include "sync/sync_service.hpp"

#include <poll.h>
#include <sys/stat.h>

#include <chrono>
#include <thread>

#include "base/log.hpp"
#include "base/options.hpp"
#include "sync/flusher.hpp"
#include "sync/stop_signal.hpp"
#include "sync/table_loader.hpp"

namespace swarmline::control::sync {
namespace {

using Clock = std::chrono::steady_clock;

// The dataplane's segment, attached with whatever sizes it was created with. `inode` tells when
// the dataplane replaced it (recreated with other sizes): the thread then attaches again.
struct Attached {
    std::unique_ptr<shm::Segment> owned;
    shm::Segment* segment = nullptr;
    ino_t inode = 0;  // 0: given by the caller, never replaced under us
};

std::string attach(const std::string& path, shm::Segment* given, Attached& out) {
    if (given) {
        out.segment = given;
        return {};
    }
    shm::SegmentLocation where;
    auto slash = path.rfind('/');
    where.name = slash == std::string::npos ? path : path.substr(slash + 1);
    where.shm_dir = slash == std::string::npos ? "." : path.substr(0, slash);
    where.hugetlbfs_dir = where.shm_dir;  // used only when it is a hugetlbfs mount
    auto opened = shm::Segment::open(where, shm::SegmentSizes{}, shm::OpenMode::attach_only);
    if (!opened.segment) return opened.error;
    struct stat st{};
    if (stat(opened.segment->path().c_str(), &st) != 0) return "segment vanished: " + opened.segment->path();
    out.owned = std::move(opened.segment);
    out.segment = out.owned.get();
    out.inode = st.st_ino;
    return {};
}

bool replaced(const Attached& a) {
    if (a.inode == 0) return false;
    struct stat st{};
    return stat(a.segment->path().c_str(), &st) != 0 || st.st_ino != a.inode;
}

}  // namespace

void register_options(options::Registry& r, SyncConfig& c) {
    r.add("shm", "the dataplane's shared-memory segment (the same path as its [dataplane] shm)", &c.shm_path);
    r.add("sync-flush-interval-ms", "longest a record waits in a ring before it is flushed to PostgreSQL",
          &c.flush_interval_ms);
    r.add("sync-flush-batch-events", "event records per flush transaction, at most", &c.flush_batch_events);
    r.add("sync-reconcile-interval-s", "seconds between full reloads of the shm tables from PostgreSQL",
          &c.reconcile_interval_s);
    r.add("sync-peer-history-interval-s", "seconds between peer_history snapshots (0: none)",
          &c.peer_history_interval_s);
    r.add("sync-partitions-interval-s",
          "seconds between checks that this and next month's partitions exist (create_upcoming_partitions())",
          &c.partitions_interval_s);
    r.add("sync-retry-max-ms", "back-off ceiling while PostgreSQL or the segment is unavailable", &c.retry_max_ms);
    r.add("sync-record-announces", "write every announce to the partitioned announces table", &c.record_announces);
}

struct SyncService::Threads {
    SyncConfig config;
    shm::Segment* given;
    SyncMetrics& metrics;
    StopSignal stop;
    std::thread loader_thread;
    std::thread flusher_thread;

    Threads(const SyncConfig& c, shm::Segment* g, SyncMetrics& m) : config(c), given(g), metrics(m) {}

    void run_loader() {
        Backoff backoff(100, config.retry_max_ms);
        while (!stop.requested()) {
            if (auto err = loader_session(); !err.empty()) {
                metrics.load_failures.fetch_add(1, std::memory_order_relaxed);
                metrics.postgres_up.store(0, std::memory_order_relaxed);
                log::warn("sync: loader retrying", {{"reason", err}});
                stop.wait_for(backoff.failed());
            } else {
                backoff.succeeded();
            }
        }
    }

    // One connection's life: full load, then notifications until something fails or stop.
    std::string loader_session() try {
        Attached seg;
        if (auto err = attach(config.shm_path, given, seg); !err.empty()) return err;
        db::Connection pg(config.database_url);
        pg.exec("LISTEN swarmline_sync");
        TableLoader loader(*seg.segment, metrics);
        // LISTEN comes first: a change committed during the full load is announced after it.
        if (auto err = loader.load_all(pg); !err.empty()) return err;
        metrics.postgres_up.store(1, std::memory_order_relaxed);
        log::info("sync: shm tables loaded", {{"segment", seg.segment->path()}});
        auto next_reconcile = Clock::now() + std::chrono::seconds(config.reconcile_interval_s);
        std::vector<std::string> payloads;
        while (!stop.requested()) {
            pollfd fd{pg.socket(), POLLIN, 0};
            ::poll(&fd, 1, 100);  // 100 ms: how long a stop request may wait
            payloads.clear();
            pg.take_notifications(payloads);
            if (!payloads.empty()) {
                metrics.notifications.fetch_add(payloads.size(), std::memory_order_relaxed);
                ChangeSet changes;
                for (const auto& p : payloads) changes.add(p);
                if (auto err = loader.apply(pg, std::move(changes)); !err.empty()) return err;
            }
            if (Clock::now() >= next_reconcile) {
                if (replaced(seg)) return "the segment was replaced; attaching again";
                if (auto err = loader.load_all(pg); !err.empty()) return err;
                next_reconcile = Clock::now() + std::chrono::seconds(config.reconcile_interval_s);
            }
        }
        return {};
    } catch (const db::Error& e) {
        return e.what();
    }

    void run_flusher() {
        Backoff backoff(100, config.retry_max_ms);
        while (!stop.requested()) {
            if (auto err = flusher_session(); !err.empty()) {
                metrics.flush_failures.fetch_add(1, std::memory_order_relaxed);
                metrics.postgres_up.store(0, std::memory_order_relaxed);
                log::warn("sync: flusher retrying", {{"reason", err}});
                stop.wait_for(backoff.failed());
            } else {
                backoff.succeeded();
            }
        }
    }

    std::string flusher_session() try {
        Attached seg;
        if (auto err = attach(config.shm_path, given, seg); !err.empty()) return err;
        db::Connection pg(config.database_url);
        Flusher flusher(*seg.segment, FlushOptions{config.flush_batch_events, config.record_announces}, metrics);
        if (auto err = flusher.resume(pg); !err.empty()) return err;
        // The flusher writes the announces: it makes sure their month's partition exists, at start
        // and then daily, so that the DEFAULT partition stays empty (a partition made later has to
        // move its rows out of DEFAULT, under a lock).
        if (auto err = flusher.create_partitions(pg); !err.empty()) return err;
        metrics.postgres_up.store(1, std::memory_order_relaxed);
        log::info("sync: flusher resumed from the committed watermarks", {{"segment", seg.segment->path()}});
        auto next_check = Clock::now() + std::chrono::seconds(5);
        auto next_snapshot = Clock::now() + std::chrono::seconds(config.peer_history_interval_s);
        auto next_partitions = Clock::now() + std::chrono::seconds(config.partitions_interval_s);
        for (;;) {
            const bool stopping = stop.requested();
            std::size_t flushed = 0;
            if (auto err = flusher.flush_once(pg, flushed); !err.empty()) return err;
            if (stopping && flushed == 0) return {};  // drained what was there when asked to stop
            if (config.peer_history_interval_s && Clock::now() >= next_snapshot) {
                if (auto err = flusher.snapshot_peers(pg); !err.empty()) return err;
                next_snapshot = Clock::now() + std::chrono::seconds(config.peer_history_interval_s);
            }
            if (Clock::now() >= next_partitions) {
                if (auto err = flusher.create_partitions(pg); !err.empty()) return err;
                metrics.partition_checks.fetch_add(1, std::memory_order_relaxed);
                next_partitions = Clock::now() + std::chrono::seconds(config.partitions_interval_s);
            }
            if (Clock::now() >= next_check) {
                if (replaced(seg)) return "the segment was replaced; attaching again";
                next_check = Clock::now() + std::chrono::seconds(5);
            }
            // A full batch means a backlog: flush again at once.
            if (flushed < config.flush_batch_events && !stopping) stop.wait_for(config.flush_interval_ms);
        }
    } catch (const db::Error& e) {
        return e.what();
    }
};

SyncService::SyncService() = default;
SyncService::~SyncService() { stop(); }

std::string SyncService::start(const SyncConfig& config, shm::Segment* segment) {
    if (threads_) return "the sync is already running";
    if (config.database_url.empty()) return "no database URL for the sync";
    if (!segment && config.shm_path.empty()) return "no shared-memory segment path (shm)";
    if (config.flush_batch_events == 0) return "sync-flush-batch-events must be at least 1";
    if (config.partitions_interval_s == 0) return "sync-partitions-interval-s must be at least 1";
    threads_ = std::make_unique<Threads>(config, segment, metrics_);
    threads_->loader_thread = std::thread([t = threads_.get()] { t->run_loader(); });
    threads_->flusher_thread = std::thread([t = threads_.get()] { t->run_flusher(); });
    return {};
}

void SyncService::stop() {
    if (!threads_) return;
    threads_->stop.request();
    threads_->loader_thread.join();
    threads_->flusher_thread.join();
    threads_.reset();
}

}  // namespace swarmline::control::sync
