// A shard's accumulator in the segment: where the worker folds an announce's deltas when its event
// ring is full, so that nothing is dropped while control (or PostgreSQL) is away.
//
// Two arrays of seqlocked 64-byte cells, one writer each: `entries` (the worker: cumulative counters
// per (user, torrent), see AccumulatorEntry) and `acks` (control: the values it has committed for
// the entry's gen). Control drains by reading an entry, committing `entry - ack` (ack counts as zero
// when its gen differs), then writing the entry as the new ack. To be exactly-once across its own
// crash, control also stores (segment_id, shard, slot, gen, announces) in the same transaction and
// prefers that over an older ack after a restart. The worker reuses a slot for another key only when
// ack.gen == entry.gen and ack.announces == entry.announces: everything in it was committed.
#pragma once

#include <cstddef>
#include <cstdint>

#include "shm/layout.hpp"
#include "shm/seqlock.hpp"

namespace swarmline::shm {

class Accumulator {
public:
    using Cell = SeqCell<AccumulatorEntry>;

    [[nodiscard]] static std::size_t bytes_for(std::uint32_t capacity) noexcept {
        return 2 * std::size_t{capacity} * sizeof(Cell);
    }

    Accumulator() = default;
    Accumulator(void* base, std::uint32_t capacity) noexcept;

    [[nodiscard]] std::uint32_t capacity() const noexcept { return capacity_; }

    // ---- control ----
    // A consistent copy of slot `i`; false when the slot was never used (gen 0) or is mid-write by
    // a worker that died (its successor repairs it on attach).
    bool read(std::uint32_t i, AccumulatorEntry& out) const noexcept;
    // What control last acknowledged for slot i (zeroes before the first ack).
    bool read_ack(std::uint32_t i, AccumulatorEntry& out) const noexcept;
    void ack(std::uint32_t i, const AccumulatorEntry& committed) noexcept;

    // ---- the worker (through swarm::Shard, which keeps a private key -> slot index) ----
    [[nodiscard]] AccumulatorEntry own(std::uint32_t i) const noexcept { return entries_[i].load_own(); }
    void write(std::uint32_t i, const AccumulatorEntry& e) noexcept { entries_[i].store(e); }
    // True when slot i holds nothing control has not committed.
    [[nodiscard]] bool reusable(std::uint32_t i) const noexcept;
    void repair() noexcept;

private:
    Cell* entries_ = nullptr;
    Cell* acks_ = nullptr;
    std::uint32_t capacity_ = 0;
};

}  // namespace swarmline::shm
