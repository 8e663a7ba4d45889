// The io_uring pieces the load generator's workers and the ceiling responders share: a ring owned by
// one thread, and a provided buffer ring that multishot receives fill. Each program turns its loop
// once per io_uring_enter: queue what it owes, submit it and wait for completions in one call, then
// reap every completion that arrived.
#pragma once

#include <liburing.h>

#include <cstdint>
#include <memory>
#include <string>

namespace swarmline::loadgen {

// user_data of a request: the operation in the top byte, an index (socket, connection, slot) below.
inline std::uint64_t tag(std::uint8_t op, std::uint32_t index) noexcept {
    return (std::uint64_t{op} << 56) | index;
}
inline std::uint8_t tag_op(std::uint64_t user_data) noexcept { return static_cast<std::uint8_t>(user_data >> 56); }
inline std::uint32_t tag_index(std::uint64_t user_data) noexcept { return static_cast<std::uint32_t>(user_data); }

class Ring {
public:
    Ring() = default;
    ~Ring();
    Ring(const Ring&) = delete;
    Ring& operator=(const Ring&) = delete;

    // Sets the ring up; an empty string on success, else the reason. The thread that submits must
    // be the one that set it up, or with `later` the one that calls enable(): a worker's ring is
    // prepared by the main thread and enabled by the worker's own.
    [[nodiscard]] std::string init(unsigned entries, bool later = false);
    [[nodiscard]] std::string enable();
    // A submission entry, never null: a full submission queue is handed to the kernel first.
    [[nodiscard]] io_uring_sqe* sqe() noexcept;
    // Submits what is queued and collects what has completed, then waits until `min_complete`
    // completions are ready or `wait_ns` has passed (0: does not wait), in one system call.
    void submit_and_wait(unsigned min_complete, std::uint64_t wait_ns) noexcept;
    // Calls `f(const io_uring_cqe&)` for every completion ready, then releases them all.
    template <typename F>
    unsigned reap(F&& f) noexcept {
        unsigned head = 0, n = 0;
        io_uring_cqe* cqe = nullptr;
        io_uring_for_each_cqe(&ring_, head, cqe) {
            f(*cqe);
            ++n;
        }
        io_uring_cq_advance(&ring_, n);
        return n;
    }
    [[nodiscard]] io_uring& get() noexcept { return ring_; }

private:
    io_uring ring_{};
    bool ready_ = false;
};

// Receive buffers the kernel picks from (IOSQE_BUFFER_SELECT), `count` of `size` bytes each, one
// buffer group. A buffer handed back with recycle() becomes the kernel's again at publish().
class BufferRing {
public:
    BufferRing() = default;
    ~BufferRing();
    BufferRing(const BufferRing&) = delete;
    BufferRing& operator=(const BufferRing&) = delete;

    // `count` a power of two, at most 32768. An empty string on success, else the reason.
    [[nodiscard]] std::string init(Ring& ring, std::uint16_t group, std::uint32_t count, std::uint32_t size);
    [[nodiscard]] std::uint16_t group() const noexcept { return group_; }
    [[nodiscard]] std::uint32_t size() const noexcept { return size_; }
    [[nodiscard]] std::uint8_t* data(std::uint16_t id) noexcept { return buffers_.get() + std::size_t{id} * size_; }
    void recycle(std::uint16_t id) noexcept;
    // Hands the recycled buffers to the kernel; call before submitting receives that need them.
    void publish() noexcept;

private:
    io_uring_buf_ring* ring_ = nullptr;
    std::size_t ring_bytes_ = 0;
    std::unique_ptr<std::uint8_t[]> buffers_;
    std::uint32_t count_ = 0;
    std::uint32_t size_ = 0;
    std::uint32_t recycled_ = 0;  // added since the last publish()
    std::uint16_t group_ = 0;
};

// The buffer id of a completion that carries one (IORING_CQE_F_BUFFER).
inline bool cqe_buffer(const io_uring_cqe& cqe, std::uint16_t& id) noexcept {
    if (!(cqe.flags & IORING_CQE_F_BUFFER)) return false;
    id = static_cast<std::uint16_t>(cqe.flags >> IORING_CQE_BUFFER_SHIFT);
    return true;
}

}  // namespace swarmline::loadgen
