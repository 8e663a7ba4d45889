#include "auth/rate_limiter.hpp"

#include <algorithm>
#include <vector>

namespace swarmline::auth {

void RateLimiter::roll(Bucket& b, std::uint64_t now_s, std::uint32_t window_s) {
    const std::uint64_t start = now_s - now_s % window_s;
    if (start == b.window_start) return;
    b.previous = start == b.window_start + window_s ? b.count : 0;
    b.count = 0;
    b.window_start = start;
}

double RateLimiter::estimate(const Bucket& b, std::uint64_t now_s) const {
    const double into = static_cast<double>(now_s - b.window_start) / window_s_;
    return b.count + b.previous * (1.0 - into);
}

bool RateLimiter::allowed(std::string_view key, std::uint64_t now_s) const {
    std::lock_guard lock(mu_);
    auto it = buckets_.find(std::string(key));
    if (it == buckets_.end()) return limit_ > 0;
    roll(it->second, now_s, window_s_);
    return estimate(it->second, now_s) < limit_;
}

void RateLimiter::record(std::string_view key, std::uint64_t now_s) {
    std::lock_guard lock(mu_);
    auto it = buckets_.find(std::string(key));
    if (it == buckets_.end()) {
        if (buckets_.size() >= max_keys_) evict(now_s);
        it = buckets_.emplace(std::string(key), Bucket{now_s - now_s % window_s_, 0, 0}).first;
    }
    roll(it->second, now_s, window_s_);
    ++it->second.count;
}

void RateLimiter::reset(std::string_view key) {
    std::lock_guard lock(mu_);
    buckets_.erase(std::string(key));
}

std::uint64_t RateLimiter::retry_after(std::string_view key, std::uint64_t now_s) const {
    std::lock_guard lock(mu_);
    auto it = buckets_.find(std::string(key));
    if (it == buckets_.end()) return 0;
    roll(it->second, now_s, window_s_);
    for (std::uint64_t wait = 0; wait <= 2ULL * window_s_; ++wait) {
        Bucket probe = it->second;
        roll(probe, now_s + wait, window_s_);
        if (estimate(probe, now_s + wait) < limit_) return wait;
    }
    return 2ULL * window_s_;
}

void RateLimiter::evict(std::uint64_t now_s) {
    std::erase_if(buckets_, [&](const auto& kv) { return kv.second.window_start + 2ULL * window_s_ <= now_s; });
    if (buckets_.size() < max_keys_) return;
    std::vector<std::uint64_t> starts;
    starts.reserve(buckets_.size());
    for (const auto& kv : buckets_) starts.push_back(kv.second.window_start);
    auto mid = starts.begin() + static_cast<std::ptrdiff_t>(starts.size() / 2);
    std::nth_element(starts.begin(), mid, starts.end());
    const auto cutoff = *mid;
    std::erase_if(buckets_, [&](const auto& kv) { return kv.second.window_start <= cutoff; });
}

}  // namespace swarmline::auth
