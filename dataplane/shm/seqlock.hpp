// A value guarded by a per-slot seqlock, for tables with exactly one writer and lock-free readers in
// another thread or process. The value is stored as 64-bit words accessed with relaxed atomics, so a
// reader racing the writer reads torn words but never performs a data race (ThreadSanitizer-clean);
// the sequence number tells it to retry. The writer never waits for a reader.
//
// Ordering (the classic seqlock of Boehm, "Can seqlocks get along with programming language memory
// models?", 2012):
//   writer: seq := odd (relaxed); fence(release); words (relaxed); seq := even (release)
//   reader: s1 := seq (acquire); words (relaxed); fence(acquire); s2 := seq (relaxed); ok iff s1 == s2, even
// The writer's release fence orders the odd seq before its word stores, so a reader that saw any new
// word sees, after its acquire fence, the odd (or a later) seq: s2 != s1. The final release store pairs
// with the reader's acquire load of s1: a reader that saw the even seq sees every word before it.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <type_traits>

namespace swarmline::shm {

static_assert(std::atomic<std::uint64_t>::is_always_lock_free, "shared-memory words must be lock-free");

template <class T>
struct SeqCell {
    static_assert(std::is_trivially_copyable_v<T>);
    static constexpr std::size_t kWords = (sizeof(T) + 7) / 8;

    std::atomic<std::uint64_t> seq;  // even: stable; odd: being written
    std::atomic<std::uint64_t> words[kWords];

    // Writer only.
    void store(const T& value) noexcept {
        std::uint64_t buf[kWords] = {};
        std::memcpy(buf, &value, sizeof(T));
        const std::uint64_t s = seq.load(std::memory_order_relaxed);  // only this writer changes it
        seq.store(s + 1, std::memory_order_relaxed);
        std::atomic_thread_fence(std::memory_order_release);  // odd seq before the word stores
        for (std::size_t i = 0; i < kWords; ++i) words[i].store(buf[i], std::memory_order_relaxed);
        seq.store(s + 2, std::memory_order_release);  // pairs with the reader's acquire load of s1
    }

    // The writer may read its own cell without the protocol.
    [[nodiscard]] T load_own() const noexcept {
        std::uint64_t buf[kWords];
        for (std::size_t i = 0; i < kWords; ++i) buf[i] = words[i].load(std::memory_order_relaxed);
        T out;
        std::memcpy(&out, buf, sizeof(T));
        return out;
    }

    // Any reader: a consistent copy into `out`. Retries while a store is in progress (a few dozen
    // ns); gives up and returns false only when the seq stays odd, i.e. the writer died mid-store
    // (its successor calls `repair` when it attaches).
    [[nodiscard]] bool load(T& out) const noexcept {
        std::uint64_t buf[kWords];
        for (int attempt = 0; attempt < kMaxAttempts; ++attempt) {
            const std::uint64_t s1 = seq.load(std::memory_order_acquire);  // pairs with store()'s final release
            if (s1 & 1) continue;
            for (std::size_t i = 0; i < kWords; ++i) buf[i] = words[i].load(std::memory_order_relaxed);
            std::atomic_thread_fence(std::memory_order_acquire);  // word loads before the re-check
            if (seq.load(std::memory_order_relaxed) != s1) continue;
            std::memcpy(&out, buf, sizeof(T));
            return true;
        }
        return false;
    }

    // Writer only, when it attaches after a crash: ends a store its predecessor left half-done.
    // The caller then overwrites the value (the words may be torn).
    bool repair() noexcept {
        const std::uint64_t s = seq.load(std::memory_order_relaxed);
        if (!(s & 1)) return false;
        seq.store(s + 1, std::memory_order_release);
        return true;
    }

    static constexpr int kMaxAttempts = 1 << 20;
};

}  // namespace swarmline::shm
