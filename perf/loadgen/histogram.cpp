#include "histogram.hpp"

#include <cmath>

namespace swarmline::loadgen {

std::uint64_t Histogram::quantile(double q) const noexcept {
    if (total_ == 0) return 0;
    // The rank of the q-quantile, 1-based: the smallest value with at least q of the samples at or below it.
    auto rank = static_cast<std::uint64_t>(std::ceil(q * static_cast<double>(total_)));
    if (rank == 0) rank = 1;
    std::uint64_t seen = 0;
    for (unsigned i = 0; i < kBuckets; ++i) {
        seen += counts_[i];
        if (seen >= rank) {
            const std::uint64_t ub = upper_bound(i);
            return ub < max_ ? ub : max_;
        }
    }
    return max_;
}

}  // namespace swarmline::loadgen
