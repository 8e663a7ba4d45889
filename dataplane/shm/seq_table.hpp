// An open-addressing hash table in shared memory with one writer and lock-free readers (the
// control-written users, torrents and tokens tables). Each slot is a SeqCell (see seqlock.hpp)
// holding {key, value, state}; a reader copies a slot, checks its key, and moves on.
//
// Reuse of freed slots while readers run (the question rte_hash.h answers for itself): erasing
// leaves a tombstone, never moves another key, so a key's slot stays put for as long as the key
// lives and a concurrent reader can never miss a key that was present during its whole lookup.
// A tombstone may be reused by a later insert; a reader then reads either the old state (and
// skips it) or the new key, each consistent thanks to the slot's seqlock. A tombstone becomes empty
// again only when the slot after it is empty (no probe chain can pass through it then).
#pragma once

#include <atomic>
#include <cstdint>
#include <cstring>
#include <optional>

#include "shm/keyed_hash.hpp"
#include "shm/seqlock.hpp"

namespace swarmline::shm {

struct alignas(64) SeqTableHeader {
    std::uint32_t capacity;    // keys the table accepts
    std::uint32_t slot_count;  // a power of two
    std::atomic<std::uint32_t> live;        // written by the writer only; relaxed: a statistic
    std::atomic<std::uint32_t> tombstones;  // likewise
};

template <class K, class V>
class SeqTable {
public:
    struct Entry {
        K key;
        V value;
        std::uint32_t state;  // kEmpty (zero, as a fresh segment is), kLive, kTombstone
    };
    using Slot = SeqCell<Entry>;
    static constexpr std::uint32_t kEmpty = 0, kLive = 1, kTombstone = 2;

    [[nodiscard]] static std::size_t bytes_for(std::uint32_t capacity) noexcept {
        return sizeof(SeqTableHeader) + std::size_t{slots_for(capacity)} * sizeof(Slot);
    }

    SeqTable() = default;
    // `base` points at bytes_for(capacity) bytes of the segment; `init` is true when the segment is new.
    SeqTable(void* base, std::uint32_t capacity, const HashKey* key, bool init) noexcept
        : header_(static_cast<SeqTableHeader*>(base)),
          slots_(reinterpret_cast<Slot*>(static_cast<char*>(base) + sizeof(SeqTableHeader))),
          key_(key) {
        if (init) {
            header_->capacity = capacity;
            header_->slot_count = slots_for(capacity);
        }
        mask_ = header_->slot_count - 1;
    }

    // ---- reader (any thread or process) ----

    // Starts loading the cache line where a lookup of `key` begins (batches overlap their misses).
    void prefetch(const K& key) const noexcept { __builtin_prefetch(&slots_[home(key)]); }

    [[nodiscard]] std::optional<V> find(const K& key) const noexcept {
        std::uint32_t i = home(key);
        for (std::uint32_t probes = 0; probes <= mask_; ++probes, i = (i + 1) & mask_) {
            Entry e;
            if (!slots_[i].load(e) || e.state == kEmpty) return std::nullopt;
            if (e.state == kLive && std::memcmp(&e.key, &key, sizeof(K)) == 0) return e.value;
        }
        return std::nullopt;
    }

    [[nodiscard]] std::uint32_t size() const noexcept { return header_->live.load(std::memory_order_relaxed); }
    [[nodiscard]] std::uint32_t capacity() const noexcept { return header_->capacity; }

    // ---- writer (the one process that owns the table) ----

    // Inserts or replaces. False when the table is full.
    bool upsert(const K& key, const V& value) noexcept {
        std::uint32_t i = home(key), reuse = kNone;
        for (std::uint32_t probes = 0; probes <= mask_; ++probes, i = (i + 1) & mask_) {
            const Entry e = slots_[i].load_own();
            if (e.state == kLive && std::memcmp(&e.key, &key, sizeof(K)) == 0) {
                slots_[i].store(make(key, value, kLive));
                return true;
            }
            if (e.state == kTombstone && reuse == kNone) reuse = i;
            if (e.state == kEmpty) break;
        }
        const std::uint32_t live = header_->live.load(std::memory_order_relaxed);
        const std::uint32_t tomb = header_->tombstones.load(std::memory_order_relaxed);
        if (live >= header_->capacity) return false;
        if (reuse != kNone) {
            header_->tombstones.store(tomb - 1, std::memory_order_relaxed);
            i = reuse;
        } else if (live + tomb + 1 > header_->slot_count - header_->slot_count / 4) {
            return false;  // too many tombstones for a short probe: refuse rather than degrade
        }
        slots_[i].store(make(key, value, kLive));
        header_->live.store(live + 1, std::memory_order_relaxed);
        return true;
    }

    bool erase(const K& key) noexcept {
        std::uint32_t i = home(key);
        for (std::uint32_t probes = 0; probes <= mask_; ++probes, i = (i + 1) & mask_) {
            const Entry e = slots_[i].load_own();
            if (e.state == kEmpty) return false;
            if (e.state == kLive && std::memcmp(&e.key, &key, sizeof(K)) == 0) {
                header_->live.store(header_->live.load(std::memory_order_relaxed) - 1, std::memory_order_relaxed);
                bury(i);
                return true;
            }
        }
        return false;
    }

    // Writer only, on attach: finishes stores a crashed predecessor left half-done; their slots
    // become tombstones (the writer re-sends its state after a restart anyway).
    void repair() noexcept {
        for (std::uint32_t i = 0; i <= mask_; ++i) {
            if (!slots_[i].repair()) continue;
            const Entry e = slots_[i].load_own();
            if (e.state == kLive) header_->live.store(header_->live.load(std::memory_order_relaxed) - 1, std::memory_order_relaxed);
            bury(i);
        }
    }

    // Writer only: calls f(key, value) for every live key.
    template <class F>
    void for_each(F&& f) const {
        for (std::uint32_t i = 0; i <= mask_; ++i) {
            const Entry e = slots_[i].load_own();
            if (e.state == kLive) f(e.key, e.value);
        }
    }

private:
    static constexpr std::uint32_t kNone = ~0u;

    static Entry make(const K& key, const V& value, std::uint32_t state) noexcept {
        Entry e;
        std::memset(&e, 0, sizeof e);  // no stale padding bytes in shared memory
        e.key = key;
        e.value = value;
        e.state = state;
        return e;
    }
    std::uint32_t home(const K& key) const noexcept {
        return static_cast<std::uint32_t>(keyed_hash(&key, sizeof(K), *key_)) & mask_;
    }
    // Marks slot i a tombstone, then turns trailing tombstones back into empty slots.
    void bury(std::uint32_t i) noexcept {
        Entry dead;
        std::memset(&dead, 0, sizeof dead);
        dead.state = kTombstone;
        slots_[i].store(dead);
        std::uint32_t tomb = header_->tombstones.load(std::memory_order_relaxed) + 1;
        Entry empty;
        std::memset(&empty, 0, sizeof empty);
        while (slots_[(i + 1) & mask_].load_own().state == kEmpty && slots_[i].load_own().state == kTombstone) {
            slots_[i].store(empty);
            --tomb;
            i = (i - 1) & mask_;
        }
        header_->tombstones.store(tomb, std::memory_order_relaxed);
    }

    SeqTableHeader* header_ = nullptr;
    Slot* slots_ = nullptr;
    const HashKey* key_ = nullptr;
    std::uint32_t mask_ = 0;
};

}  // namespace swarmline::shm
