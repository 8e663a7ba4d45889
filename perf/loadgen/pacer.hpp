// Time for the workers: a monotonic clock in nanoseconds, and the open-loop schedule. An open-loop
// request is timed from when it was due, not from when it went out, so a tracker that stalls shows
// the stall in its latency instead of silently slowing the load (coordinated omission).
#pragma once

#include <sys/prctl.h>
#include <sys/resource.h>
#include <time.h>

#include <cstdint>

namespace swarmline::loadgen {

inline std::uint64_t now_ns() noexcept {
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<std::uint64_t>(ts.tv_sec) * 1'000'000'000u + static_cast<std::uint64_t>(ts.tv_nsec);
}

// The calling thread's CPU time so far, split: user time is the load generator's own work; system
// time also holds the kernel's loopback delivery, which runs on the sending core (so a sender pays
// for the receiver's softirq work, and the tracker pays for the load generator's).
struct ThreadCpu {
    std::uint64_t user_ns = 0;
    std::uint64_t sys_ns = 0;
};
inline ThreadCpu thread_cpu() noexcept {
    rusage ru{};
    getrusage(RUSAGE_THREAD, &ru);
    auto ns = [](const timeval& tv) {
        return static_cast<std::uint64_t>(tv.tv_sec) * 1'000'000'000u + static_cast<std::uint64_t>(tv.tv_usec) * 1000u;
    };
    return {ns(ru.ru_utime), ns(ru.ru_stime)};
}

// Open-loop requests fall due every few microseconds; the default 50 us timer slack would let a
// sleeping worker wake that late and send in bursts. Applies to the calling thread.
inline void precise_timers() noexcept { prctl(PR_SET_TIMERSLACK, 1UL, 0UL, 0UL, 0UL); }

class Pacer {
public:
    // `rate` requests per second for this worker; 0 makes a closed loop (never due, never waits).
    Pacer(std::uint64_t rate, std::uint64_t start_ns) noexcept
        : interval_ns_(rate ? 1'000'000'000.0 / static_cast<double>(rate) : 0.0), start_ns_(start_ns) {}

    [[nodiscard]] bool open_loop() const noexcept { return interval_ns_ > 0; }
    // The time the next request is due.
    [[nodiscard]] std::uint64_t due_ns() const noexcept {
        return start_ns_ + static_cast<std::uint64_t>(static_cast<double>(sent_) * interval_ns_);
    }
    // True (and the schedule advances) when a request is due at `now`; `scheduled` gets its due time.
    bool take(std::uint64_t now, std::uint64_t& scheduled) noexcept {
        const std::uint64_t due = due_ns();
        if (due > now) return false;
        scheduled = due;
        ++sent_;
        return true;
    }
    // Passes over every request due by `now` (the window is full, so none of them can go out);
    // returns how many. A loop far behind schedule thus counts them at once, not one by one.
    std::uint64_t skip(std::uint64_t now) noexcept {
        if (now < start_ns_) return 0;
        const auto due_by_now = static_cast<std::uint64_t>(static_cast<double>(now - start_ns_) / interval_ns_) + 1;
        if (due_by_now <= sent_) return 0;
        const std::uint64_t n = due_by_now - sent_;
        sent_ = due_by_now;
        return n;
    }

private:
    double interval_ns_;
    std::uint64_t start_ns_;
    std::uint64_t sent_ = 0;
};

}  // namespace swarmline::loadgen
