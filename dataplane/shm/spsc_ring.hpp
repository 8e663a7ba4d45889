// A bounded single-producer/single-consumer ring between two threads of one process (the
// worker-to-worker hand-off of a request to the worker owning its torrent). Capacity is a power
// of two fixed at construction; the storage is allocated once, never per item.
//
// `tail_` is written only by the producer, `head_` only by the consumer, each on its own cache
// line; each side caches the other's position and re-reads it only when the cached value says
// full (producer) or empty (consumer), so the shared lines move only when needed.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <new>
#include <type_traits>

namespace swarmline::shm {

template <class T>
class SpscRing {
    static_assert(std::is_trivially_copyable_v<T>, "items are copied in and out");

public:
    explicit SpscRing(std::size_t capacity_pow2)
        : mask_(capacity_pow2 - 1), slots_(std::make_unique<T[]>(capacity_pow2)) {}
    SpscRing(const SpscRing&) = delete;
    SpscRing& operator=(const SpscRing&) = delete;

    [[nodiscard]] std::size_t capacity() const noexcept { return mask_ + 1; }

    // Producer. False when full.
    bool try_push(const T& item) noexcept {
        const std::uint64_t tail = tail_.load(std::memory_order_relaxed);  // only the producer writes it
        if (tail - head_cache_ > mask_) {
            // acquire: pairs with the consumer's release store of head_ in try_pop(), so its read
            // of the slot we are about to overwrite happened before our write.
            head_cache_ = head_.load(std::memory_order_acquire);
            if (tail - head_cache_ > mask_) return false;
        }
        slots_[tail & mask_] = item;
        tail_.store(tail + 1, std::memory_order_release);  // publishes the slot write to the consumer
        return true;
    }

    // Consumer. False when empty.
    bool try_pop(T& out) noexcept {
        const std::uint64_t head = head_.load(std::memory_order_relaxed);  // only the consumer writes it
        if (head == tail_cache_) {
            // acquire: pairs with the producer's release store of tail_ in try_push(), so the slot
            // write is visible before we read it.
            tail_cache_ = tail_.load(std::memory_order_acquire);
            if (head == tail_cache_) return false;
        }
        out = slots_[head & mask_];
        head_.store(head + 1, std::memory_order_release);  // hands the slot back to the producer
        return true;
    }

    // Either side: an estimate (exact when called by one side with the other idle).
    [[nodiscard]] std::size_t size() const noexcept {
        return static_cast<std::size_t>(tail_.load(std::memory_order_acquire) - head_.load(std::memory_order_acquire));
    }

private:
    static constexpr std::size_t kLine = 64;
    const std::uint64_t mask_;
    const std::unique_ptr<T[]> slots_;
    alignas(kLine) std::atomic<std::uint64_t> tail_{0};  // next slot the producer writes
    std::uint64_t head_cache_ = 0;                       // producer's view of head_
    alignas(kLine) std::atomic<std::uint64_t> head_{0};  // next slot the consumer reads
    std::uint64_t tail_cache_ = 0;                       // consumer's view of tail_
};

}  // namespace swarmline::shm
