#include "io/uring/loop.hpp"

#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>

#include "base/log.hpp"
#include "io/counters.hpp"
#include "io/net/address.hpp"
#include "io/worker.hpp"

namespace swarmline::io::uring {
namespace {

// Receive buffers: a scrape of 74 hashes is 1496 bytes and an announce with BEP 41 URL data well
// under 1 KiB; 2 KiB holds either plus the recvmsg header and the source address. 1024 of them
// absorb a burst of a thousand datagrams between two turns of the loop.
constexpr std::uint32_t kRecvBufferSize = 2048;
constexpr std::uint32_t kRecvBuffers = 1024;
constexpr std::uint16_t kBufferGroup = 0;
// Replies in flight at once; each slot holds the largest reply (kUdpReplyCapacity).
constexpr std::uint32_t kSendSlots = 1024;
// The submission queue: one turn queues at most a reply per completion, and the completion queue
// is sized by the kernel at twice this.
constexpr unsigned kRingEntries = 4096;
// How long the loop sleeps without completions, which bounds how late it sees the stop flag.
constexpr long long kWaitNanoseconds = 200'000'000;
// What a worker owes after a stop is sent within this long, then the loop returns regardless.
constexpr std::uint64_t kDrainSeconds = 2;
// An HTTP connection's buffers: a request head as large as the parser accepts, and room for eight
// of the largest replies. A request is answered only while room for the largest reply is left, and
// real replies are a few hundred bytes, so a pipelined burst (what fits in the input) is answered
// with one send instead of one per two requests. Pages are touched only as far as replies reach.
constexpr std::uint32_t kConnInput = 8192;
constexpr std::uint32_t kConnOutput = 8 * kHttpReplyCapacity;

// user_data: the kind of operation in the top byte, a generation in the next three (connections:
// a completion for a slot that was closed and reused is recognised), the index in the low four.
enum class Op : std::uint8_t { udp_recv = 1, udp_send, accept, conn_recv, conn_send, wake, ignore };

std::uint64_t tag(Op op, std::uint32_t index, std::uint32_t generation = 0) noexcept {
    return (std::uint64_t{static_cast<std::uint8_t>(op)} << 56) | (std::uint64_t{generation & 0xffffff} << 32) | index;
}
Op op_of(std::uint64_t ud) noexcept { return static_cast<Op>(ud >> 56); }
std::uint32_t index_of(std::uint64_t ud) noexcept { return static_cast<std::uint32_t>(ud); }
std::uint32_t generation_of(std::uint64_t ud) noexcept { return static_cast<std::uint32_t>(ud >> 32) & 0xffffff; }

std::uint64_t now_seconds() noexcept {
    timespec ts{};
    clock_gettime(CLOCK_REALTIME_COARSE, &ts);
    return static_cast<std::uint64_t>(ts.tv_sec);
}

log::RateLimited g_udp_errors{10};
log::RateLimited g_accept_errors{10};

void warn_limited(log::RateLimited& limit, std::string_view msg, int error) noexcept {
    std::uint64_t held = 0;
    if (!limit.allow(now_seconds(), held)) return;
    std::string held_text = std::to_string(held);
    log::warn(msg, {{"error", std::strerror(error)}, {"suppressed", held_text}});
}

}  // namespace

struct Loop::SendSlot {
    msghdr msg{};
    iovec iov{};
    sockaddr_storage to{};
    std::uint8_t data[kUdpReplyCapacity];
};

struct Loop::Conn {
    int fd = -1;
    std::uint32_t generation = 0;
    proto::Endpoint peer{};
    // Unanswered input is in[in_start, in_len). It is moved to the front only while no receive is in
    // flight: the kernel writes a receive at the offset it was armed with.
    std::uint32_t in_start = 0;
    std::uint32_t in_len = 0;
    std::uint32_t out_len = 0;
    std::uint32_t out_sent = 0;
    std::uint8_t inflight = 0;       // operations the kernel still holds (a recv, a send)
    bool recv_armed = false;
    bool send_armed = false;
    bool closing = false;            // shut down: the slot is freed once nothing is in flight
    bool close_after_send = false;   // the last reply said `Connection: close`
    bool pending = false;            // a request was handed to its owner; wait for the reply
    std::uint64_t last_active_s = 0;
    std::uint64_t head_started_s = 0;  // when the first byte of an unfinished request came; 0: none
    char in[kConnInput];
    char out[kConnOutput];
};

Loop::Loop(Worker& worker, LoopSockets sockets, const HttpSettings& http, std::uint32_t max_connections,
           bool udp_multishot)
    : worker_(worker),
      sockets_(std::move(sockets)),
      http_(http),
      max_connections_(max_connections),
      multishot_(udp_multishot) {}

Loop::~Loop() {
    if (ring_ready_) io_uring_queue_exit(&ring_);
    if (buf_ring_) munmap(buf_ring_, buf_ring_bytes_);
    if (conns_) {
        for (std::uint32_t i = 0; i < max_connections_; ++i)
            if (conns_[i].fd >= 0) ::close(conns_[i].fd);
    }
    for (int fd : sockets_.udp) ::close(fd);
    for (int fd : sockets_.http) ::close(fd);
}

std::string Loop::init() {
    io_uring_params params{};
    // One thread submits and reaps, and completions are processed only when it asks: the kernel
    // then skips the cross-thread wake-ups it would otherwise do for task work.
    params.flags = IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN | IORING_SETUP_SUBMIT_ALL;
    params.flags |= IORING_SETUP_CQSIZE;
    params.cq_entries = kRingEntries * 4;
    int rc = io_uring_queue_init_params(kRingEntries, &ring_, &params);
    if (rc == -EINVAL) {
        params = io_uring_params{};
        params.flags = IORING_SETUP_CQSIZE;
        params.cq_entries = kRingEntries * 4;
        rc = io_uring_queue_init_params(kRingEntries, &ring_, &params);
    }
    if (rc < 0) return std::string("io_uring_queue_init: ") + std::strerror(-rc);
    ring_ready_ = true;
    // Every io_uring_enter then skips looking up the ring's file; without it (old kernels) it works
    // the same, a little slower.
    io_uring_register_ring_fd(&ring_);

    // liburing 2.3 has no io_uring_setup_buf_ring: map the ring and register it by hand.
    buf_ring_bytes_ = sizeof(io_uring_buf) * kRecvBuffers;
    void* mem = mmap(nullptr, buf_ring_bytes_, PROT_READ | PROT_WRITE, MAP_ANONYMOUS | MAP_PRIVATE, -1, 0);
    if (mem == MAP_FAILED) return std::string("mmap buffer ring: ") + std::strerror(errno);
    buf_ring_ = static_cast<io_uring_buf_ring*>(mem);
    io_uring_buf_reg reg{};
    reg.ring_addr = reinterpret_cast<std::uint64_t>(buf_ring_);
    reg.ring_entries = kRecvBuffers;
    reg.bgid = kBufferGroup;
    rc = io_uring_register_buf_ring(&ring_, &reg, 0);
    if (rc < 0) return std::string("io_uring_register_buf_ring: ") + std::strerror(-rc);
    io_uring_buf_ring_init(buf_ring_);
    recv_buffers_ = std::make_unique_for_overwrite<std::uint8_t[]>(std::size_t{kRecvBufferSize} * kRecvBuffers);
    for (std::uint32_t i = 0; i < kRecvBuffers; ++i)
        io_uring_buf_ring_add(buf_ring_, recv_buffers_.get() + std::size_t{i} * kRecvBufferSize, kRecvBufferSize,
                              static_cast<std::uint16_t>(i), io_uring_buf_ring_mask(kRecvBuffers), static_cast<int>(i));
    io_uring_buf_ring_advance(buf_ring_, kRecvBuffers);

    multishot_msg_.msg_namelen = sizeof(sockaddr_in6);
    recv_msgs_.resize(sockets_.udp.size());
    recv_iovs_.resize(sockets_.udp.size());
    recv_names_.resize(sockets_.udp.size());

    send_slots_ = std::make_unique_for_overwrite<SendSlot[]>(kSendSlots);  // pages are touched as used
    free_send_.reserve(kSendSlots);
    for (std::uint32_t i = kSendSlots; i-- > 0;) free_send_.push_back(i);

    conns_ = std::make_unique_for_overwrite<Conn[]>(max_connections_);  // buffers stay untouched until used
    free_conns_.reserve(max_connections_);
    for (std::uint32_t i = max_connections_; i-- > 0;) free_conns_.push_back(i);
    return {};
}

io_uring_sqe* Loop::sqe() noexcept {
    io_uring_sqe* s = io_uring_get_sqe(&ring_);
    if (!s) {
        // The submission queue is full: hand it to the kernel now and take a fresh entry.
        io_uring_submit(&ring_);
        s = io_uring_get_sqe(&ring_);
    }
    return s;
}

void Loop::arm_udp(std::uint32_t socket) noexcept {
    io_uring_sqe* s = sqe();
    if (multishot_) {
        io_uring_prep_recvmsg_multishot(s, sockets_.udp[socket], &multishot_msg_, 0);
    } else {
        msghdr& m = recv_msgs_[socket];
        m = msghdr{};
        m.msg_name = &recv_names_[socket];
        m.msg_namelen = sizeof(sockaddr_storage);
        recv_iovs_[socket] = iovec{nullptr, kRecvBufferSize};
        m.msg_iov = &recv_iovs_[socket];
        m.msg_iovlen = 1;
        io_uring_prep_recvmsg(s, sockets_.udp[socket], &m, 0);
    }
    s->flags |= IOSQE_BUFFER_SELECT;
    s->buf_group = kBufferGroup;
    io_uring_sqe_set_data64(s, tag(Op::udp_recv, socket));
}

void Loop::arm_accept(std::uint32_t listener) noexcept {
    io_uring_sqe* s = sqe();
    io_uring_prep_multishot_accept(s, sockets_.http[listener], nullptr, nullptr, SOCK_CLOEXEC);
    io_uring_sqe_set_data64(s, tag(Op::accept, listener));
}

void Loop::arm_conn_recv(std::uint32_t slot, bool just_answered) noexcept {
    Conn& c = conns_[slot];
    io_uring_sqe* s = sqe();
    io_uring_prep_recv(s, c.fd, c.in + c.in_len, kConnInput - c.in_len, 0);
    // Everything received was answered: a client that waits for its reply (not pipelining) sends
    // nothing before it has read what this turn sends, so a receive tried now would only fail.
    // Wait for data straight away instead.
    if (just_answered && c.in_len == 0) s->ioprio |= IORING_RECVSEND_POLL_FIRST;
    io_uring_sqe_set_data64(s, tag(Op::conn_recv, slot, c.generation));
    c.recv_armed = true;
    ++c.inflight;
}

void Loop::arm_conn_send(std::uint32_t slot) noexcept {
    Conn& c = conns_[slot];
    io_uring_sqe* s = sqe();
    io_uring_prep_send(s, c.fd, c.out + c.out_sent, c.out_len - c.out_sent, MSG_NOSIGNAL);
    io_uring_sqe_set_data64(s, tag(Op::conn_send, slot, c.generation));
    c.send_armed = true;
    ++c.inflight;
}

void Loop::recycle_buffer(std::uint16_t bid) noexcept {
    io_uring_buf_ring_add(buf_ring_, recv_buffers_.get() + std::size_t{bid} * kRecvBufferSize, kRecvBufferSize, bid,
                          io_uring_buf_ring_mask(kRecvBuffers), static_cast<int>(buffers_returned_));
    ++buffers_returned_;
}

void Loop::on_udp(const io_uring_cqe& cqe, std::uint32_t socket) noexcept {
    WorkerCounters& counters = worker_.counters();
    bool more = (cqe.flags & IORING_CQE_F_MORE) != 0;
    if (cqe.res < 0) {
        if (cqe.res == -ENOBUFS) {
            counters.add(Counter::udp_no_buffer);
        } else if (cqe.res == -EINVAL && multishot_) {
            multishot_ = false;
            log::warn("multishot recvmsg refused by the kernel: using plain recvmsg",
                      {{"worker", std::to_string(worker_.index())}});
        } else if (cqe.res != -ECANCELED) {
            warn_limited(g_udp_errors, "udp receive failed", -cqe.res);
        }
        if (!more) arm_udp(socket);
        return;
    }
    if (!(cqe.flags & IORING_CQE_F_BUFFER)) {
        if (!more) arm_udp(socket);
        return;
    }
    auto bid = static_cast<std::uint16_t>(cqe.flags >> IORING_CQE_BUFFER_SHIFT);
    std::uint8_t* buf = recv_buffers_.get() + std::size_t{bid} * kRecvBufferSize;
    const std::uint8_t* payload = nullptr;
    std::size_t length = 0;
    const sockaddr* from = nullptr;
    bool truncated = false;
    if (multishot_ || more) {
        auto* out = io_uring_recvmsg_validate(buf, cqe.res, &multishot_msg_);
        if (out) {
            payload = static_cast<const std::uint8_t*>(io_uring_recvmsg_payload(out, &multishot_msg_));
            length = io_uring_recvmsg_payload_length(out, cqe.res, &multishot_msg_);
            from = static_cast<const sockaddr*>(io_uring_recvmsg_name(out));
            truncated = (out->flags & MSG_TRUNC) != 0 || out->namelen > multishot_msg_.msg_namelen;
        }
    } else {
        payload = buf;
        length = static_cast<std::size_t>(cqe.res);
        from = reinterpret_cast<const sockaddr*>(&recv_names_[socket]);
        truncated = (recv_msgs_[socket].msg_flags & MSG_TRUNC) != 0;
    }
    if (stopping_) {
        // Draining: what arrives now is not answered.
    } else if (!payload || truncated) {
        counters.add(Counter::udp_dropped);
    } else if (free_send_.empty()) {
        counters.add(Counter::udp_send_dropped);
    } else {
        std::uint32_t slot = free_send_.back();
        SendSlot& s = send_slots_[slot];
        proto::Endpoint peer = net::endpoint_of(from);
        std::size_t n = worker_.on_datagram({payload, length}, peer, socket, {s.data, sizeof s.data});
        if (n > 0) {
            free_send_.pop_back();
            s.iov = iovec{s.data, n};
            s.msg = msghdr{};
            s.msg.msg_name = &s.to;
            s.msg.msg_namelen = net::sockaddr_of(peer, sockets_.udp_family[socket], s.to);
            s.msg.msg_iov = &s.iov;
            s.msg.msg_iovlen = 1;
            io_uring_sqe* e = sqe();
            io_uring_prep_sendmsg(e, sockets_.udp[socket], &s.msg, 0);
            io_uring_sqe_set_data64(e, tag(Op::udp_send, slot));
        }
    }
    recycle_buffer(bid);
    if (!more && !stopping_) arm_udp(socket);
}

std::span<std::uint8_t> Loop::buffer() noexcept {
    if (free_send_.empty()) return {};
    last_buffer_slot_ = free_send_.back();
    return {send_slots_[last_buffer_slot_].data, kUdpReplyCapacity};
}

void Loop::send(std::size_t length, std::uint32_t socket, const proto::Endpoint& to) noexcept {
    std::uint32_t slot = last_buffer_slot_;
    if (free_send_.empty() || free_send_.back() != slot || socket >= sockets_.udp.size()) return;
    free_send_.pop_back();
    SendSlot& s = send_slots_[slot];
    s.iov = iovec{s.data, length};
    s.msg = msghdr{};
    s.msg.msg_name = &s.to;
    s.msg.msg_namelen = net::sockaddr_of(to, sockets_.udp_family[socket], s.to);
    s.msg.msg_iov = &s.iov;
    s.msg.msg_iovlen = 1;
    io_uring_sqe* e = sqe();
    io_uring_prep_sendmsg(e, sockets_.udp[socket], &s.msg, 0);
    io_uring_sqe_set_data64(e, tag(Op::udp_send, slot));
}

void Loop::on_udp_sent(std::uint32_t slot) noexcept { free_send_.push_back(slot); }

void Loop::refuse_connection(int fd) noexcept {
    // Over the cap: one 503 with a bencoded reason, written without waiting, then closed.
    char reply[320];
    std::size_t n = worker_.write_busy({reply, sizeof reply});
    if (n > 0) {
        ssize_t ignored = ::send(fd, reply, n, MSG_DONTWAIT | MSG_NOSIGNAL);
        (void)ignored;
    }
    ::close(fd);
    worker_.counters().add(Counter::http_over_capacity);
}

void Loop::on_accept(const io_uring_cqe& cqe, std::uint32_t listener) noexcept {
    bool more = (cqe.flags & IORING_CQE_F_MORE) != 0;
    if (cqe.res < 0) {
        if (cqe.res != -ECANCELED) warn_limited(g_accept_errors, "accept failed", -cqe.res);
    } else if (stopping_) {
        ::close(cqe.res);
    } else if (free_conns_.empty()) {
        refuse_connection(cqe.res);
    } else {
        std::uint32_t slot = free_conns_.back();
        free_conns_.pop_back();
        Conn& c = conns_[slot];
        c.fd = cqe.res;
        c.in_start = c.in_len = c.out_len = c.out_sent = 0;
        c.inflight = 0;
        c.recv_armed = c.send_armed = c.closing = c.close_after_send = c.pending = false;
        c.last_active_s = now_s_;
        c.head_started_s = 0;
        sockaddr_storage name{};
        socklen_t len = sizeof name;
        ::getpeername(c.fd, reinterpret_cast<sockaddr*>(&name), &len);
        c.peer = net::endpoint_of(reinterpret_cast<const sockaddr*>(&name));
        worker_.counters().add(Counter::http_accepted);
        worker_.counters().adjust(Gauge::http_connections, 1);
        arm_conn_recv(slot, false);
    }
    if (!more && !stopping_) arm_accept(listener);
}

void Loop::on_conn_recv(const io_uring_cqe& cqe, std::uint32_t slot) noexcept {
    Conn& c = conns_[slot];
    --c.inflight;
    c.recv_armed = false;
    if (c.closing) {
        release_conn_if_idle(slot);
        return;
    }
    if (cqe.res <= 0) {
        // The client closed (0) or the connection failed: nothing more will be read. A reply still
        // being written is abandoned with it, since the client is no longer there to read it.
        close_conn(slot);
        return;
    }
    c.in_len += static_cast<std::uint32_t>(cqe.res);
    c.last_active_s = now_s_;
    if (c.head_started_s == 0) c.head_started_s = now_s_;
    serve_conn(slot);
}

void Loop::on_conn_sent(const io_uring_cqe& cqe, std::uint32_t slot) noexcept {
    Conn& c = conns_[slot];
    --c.inflight;
    c.send_armed = false;
    if (c.closing) {
        release_conn_if_idle(slot);
        return;
    }
    if (cqe.res < 0) {
        close_conn(slot);
        return;
    }
    c.out_sent += static_cast<std::uint32_t>(cqe.res);
    c.last_active_s = now_s_;
    if (c.out_sent < c.out_len) {
        arm_conn_send(slot);
        return;
    }
    c.out_len = c.out_sent = 0;
    if (c.close_after_send) {
        close_conn(slot);
        return;
    }
    serve_conn(slot);
}

void Loop::serve_conn(std::uint32_t slot) noexcept {
    Conn& c = conns_[slot];
    const std::uint32_t before = c.in_start;
    while (!c.pending && !c.close_after_send && c.in_start < c.in_len &&
           kConnOutput - c.out_len >= kHttpReplyCapacity) {
        std::string_view input(c.in + c.in_start, c.in_len - c.in_start);
        bool full = input.size() == kConnInput;
        HttpStep step = worker_.on_http(input, full, c.peer, ConnRef{slot, c.generation},
                                        {c.out + c.out_len, kConnOutput - c.out_len});
        if (step.kind == HttpStep::Kind::need_more) break;
        c.in_start += static_cast<std::uint32_t>(step.consumed);
        if (step.kind == HttpStep::Kind::pending) {
            c.pending = true;
        } else {
            c.out_len += static_cast<std::uint32_t>(step.length);
            c.close_after_send = step.close;
        }
    }
    const bool answered = c.in_start != before;
    // What is left is the start of the next request: its head timeout starts now.
    if (answered) c.head_started_s = c.in_start < c.in_len ? now_s_ : 0;
    if (!c.recv_armed && c.in_start > 0) {
        std::memmove(c.in, c.in + c.in_start, c.in_len - c.in_start);
        c.in_len -= c.in_start;
        c.in_start = 0;
    }
    if (c.out_len > c.out_sent && !c.send_armed) arm_conn_send(slot);
    if (!c.recv_armed && !c.close_after_send && c.in_len < kConnInput) arm_conn_recv(slot, answered);
}

void Loop::deliver(ConnRef ref, std::string_view reply, bool close) noexcept {
    if (ref.slot >= max_connections_) return;
    Conn& c = conns_[ref.slot];
    if (c.fd < 0 || c.closing || c.generation != ref.generation || !c.pending) return;
    c.pending = false;
    if (reply.size() <= kConnOutput - c.out_len) {
        std::memcpy(c.out + c.out_len, reply.data(), reply.size());
        c.out_len += static_cast<std::uint32_t>(reply.size());
    }
    c.close_after_send = close;
    serve_conn(ref.slot);
}

void Loop::close_conn(std::uint32_t slot) noexcept {
    Conn& c = conns_[slot];
    if (c.closing) return;
    c.closing = true;
    // Completes the receive still in flight (with 0), after which the slot can be released.
    ::shutdown(c.fd, SHUT_RDWR);
    release_conn_if_idle(slot);
}

void Loop::release_conn_if_idle(std::uint32_t slot) noexcept {
    Conn& c = conns_[slot];
    if (c.inflight > 0) return;
    ::close(c.fd);
    c.fd = -1;
    c.generation = (c.generation + 1) & 0xffffff;  // what fits in user_data
    free_conns_.push_back(slot);
    worker_.counters().adjust(Gauge::http_connections, -1);
}

void Loop::housekeeping(std::uint64_t now_s) noexcept {
    for (std::uint32_t i = 0; i < max_connections_; ++i) {
        Conn& c = conns_[i];
        if (c.fd < 0 || c.closing) continue;
        bool slow_head = c.head_started_s != 0 && now_s - c.head_started_s >= http_.header_timeout_s;
        bool idle = c.in_start == c.in_len && c.out_len == 0 && !c.pending && now_s - c.last_active_s >= http_.idle_timeout_s;
        if (slow_head || idle) {
            worker_.counters().add(Counter::http_timed_out);
            close_conn(i);
        }
    }
    worker_.housekeeping(now_s);
}

void Loop::wake_peers(std::span<const std::atomic<int>> peer_ring_fds) noexcept {
    std::uint64_t mask = worker_.take_wake_mask();
    while (mask) {
        unsigned target = static_cast<unsigned>(__builtin_ctzll(mask));
        mask &= mask - 1;
        // Acquire pairs with the release store of the target's loop once its ring exists.
        int fd = target < peer_ring_fds.size() ? peer_ring_fds[target].load(std::memory_order_acquire) : -1;
        if (fd < 0) continue;
        io_uring_sqe* s = sqe();
        io_uring_prep_msg_ring(s, fd, 0, tag(Op::wake, 0), 0);
        io_uring_sqe_set_data64(s, tag(Op::ignore, 0));
    }
}

void Loop::run(const std::atomic<bool>& stop, std::span<const std::atomic<int>> peer_ring_fds) {
    now_s_ = now_seconds();
    next_housekeeping_s_ = now_s_ + 1;
    for (std::uint32_t i = 0; i < sockets_.udp.size(); ++i) arm_udp(i);
    for (std::uint32_t i = 0; i < sockets_.http.size(); ++i) arm_accept(i);
    std::uint64_t drain_deadline = 0;
    for (;;) {
        // Relaxed: the flag carries no data, only "start draining"; a later turn sees it anyway.
        if (!stopping_ && stop.load(std::memory_order_relaxed)) {
            stopping_ = true;
            drain_deadline = now_s_ + kDrainSeconds;
            for (int fd : sockets_.http) ::shutdown(fd, SHUT_RDWR);
        }
        if (stopping_) {
            bool owed = free_send_.size() < kSendSlots;
            for (std::uint32_t i = 0; i < max_connections_ && !owed; ++i)
                owed = conns_[i].fd >= 0 && !conns_[i].closing && conns_[i].out_len > conns_[i].out_sent;
            if (!owed || now_s_ >= drain_deadline) break;
        }
        __kernel_timespec wait{0, kWaitNanoseconds};
        io_uring_cqe* first = nullptr;
        io_uring_submit_and_wait_timeout(&ring_, &first, 1, &wait, nullptr);
        now_s_ = now_seconds();
        worker_.begin_batch(now_s_);
        unsigned head = 0;
        unsigned seen = 0;
        io_uring_cqe* cqe = nullptr;
        io_uring_for_each_cqe(&ring_, head, cqe) {
            ++seen;
            std::uint64_t ud = io_uring_cqe_get_data64(cqe);
            std::uint32_t index = index_of(ud);
            switch (op_of(ud)) {
                case Op::udp_recv: on_udp(*cqe, index); break;
                case Op::udp_send: on_udp_sent(index); break;
                case Op::accept: on_accept(*cqe, index); break;
                case Op::conn_recv:
                    if (index < max_connections_ && conns_[index].generation == generation_of(ud))
                        on_conn_recv(*cqe, index);
                    break;
                case Op::conn_send:
                    if (index < max_connections_ && conns_[index].generation == generation_of(ud))
                        on_conn_sent(*cqe, index);
                    break;
                case Op::wake:
                case Op::ignore: break;
            }
        }
        io_uring_cq_advance(&ring_, seen);
        if (buffers_returned_ > 0) {
            io_uring_buf_ring_advance(buf_ring_, static_cast<int>(buffers_returned_));
            buffers_returned_ = 0;
        }
        worker_.drain(*this, *this);
        wake_peers(peer_ring_fds);
        WorkerCounters& counters = worker_.counters();
        counters.add(Counter::loop_iterations);
        counters.add(Counter::completions, seen);
        if (now_s_ >= next_housekeeping_s_) {
            next_housekeeping_s_ = now_s_ + 1;
            housekeeping(now_s_);
        }
    }
    io_uring_submit(&ring_);
}

}  // namespace swarmline::io::uring
