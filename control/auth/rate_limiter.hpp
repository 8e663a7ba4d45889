// Counts events per key (an IP address, an account) in a sliding window and says when a key is over
// its limit: login attempts per IP, failed logins per account. In memory: the control process is
// the only one that serves logins, and a restart forgetting the counts only gives back a window.
#pragma once

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace swarmline::auth {

class RateLimiter {
public:
    // At most `limit` events per `window_s` seconds per key. `max_keys` bounds memory: when it is
    // reached, keys idle for two windows are dropped, and if that is not enough the oldest half goes.
    RateLimiter(std::uint32_t limit, std::uint32_t window_s, std::size_t max_keys = 100'000)
        : limit_(limit), window_s_(window_s), max_keys_(max_keys) {}

    // True when `key` is still under its limit at `now_s` (does not count an event).
    bool allowed(std::string_view key, std::uint64_t now_s) const;
    void record(std::string_view key, std::uint64_t now_s);
    // Forgets the key (a successful login clears its failures).
    void reset(std::string_view key);
    // Seconds until `key` is under its limit again (0 when it is).
    std::uint64_t retry_after(std::string_view key, std::uint64_t now_s) const;

private:
    // Two fixed windows; the estimate weighs the previous one by how much of it still overlaps.
    struct Bucket {
        std::uint64_t window_start = 0;
        std::uint32_t count = 0;
        std::uint32_t previous = 0;
    };
    static void roll(Bucket& b, std::uint64_t now_s, std::uint32_t window_s);
    double estimate(const Bucket& b, std::uint64_t now_s) const;
    void evict(std::uint64_t now_s);

    std::uint32_t limit_;
    std::uint32_t window_s_;
    std::size_t max_keys_;
    mutable std::mutex mu_;
    mutable std::unordered_map<std::string, Bucket> buckets_;
};

}  // namespace swarmline::auth
