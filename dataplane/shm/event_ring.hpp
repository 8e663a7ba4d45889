// One worker's ring of EventRecords in the segment: the worker produces, control consumes.
// Positions are sequence numbers: record `seq` lives in slot seq & (capacity - 1). `published` is
// the last seq the worker made visible, `released` the last seq control let go of; both live in
// the segment, so seq keeps growing from 1 across restarts of either process (a new segment starts
// at 1 again: control keys what it committed by the header's segment_id).
//
// Exactly-once: control peeks a batch without consuming it, commits it to PostgreSQL together with
// the batch's last seq, then calls release_through(seq). After a crash of control, it reads its last
// committed seq back, releases through it, and peeks again: nothing is lost or counted twice.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>

#include "shm/layout.hpp"

namespace swarmline::shm {

class EventRing {
public:
    struct alignas(64) Control {
        alignas(64) std::atomic<std::uint64_t> published;  // written by the worker
        alignas(64) std::atomic<std::uint64_t> released;   // written by control
        alignas(64) std::uint64_t capacity;                 // records, a power of two; set at creation
    };

    [[nodiscard]] static std::size_t bytes_for(std::uint32_t capacity) noexcept {
        return sizeof(Control) + std::size_t{capacity} * sizeof(EventRecord);
    }

    EventRing() = default;
    EventRing(void* base, std::uint32_t capacity, bool init) noexcept;

    // ---- producer: the shard's worker ----

    // Assigns rec.seq and publishes it. False, changing nothing, when the ring is full.
    bool try_push(EventRecord& rec) noexcept;
    [[nodiscard]] bool full() const noexcept;

    // ---- consumer: control ----

    // Copies up to `max` records after the released position into `out`, oldest first, without
    // consuming them. Returns how many.
    std::size_t peek(EventRecord* out, std::size_t max) const noexcept;
    // Lets the worker reuse every slot up to and including `seq` (no-op when seq <= released;
    // clamped to published).
    void release_through(std::uint64_t seq) noexcept;

    [[nodiscard]] std::uint64_t published() const noexcept { return c_->published.load(std::memory_order_acquire); }
    [[nodiscard]] std::uint64_t released() const noexcept { return c_->released.load(std::memory_order_acquire); }
    [[nodiscard]] std::uint64_t capacity() const noexcept { return mask_ + 1; }

private:
    Control* c_ = nullptr;
    EventRecord* records_ = nullptr;
    std::uint64_t mask_ = 0;
};

}  // namespace swarmline::shm
