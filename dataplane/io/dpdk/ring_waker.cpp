#include "io/dpdk/ring_waker.hpp"

#include <cstring>

namespace swarmline::io::dpdk {
namespace {

// A wake-up carries nothing: the target loop drains its rings on every turn. Its user_data has
// kind 0 in the top byte, an operation the io_uring loop does not issue, so it only ends the wait.
constexpr std::uint64_t kWakeUserData = 0;
// At most one message per worker (64) in one submission.
constexpr unsigned kEntries = 64;

}  // namespace

RingWaker::~RingWaker() {
    if (ready_) io_uring_queue_exit(&ring_);
}

std::string RingWaker::init() {
    io_uring_params params{};
    params.flags = IORING_SETUP_SINGLE_ISSUER;
    const int rc = io_uring_queue_init_params(kEntries, &ring_, &params);
    if (rc < 0) return std::string("io_uring for wake-ups: ") + std::strerror(-rc);
    ready_ = true;
    return {};
}

void RingWaker::wake(std::uint64_t mask) noexcept {
    if (!ready_) return;
    unsigned queued = 0;
    while (mask) {
        const unsigned target = static_cast<unsigned>(__builtin_ctzll(mask));
        mask &= mask - 1;
        // Acquire pairs with the release store of the target loop once its ring exists.
        const int fd = target < ring_fds_.size() ? ring_fds_[target].load(std::memory_order_acquire) : -1;
        if (fd < 0) continue;
        io_uring_sqe* s = io_uring_get_sqe(&ring_);
        if (!s) break;
        io_uring_prep_msg_ring(s, fd, 0, kWakeUserData, 0);
        // Only a failed message (the target ring already gone at shutdown) leaves a completion here.
        s->flags |= IOSQE_CQE_SKIP_SUCCESS;
        ++queued;
    }
    if (queued == 0) return;
    io_uring_submit(&ring_);
    io_uring_cqe* cqe = nullptr;
    while (io_uring_peek_cqe(&ring_, &cqe) == 0) io_uring_cqe_seen(&ring_, cqe);
}

}  // namespace swarmline::io::dpdk
