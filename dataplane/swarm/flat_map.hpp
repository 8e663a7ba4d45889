// A fixed-capacity open-addressing map private to one worker (the Shard's derived indexes: peers,
// locations, accumulator slots). Allocated once; insert refuses rather than grows. Erase shifts
// later entries back (no tombstones), which is safe only because no other thread reads it.
#pragma once

#include <bit>
#include <cstdint>
#include <vector>

namespace swarmline::swarm {

// MurmurHash3's finalizer: spreads ids that are dense small integers over the whole word.
[[nodiscard]] constexpr std::uint64_t mix64(std::uint64_t x) noexcept {
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ULL;
    x ^= x >> 33;
    return x;
}

// Keys are 64-bit (callers pack or hash theirs); `kEmpty` can never be a key.
template <class V>
class FlatMap {
public:
    static constexpr std::uint64_t kEmpty = ~std::uint64_t{0};

    // Load at most two thirds when full: linear probes stay short, and the memory per item small.
    explicit FlatMap(std::size_t max_items)
        : slots_(std::bit_ceil(max_items + max_items / 2 < 16 ? std::size_t{16} : max_items + max_items / 2)),
          mask_(slots_.size() - 1),
          max_items_(max_items) {}

    void prefetch(std::uint64_t key) const noexcept { __builtin_prefetch(&slots_[mix64(key) & mask_]); }

    [[nodiscard]] V* find(std::uint64_t key) noexcept {
        for (std::size_t i = mix64(key) & mask_;; i = (i + 1) & mask_) {
            if (slots_[i].key == key) return &slots_[i].value;
            if (slots_[i].key == kEmpty) return nullptr;
        }
    }

    // Inserts (or finds) `key`; null when full.
    V* insert(std::uint64_t key, const V& value) noexcept {
        std::size_t i = mix64(key) & mask_;
        for (;; i = (i + 1) & mask_) {
            if (slots_[i].key == key) return &slots_[i].value;
            if (slots_[i].key == kEmpty) break;
        }
        if (size_ >= max_items_) return nullptr;
        slots_[i].key = key;
        slots_[i].value = value;
        ++size_;
        return &slots_[i].value;
    }

    bool erase(std::uint64_t key) noexcept {
        std::size_t i = mix64(key) & mask_;
        for (;; i = (i + 1) & mask_) {
            if (slots_[i].key == kEmpty) return false;
            if (slots_[i].key == key) break;
        }
        // Backward shift: move each later entry of the run into the hole when its home allows.
        for (std::size_t j = (i + 1) & mask_;; j = (j + 1) & mask_) {
            if (slots_[j].key == kEmpty) break;
            const std::size_t home = mix64(slots_[j].key) & mask_;
            if (((j - home) & mask_) >= ((j - i) & mask_)) {
                slots_[i] = slots_[j];
                i = j;
            }
        }
        slots_[i].key = kEmpty;
        --size_;
        return true;
    }

    void clear() noexcept {
        for (auto& s : slots_) s.key = kEmpty;
        size_ = 0;
    }

    [[nodiscard]] std::size_t size() const noexcept { return size_; }

private:
    struct Slot {
        std::uint64_t key = kEmpty;
        V value{};
    };
    std::vector<Slot> slots_;
    std::size_t mask_;
    std::size_t size_ = 0;
    std::size_t max_items_;
};

}  // namespace swarmline::swarm
