// One worker's io_uring event loop: its UDP sockets read with multishot recvmsg into a provided
// buffer ring, replies queued as sendmsg and submitted once per batch of completions, its TCP
// listeners read with multishot accept, and a fixed table of HTTP connections. Everything is
// allocated when the loop starts; serving a request allocates nothing.
#pragma once

#include <liburing.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "io/backend.hpp"
#include "io/worker_io.hpp"

namespace swarmline::io {
class Worker;
}

namespace swarmline::io::uring {

// The sockets a loop serves, one per configured address, in the order of Endpoints.
struct LoopSockets {
    std::vector<int> udp;
    std::vector<int> udp_family;  // AF_INET or AF_INET6, to build the sendmsg address
    std::vector<int> http;
};

class Loop final : UdpOut, HttpOut {
public:
    Loop(Worker& worker, LoopSockets sockets, const HttpSettings& http, std::uint32_t max_connections,
         bool udp_multishot);
    ~Loop();
    Loop(const Loop&) = delete;
    Loop& operator=(const Loop&) = delete;

    // Sets up the ring and buffers; an empty string on success. Called on the worker's own thread
    // (the ring is created single-issuer, owned by the thread that sets it up).
    [[nodiscard]] std::string init();
    // The ring's fd, for other loops to wake this one with IORING_OP_MSG_RING.
    [[nodiscard]] int ring_fd() const noexcept { return ring_.ring_fd; }
    // Runs until `stop` is set, then drains (sends what it owes, closes its sockets) and returns.
    void run(const std::atomic<bool>& stop, std::span<const std::atomic<int>> peer_ring_fds);

private:
    struct Conn;
    struct SendSlot;

    // UdpOut / HttpOut: where handed-over requests' replies go.
    std::span<std::uint8_t> buffer() noexcept override;
    void send(std::size_t length, std::uint32_t socket, const proto::Endpoint& to) noexcept override;
    void deliver(ConnRef conn, std::string_view reply, bool close) noexcept override;

    io_uring_sqe* sqe() noexcept;
    void arm_udp(std::uint32_t socket) noexcept;
    void arm_accept(std::uint32_t listener) noexcept;
    // `just_answered`: this turn consumed a request, so the next one has not been sent yet.
    void arm_conn_recv(std::uint32_t slot, bool just_answered) noexcept;
    void arm_conn_send(std::uint32_t slot) noexcept;
    void on_udp(const io_uring_cqe& cqe, std::uint32_t socket) noexcept;
    void on_udp_sent(std::uint32_t slot) noexcept;
    void on_accept(const io_uring_cqe& cqe, std::uint32_t listener) noexcept;
    void on_conn_recv(const io_uring_cqe& cqe, std::uint32_t slot) noexcept;
    void on_conn_sent(const io_uring_cqe& cqe, std::uint32_t slot) noexcept;
    void serve_conn(std::uint32_t slot) noexcept;
    void close_conn(std::uint32_t slot) noexcept;
    void release_conn_if_idle(std::uint32_t slot) noexcept;
    void refuse_connection(int fd) noexcept;
    void recycle_buffer(std::uint16_t bid) noexcept;
    void housekeeping(std::uint64_t now_s) noexcept;
    void wake_peers(std::span<const std::atomic<int>> peer_ring_fds) noexcept;

    Worker& worker_;
    LoopSockets sockets_;
    HttpSettings http_;
    std::uint32_t max_connections_;
    io_uring ring_{};
    bool ring_ready_ = false;
    bool multishot_ = true;  // false once the kernel refused multishot recvmsg: plain recvmsg then
    bool stopping_ = false;  // draining: no new requests, replies owed still go out

    // Provided buffer ring for UDP receives, shared by this loop's UDP sockets (one buffer group).
    io_uring_buf_ring* buf_ring_ = nullptr;
    std::size_t buf_ring_bytes_ = 0;
    std::unique_ptr<std::uint8_t[]> recv_buffers_;
    std::uint32_t buffers_returned_ = 0;  // added since the last io_uring_buf_ring_advance
    // Plain-recvmsg fallback: one msghdr per socket (only one receive is in flight per socket).
    std::vector<msghdr> recv_msgs_;
    std::vector<iovec> recv_iovs_;
    std::vector<sockaddr_storage> recv_names_;
    msghdr multishot_msg_{};  // the template for multishot: only msg_namelen matters

    std::unique_ptr<SendSlot[]> send_slots_;
    std::vector<std::uint32_t> free_send_;
    std::uint32_t last_buffer_slot_ = 0;

    std::unique_ptr<Conn[]> conns_;
    std::vector<std::uint32_t> free_conns_;

    std::uint64_t now_s_ = 0;
    std::uint64_t next_housekeeping_s_ = 0;
    std::uint32_t pending_sqes_ = 0;
};

}  // namespace swarmline::io::uring
