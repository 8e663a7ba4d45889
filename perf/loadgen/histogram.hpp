// Latency histogram with log-linear buckets, as HdrHistogram lays them out: values below 64 ns are
// exact, above that every power of two is split into 32 buckets, so a reported percentile is within
// 1/32 (~3 %) of the true value at every scale. The counters are one fixed array: recording is an
// increment, never an allocation, and histograms of several workers merge by adding.
#pragma once

#include <array>
#include <bit>
#include <cstdint>

namespace swarmline::loadgen {

class Histogram {
public:
    static constexpr unsigned kSubBits = 5;                      // 32 buckets per power of two
    static constexpr unsigned kSub = 1u << kSubBits;
    static constexpr unsigned kBuckets = (64 - kSubBits + 1) * kSub;  // covers every uint64_t

    void record(std::uint64_t ns) noexcept {
        ++counts_[index(ns)];
        ++total_;
        if (ns > max_) max_ = ns;
    }
    void merge(const Histogram& other) noexcept {
        for (unsigned i = 0; i < kBuckets; ++i) counts_[i] += other.counts_[i];
        total_ += other.total_;
        if (other.max_ > max_) max_ = other.max_;
    }

    [[nodiscard]] std::uint64_t count() const noexcept { return total_; }
    [[nodiscard]] std::uint64_t max() const noexcept { return max_; }
    // The upper bound of the bucket holding the q-quantile (0 < q <= 1), capped at the maximum seen;
    // 0 when empty.
    [[nodiscard]] std::uint64_t quantile(double q) const noexcept;

    static unsigned index(std::uint64_t v) noexcept {
        if (v < 2 * kSub) return static_cast<unsigned>(v);
        const unsigned shift = static_cast<unsigned>(std::bit_width(v)) - 1 - kSubBits;
        return (shift + 1) * kSub + static_cast<unsigned>((v >> shift) - kSub);
    }
    // The largest value that lands in bucket `i`.
    static std::uint64_t upper_bound(unsigned i) noexcept {
        if (i < 2 * kSub) return i;
        const unsigned shift = i / kSub - 1;
        const std::uint64_t mantissa = kSub + i % kSub;
        return ((mantissa + 1) << shift) - 1;
    }

private:
    std::array<std::uint64_t, kBuckets> counts_{};
    std::uint64_t total_ = 0;
    std::uint64_t max_ = 0;
};

}  // namespace swarmline::loadgen
