// A value guarded by a per-slot seqlock, for tables with exactly one writer and lock-free readers in
// another thread or process. The value is stored as 64-bit atomic words, so a reader racing the
// writer reads torn words but never performs a data race (ThreadSanitizer-clean); the sequence
// number tells it to retry. The writer never waits for a reader.
//
// Ordering, without standalone fences (which ThreadSanitizer does not model):
//   writer: seq := odd (relaxed); each word (release); seq := even (release)
//   reader: s1 := seq (acquire); each word (acquire); s2 := seq (relaxed); ok iff s1 == s2, even
// A reader that loads any word the writer stored synchronizes with that release store, so it then
// sees the odd seq (or a later one) when it reloads seq: s2 != s1. The acquire word loads also keep
// the reload of seq after them. The final even store pairs with the reader's acquire load of s1: a
// reader that saw it sees every word before it. On x86 each of these is a plain mov.
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
        // Only this writer changes seq. Rounding up to even heals a store a crashed predecessor
        // left odd, so a writer never needs to know whether it runs after a crash.
        const std::uint64_t s = (seq.load(std::memory_order_relaxed) + 1) & ~std::uint64_t{1};
        seq.store(s + 1, std::memory_order_relaxed);
        const auto* src = reinterpret_cast<const unsigned char*>(&value);
        // release: a reader that sees this word sees the odd seq stored before it.
        for (std::size_t i = 0; i < kWords; ++i) words[i].store(word_at(src, i), std::memory_order_release);
        seq.store(s + 2, std::memory_order_release);  // pairs with the reader's acquire load of s1
    }

    // The writer may read its own cell without the protocol.
    [[nodiscard]] T load_own() const noexcept {
        T out;
        auto* dst = reinterpret_cast<unsigned char*>(&out);
        for (std::size_t i = 0; i < kWords; ++i) put_word(dst, i, words[i].load(std::memory_order_relaxed));
        return out;
    }

    // Any reader: a consistent copy into `out`. Retries while a store is in progress (a few dozen
    // ns); gives up and returns false only when the seq stays odd, i.e. the writer died mid-store
    // (its successor calls `repair` when it attaches). On false, `out` holds torn bytes. Words go
    // straight into `out` (no buffer on the stack: the rules record is 150 KB).
    [[nodiscard]] bool load(T& out) const noexcept {
        auto* dst = reinterpret_cast<unsigned char*>(&out);
        for (int attempt = 0; attempt < kMaxAttempts; ++attempt) {
            const std::uint64_t s1 = seq.load(std::memory_order_acquire);  // pairs with store()'s final release
            if (s1 & 1) continue;
            // acquire: pairs with store()'s release of each word, and keeps the re-check after them.
            for (std::size_t i = 0; i < kWords; ++i) put_word(dst, i, words[i].load(std::memory_order_acquire));
            if (seq.load(std::memory_order_relaxed) == s1) return true;
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

private:
    static std::uint64_t word_at(const unsigned char* src, std::size_t i) noexcept {
        std::uint64_t w = 0;
        std::memcpy(&w, src + 8 * i, i + 1 < kWords ? 8 : sizeof(T) - 8 * i);
        return w;
    }
    static void put_word(unsigned char* dst, std::size_t i, std::uint64_t w) noexcept {
        std::memcpy(dst + 8 * i, &w, i + 1 < kWords ? 8 : sizeof(T) - 8 * i);
    }
};

}  // namespace swarmline::shm
