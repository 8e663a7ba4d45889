#include "shm/accumulator.hpp"

namespace swarmline::shm {

Accumulator::Accumulator(void* base, std::uint32_t capacity) noexcept
    : entries_(static_cast<Cell*>(base)), acks_(static_cast<Cell*>(base) + capacity), capacity_(capacity) {}

bool Accumulator::read(std::uint32_t i, AccumulatorEntry& out) const noexcept {
    return entries_[i].load(out) && out.gen != 0;
}

bool Accumulator::read_ack(std::uint32_t i, AccumulatorEntry& out) const noexcept { return acks_[i].load(out); }

void Accumulator::ack(std::uint32_t i, const AccumulatorEntry& committed) noexcept { acks_[i].store(committed); }

bool Accumulator::reusable(std::uint32_t i) const noexcept {
    const AccumulatorEntry e = entries_[i].load_own();
    if (e.gen == 0) return true;
    AccumulatorEntry a;
    if (!acks_[i].load(a)) return false;
    return a.gen == e.gen && a.announces == e.announces;
}

void Accumulator::repair() noexcept {
    // A store cut short by a crash leaves torn counters that nothing can restore; keeping the
    // slot's words as they are loses at most that one fold.
    for (std::uint32_t i = 0; i < capacity_; ++i) entries_[i].repair();
}

}  // namespace swarmline::shm
