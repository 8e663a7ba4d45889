#include "shm/event_ring.hpp"

#include <algorithm>

namespace swarmline::shm {

EventRing::EventRing(void* base, std::uint32_t capacity, bool init) noexcept
    : c_(static_cast<Control*>(base)),
      records_(reinterpret_cast<EventRecord*>(static_cast<char*>(base) + sizeof(Control))) {
    if (init) c_->capacity = capacity;
    mask_ = c_->capacity - 1;
}

bool EventRing::full() const noexcept {
    // acquire: pairs with release_through()'s release store, so control's reads of the slots it
    // released happened before the producer overwrites them.
    return c_->published.load(std::memory_order_relaxed) - c_->released.load(std::memory_order_acquire) > mask_;
}

bool EventRing::try_push(EventRecord& rec) noexcept {
    if (full()) return false;
    const std::uint64_t seq = c_->published.load(std::memory_order_relaxed) + 1;  // only the producer writes it
    rec.seq = seq;
    records_[seq & mask_] = rec;
    c_->published.store(seq, std::memory_order_release);  // pairs with peek()'s acquire: the record is complete
    return true;
}

std::size_t EventRing::peek(EventRecord* out, std::size_t max) const noexcept {
    const std::uint64_t from = c_->released.load(std::memory_order_relaxed) + 1;  // only control writes it
    const std::uint64_t to = c_->published.load(std::memory_order_acquire);      // pairs with try_push()'s release
    if (to < from) return 0;
    const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(to - from + 1, max));
    for (std::size_t i = 0; i < n; ++i) out[i] = records_[(from + i) & mask_];
    return n;
}

void EventRing::release_through(std::uint64_t seq) noexcept {
    const std::uint64_t published = c_->published.load(std::memory_order_acquire);
    seq = std::min(seq, published);
    if (seq <= c_->released.load(std::memory_order_relaxed)) return;
    c_->released.store(seq, std::memory_order_release);  // pairs with full()'s acquire in the producer
}

}  // namespace swarmline::shm
