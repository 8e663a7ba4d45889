// How a DPDK worker wakes the io_uring HTTP workers it handed replies to. Those sleep in
// io_uring_enter until a completion arrives, so the wake-up is an IORING_OP_MSG_RING posted to the
// target's ring, which needs a ring to submit from: each DPDK worker has this small one. The table
// of ring fds is the one all workers share (a DPDK worker's entry stays -1: it polls, and is
// never woken).
#pragma once

#include <liburing.h>

#include <atomic>
#include <cstdint>
#include <span>
#include <string>

namespace swarmline::io::dpdk {

class RingWaker {
public:
    explicit RingWaker(std::span<const std::atomic<int>> ring_fds) noexcept : ring_fds_(ring_fds) {}
    ~RingWaker();
    RingWaker(const RingWaker&) = delete;
    RingWaker& operator=(const RingWaker&) = delete;

    // Sets up the ring on the calling thread (the one that will wake). Empty on success.
    [[nodiscard]] std::string init();
    // Wakes worker i for every bit i of `mask` that has a ring. One system call for all of them.
    void wake(std::uint64_t mask) noexcept;

private:
    std::span<const std::atomic<int>> ring_fds_;
    io_uring ring_{};
    bool ready_ = false;
};

}  // namespace swarmline::io::dpdk
