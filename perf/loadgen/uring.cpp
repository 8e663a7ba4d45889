#include "uring.hpp"

#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace swarmline::loadgen {

Ring::~Ring() {
    if (ready_) io_uring_queue_exit(&ring_);
}

std::string Ring::init(unsigned entries, bool later) {
    io_uring_params params{};
    // One thread submits and reaps, and completions are processed only when it enters the kernel
    // to wait: the kernel then skips the wake-ups and interrupts of task work run at any time.
    params.flags = IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN | IORING_SETUP_CQSIZE;
    if (later) params.flags |= IORING_SETUP_R_DISABLED;
    // Every request in flight can complete between two turns (a multishot receive more than once),
    // so the completion queue is far larger than the submission queue.
    params.cq_entries = entries * 8;
    const int rc = io_uring_queue_init_params(entries, &ring_, &params);
    if (rc < 0) return std::string("io_uring_queue_init (needs Linux 6.1): ") + std::strerror(-rc);
    ready_ = true;
    return {};
}

std::string Ring::enable() {
    // liburing 2.3 declares io_uring_enable_rings but does not export it: the system call itself.
    if (::syscall(__NR_io_uring_register, ring_.ring_fd, IORING_REGISTER_ENABLE_RINGS, nullptr, 0) < 0)
        return std::string("enable io_uring: ") + std::strerror(errno);
    return {};
}

io_uring_sqe* Ring::sqe() noexcept {
    io_uring_sqe* s = io_uring_get_sqe(&ring_);
    while (!s) {
        io_uring_submit(&ring_);
        s = io_uring_get_sqe(&ring_);
    }
    return s;
}

void Ring::submit_and_wait(unsigned min_complete, std::uint64_t wait_ns) noexcept {
    if (wait_ns == 0 || min_complete == 0) {
        // Still entered for events: with DEFER_TASKRUN completions that arrived are only posted
        // when the thread asks for them, so a submit alone would never see an answer.
        io_uring_submit_and_get_events(&ring_);
        return;
    }
    __kernel_timespec ts{static_cast<long long>(wait_ns / 1'000'000'000u), static_cast<long long>(wait_ns % 1'000'000'000u)};
    io_uring_cqe* cqe = nullptr;
    // -ETIME (nothing came in time) and -EINTR are both "look again": the caller's loop decides.
    io_uring_submit_and_wait_timeout(&ring_, &cqe, min_complete, &ts, nullptr);
}

BufferRing::~BufferRing() {
    if (ring_) munmap(ring_, ring_bytes_);
}

std::string BufferRing::init(Ring& ring, std::uint16_t group, std::uint32_t count, std::uint32_t size) {
    count_ = count;
    size_ = size;
    group_ = group;
    // liburing 2.3 (Debian 12) has no io_uring_setup_buf_ring: the ring is mapped and registered here.
    ring_bytes_ = sizeof(io_uring_buf) * count;
    void* mem = mmap(nullptr, ring_bytes_, PROT_READ | PROT_WRITE, MAP_ANONYMOUS | MAP_PRIVATE, -1, 0);
    if (mem == MAP_FAILED) return std::string("mmap buffer ring: ") + std::strerror(errno);
    ring_ = static_cast<io_uring_buf_ring*>(mem);
    io_uring_buf_reg reg{};
    reg.ring_addr = reinterpret_cast<std::uint64_t>(ring_);
    reg.ring_entries = count;
    reg.bgid = group;
    if (const int rc = io_uring_register_buf_ring(&ring.get(), &reg, 0); rc < 0)
        return std::string("io_uring_register_buf_ring: ") + std::strerror(-rc);
    io_uring_buf_ring_init(ring_);
    // Pages are touched only where the kernel writes: a large ring costs what a run uses of it.
    buffers_ = std::make_unique_for_overwrite<std::uint8_t[]>(std::size_t{count} * size);
    for (std::uint32_t i = 0; i < count; ++i) recycle(static_cast<std::uint16_t>(i));
    publish();
    return {};
}

void BufferRing::recycle(std::uint16_t id) noexcept {
    io_uring_buf_ring_add(ring_, data(id), size_, id, io_uring_buf_ring_mask(count_), static_cast<int>(recycled_));
    ++recycled_;
}

void BufferRing::publish() noexcept {
    if (recycled_ == 0) return;
    io_uring_buf_ring_advance(ring_, static_cast<int>(recycled_));
    recycled_ = 0;
}

}  // namespace swarmline::loadgen
