// Shared memory -> PostgreSQL: drains the workers' event rings and accumulators into the statistics
// tables, exactly once.
//
// One flush is one transaction: the batch's rows, each ring's new watermark (sync_advance_watermark
// fails the transaction unless the ring's stored watermark is the one this flusher started from)
// and each drained accumulator slot's committed values. Only after COMMIT are the rings released
// and the accumulator slots acknowledged in the segment. Whatever fails, before or during COMMIT
// (connection lost, server gone, this process killed), the next attempt starts from what
// PostgreSQL says was committed: `resume()` reads it back and releases what a previous run
// committed but did not release. Nothing is applied twice, nothing is released uncommitted.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <unordered_map>
#include <vector>

#include "shm/segment.hpp"
#include "sync/event_batch.hpp"
#include "db/pg.hpp"
#include "sync/sync_metrics.hpp"

namespace swarmline::control::sync {

struct FlushOptions {
    std::uint32_t batch_events = 20000;  // records per transaction, at most
    bool record_announces = true;
};

// Points inside a flush, for tests that kill the process there (the crash windows that matter).
enum class FlushStage : std::uint8_t { staged, committed };

class Flusher {
public:
    Flusher(const shm::Segment& segment, FlushOptions options, SyncMetrics& metrics);

    // After every (re)connection: takes the segment's flush lock (a session advisory lock), creates
    // the session's staging tables, reads the committed watermarks and accumulator values of this
    // segment, releases what they cover. "" or the error.
    std::string resume(db::Connection& pg);
    // Commits what the rings and accumulators hold (at most one batch): the rows COPYed into the
    // staging tables, then the statements that apply them, the watermarks and the COMMIT in one
    // pipeline. Sets `flushed` to the records committed (0: nothing to do). "" or the error; after
    // an error call resume() again.
    std::string flush_once(db::Connection& pg, std::size_t& flushed);
    // Inserts a snapshot of every peer into peer_history. "" or the error.
    std::string snapshot_peers(db::Connection& pg);
    // Makes this month's and the next month's partitions of every time-partitioned table
    // (create_upcoming_partitions()), so the announces of a flush land in their month and not in the
    // DEFAULT partition; the service calls it at start and daily. "" or the error.
    std::string create_partitions(db::Connection& pg);

    // Called at each FlushStage; tests use it to crash the process there.
    std::function<void(FlushStage)> probe;

private:
    struct SlotKey {
        std::uint32_t shard, slot;
        bool operator==(const SlotKey&) const = default;
    };
    struct SlotKeyHash {
        std::size_t operator()(const SlotKey& k) const noexcept {
            return std::hash<std::uint64_t>{}(std::uint64_t{k.shard} << 32 | k.slot);
        }
    };
    struct Drained {  // an accumulator slot whose growth is in this batch
        SlotKey key;
        shm::AccumulatorEntry entry;  // the values committed with it
    };

    void collect_accumulators(std::uint32_t now);
    // COPYs the batch into the session's staging tables; `events` holds the announces rows.
    void stage(db::Connection& pg, std::string_view events);

    const shm::Segment& segment_;
    FlushOptions options_;
    SyncMetrics& metrics_;
    std::int64_t segment_id_;
    std::uint32_t shards_;
    std::vector<std::uint64_t> committed_;  // per ring: last seq in PostgreSQL
    std::vector<std::uint64_t> taking_;     // per ring: last seq of the batch being flushed
    std::unordered_map<SlotKey, shm::AccumulatorEntry, SlotKeyHash> marks_;  // committed per slot
    std::vector<shm::EventRecord> records_;
    std::vector<Drained> drained_;
    EventBatch batch_;
};

}  // namespace swarmline::control::sync
