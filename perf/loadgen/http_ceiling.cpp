// swarmline-http-ceiling: the kernel's TCP keep-alive ceiling on this machine. It answers every
// request head it reads (pipelined ones included) with one fixed, small bencoded announce reply and
// keeps no state beyond the last three bytes of each connection, so what it sustains on one core is
// what HTTP/1.1 keep-alive over the kernel's TCP path allows: no HTTP tracker on the same path can
// answer faster. Its I/O is the dataplane's: one io_uring, multishot accept, a multishot receive per
// connection into a provided buffer ring, and the replies sent straight from one static block, all
// submitted together with the wait for more requests, one system call per turn of the loop.
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <string_view>
#include <vector>

#include "base/log.hpp"
#include "ceiling_args.hpp"
#include "pacer.hpp"
#include "uring.hpp"

namespace sl = swarmline;

namespace {

// An announce reply with no peers, as a tracker sends for a new swarm.
constexpr std::string_view kReply =
    "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 56\r\n\r\n"
    "d8:completei0e10:incompletei0e8:intervali1800e5:peers0:e";
static_assert(kReply.size() - kReply.find("\r\n\r\n") - 4 == 56);
// Replies sent in one send: the load generator's deepest pipeline. More heads in one receive take
// several sends.
constexpr std::size_t kBurst = 64;
// Receive buffers: 4 KiB holds about ten pipelined requests; 4096 of them cover a receive in flight
// on each of thousands of connections.
constexpr std::uint32_t kRecvBuffers = 4096;
constexpr std::uint32_t kRecvBufferSize = 4096;
constexpr unsigned kRingEntries = 4096;
// How long a turn waits without traffic: it bounds how late the end of --duration is noticed.
constexpr std::uint64_t kIdleWaitNs = 200'000'000;
enum Op : std::uint8_t { kAccept = 1, kRecv = 2, kSend = 3 };

// The replies of a burst, back to back: a send of n replies is a prefix of this block, which lives
// as long as the program, so a send needs no buffer of its own and no completion to free one.
const std::array<char, kReply.size() * kBurst> kReplies = [] {
    std::array<char, kReply.size() * kBurst> block{};
    for (std::size_t i = 0; i < kBurst; ++i) kReply.copy(block.data() + i * kReply.size(), kReply.size());
    return block;
}();

// Counts the request heads that end in `chunk`: each "\r\n\r\n", found by its '\n' and the three
// bytes before it, which may lie in the connection's previous chunks (`tail`, its last three bytes).
std::size_t count_heads(const std::uint8_t* p, std::size_t n, std::array<std::uint8_t, 3>& tail) noexcept {
    auto at = [&](std::ptrdiff_t i) { return i >= 0 ? p[i] : tail[static_cast<std::size_t>(3 + i)]; };
    std::size_t heads = 0;
    for (auto* q = static_cast<const std::uint8_t*>(std::memchr(p, '\n', n)); q;
         q = static_cast<const std::uint8_t*>(std::memchr(q + 1, '\n', n - static_cast<std::size_t>(q + 1 - p)))) {
        const std::ptrdiff_t i = q - p;
        if (at(i - 1) == '\r' && at(i - 2) == '\n' && at(i - 3) == '\r') ++heads;
    }
    std::array<std::uint8_t, 3> next{};
    for (std::ptrdiff_t k = 0; k < 3; ++k) next[static_cast<std::size_t>(k)] = at(static_cast<std::ptrdiff_t>(n) - 3 + k);
    tail = next;
    return heads;
}

}  // namespace

int main(int argc, char** argv) {
    sl::loadgen::CeilingArgs args;
    if (const int rc = sl::loadgen::parse_ceiling_args("http", argc, argv, args); rc >= 0) return rc;
    // No O_NONBLOCK: io_uring waits for a socket that is not ready itself, nothing here blocks on one.
    const int listener = ::socket(args.addr.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    const int one = 1;
    ::setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (listener < 0 || ::bind(listener, reinterpret_cast<sockaddr*>(&args.addr), args.addr_len) != 0 ||
        ::listen(listener, 4096) != 0) {
        sl::log::error("cannot listen", {{"http", args.listen}, {"reason", std::strerror(errno)}});
        return 1;
    }
    sl::loadgen::Ring ring;
    sl::loadgen::BufferRing buffers;
    std::string err = ring.init(kRingEntries);
    if (err.empty()) err = buffers.init(ring, 0, kRecvBuffers, kRecvBufferSize);
    if (!err.empty()) {
        sl::log::error("cannot set up io_uring", {{"reason", err}});
        return 1;
    }
    auto arm_accept = [&] {
        io_uring_sqe* s = ring.sqe();
        io_uring_prep_multishot_accept(s, listener, nullptr, nullptr, SOCK_CLOEXEC);
        io_uring_sqe_set_data64(s, sl::loadgen::tag(kAccept, 0));
    };
    auto arm_recv = [&](int fd) {
        io_uring_sqe* s = ring.sqe();
        io_uring_prep_recv_multishot(s, fd, nullptr, 0, 0);
        s->flags |= IOSQE_BUFFER_SELECT;
        s->buf_group = buffers.group();
        io_uring_sqe_set_data64(s, sl::loadgen::tag(kRecv, static_cast<std::uint32_t>(fd)));
    };
    auto send_replies = [&](int fd, std::size_t n) {
        while (n > 0) {
            const std::size_t burst = n < kBurst ? n : kBurst;
            io_uring_sqe* s = ring.sqe();
            // MSG_WAITALL: the kernel sends the rest of a short send itself. A send that fails
            // (the client went away) posts its error, which needs nothing: the receive ends too.
            io_uring_prep_send(s, fd, kReplies.data(), burst * kReply.size(), MSG_WAITALL | MSG_NOSIGNAL);
            s->flags |= IOSQE_CQE_SKIP_SUCCESS;
            io_uring_sqe_set_data64(s, sl::loadgen::tag(kSend, static_cast<std::uint32_t>(fd)));
            n -= burst;
        }
    };
    arm_accept();
    sl::loadgen::log_ready("http", args, listener);

    std::vector<std::array<std::uint8_t, 3>> tails;  // indexed by fd: one process, fds are small and dense
    std::vector<int> rearm;
    // Connections whose client has gone: closed once the replies queued for them have been
    // submitted (a send takes its socket when it is submitted), so none is lost and none goes to
    // a later connection that reuses the number.
    std::vector<int> ended;
    const std::uint64_t end = sl::loadgen::now_ns() + std::uint64_t{args.duration_s} * 1'000'000'000u;
    while (sl::loadgen::now_ns() < end) {
        buffers.publish();
        ring.submit_and_wait(1, kIdleWaitNs);
        bool accept_again = false;
        ring.reap([&](const io_uring_cqe& cqe) {
            const int fd = static_cast<int>(sl::loadgen::tag_index(cqe.user_data));
            switch (sl::loadgen::tag_op(cqe.user_data)) {
                case kAccept:
                    if (!(cqe.flags & IORING_CQE_F_MORE)) accept_again = true;
                    if (cqe.res >= 0) {
                        ::setsockopt(cqe.res, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
                        if (tails.size() <= static_cast<std::size_t>(cqe.res)) tails.resize(static_cast<std::size_t>(cqe.res) + 1);
                        tails[static_cast<std::size_t>(cqe.res)] = {};
                        arm_recv(cqe.res);
                    }
                    return;
                case kRecv: {
                    std::uint16_t id = 0;
                    if (cqe.res > 0 && sl::loadgen::cqe_buffer(cqe, id)) {
                        send_replies(fd, count_heads(buffers.data(id), static_cast<std::size_t>(cqe.res),
                                                     tails[static_cast<std::size_t>(fd)]));
                        buffers.recycle(id);
                    }
                    if (cqe.flags & IORING_CQE_F_MORE) return;
                    // The multishot receive ended: out of buffers (armed again once they are
                    // back), or the client closed (0) or failed.
                    if (cqe.res == -ENOBUFS || cqe.res > 0)
                        rearm.push_back(fd);
                    else
                        ended.push_back(fd);
                    return;
                }
                default:
                    return;  // a failed send: the connection's receive reports its end
            }
        });
        buffers.publish();
        for (int fd : rearm) arm_recv(fd);
        rearm.clear();
        if (accept_again) arm_accept();
        if (!ended.empty()) {
            ring.submit_and_wait(0, 0);
            for (int fd : ended) ::close(fd);
            ended.clear();
        }
    }
    return 0;
}
