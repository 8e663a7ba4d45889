// The sync threads' one way to wait: a sleep that `request()` cuts short, and a back-off that
// doubles from `first_ms` to `max_ms` while an operation keeps failing and starts over after a success.
#pragma once

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>

namespace swarmline::control::sync {

class StopSignal {
public:
    void request() {
        {
            std::lock_guard lock(mutex_);
            stop_ = true;
        }
        cv_.notify_all();
    }
    bool requested() const {
        std::lock_guard lock(mutex_);
        return stop_;
    }
    // Sleeps up to `ms`; true when stop was requested (before or during the sleep).
    bool wait_for(std::uint32_t ms) {
        std::unique_lock lock(mutex_);
        return cv_.wait_for(lock, std::chrono::milliseconds(ms), [this] { return stop_; });
    }

private:
    mutable std::mutex mutex_;
    std::condition_variable cv_;
    bool stop_ = false;
};

class Backoff {
public:
    Backoff(std::uint32_t first_ms, std::uint32_t max_ms) : first_(first_ms), max_(std::max(first_ms, max_ms)), next_(first_ms) {}
    // The delay before the next attempt after a failure; each failure doubles it up to the ceiling.
    std::uint32_t failed() {
        auto d = next_;
        next_ = std::min(max_, next_ * 2);
        return d;
    }
    void succeeded() { next_ = first_; }

private:
    std::uint32_t first_, max_, next_;
};

}  // namespace swarmline::control::sync
