// swarmline-udp-ceiling: the kernel-path ceiling of this machine. It answers every BEP 15 datagram
// with the smallest valid reply (a fixed connection id, announces with no peers, scrapes of zeros)
// and keeps no state, so what it sustains on one core is what the kernel's UDP path allows: no
// tracker on the same path can answer faster. Its I/O is the dataplane's: one io_uring, a multishot
// recvmsg into a provided buffer ring, replies queued as sendmsg and submitted together with the
// wait for the next requests, one system call per turn of the loop.
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <memory>
#include <vector>

#include "base/log.hpp"
#include "ceiling_args.hpp"
#include "pacer.hpp"
#include "proto/byte_io.hpp"
#include "proto/udp.hpp"
#include "uring.hpp"

namespace sl = swarmline;
namespace udp = swarmline::proto::udp;

namespace {

// Requests are at most 1496 bytes (a scrape of 74 hashes): a receive buffer holds one with the
// recvmsg header and the source address. 4096 of them hold a whole window of the load generator's
// (4 sockets x 1024 in flight) arriving between two turns.
constexpr std::uint32_t kRecvBuffers = 4096;
constexpr std::uint32_t kRecvBufferSize = 2048;
// Replies are at most 16 + 74 * 12 = 904 bytes; a slot holds one until its send completes. As many
// slots as receive buffers: every request of a turn gets its reply.
constexpr std::size_t kReplyMax = 1024;
constexpr std::uint32_t kSendSlots = kRecvBuffers;
constexpr unsigned kRingEntries = 4096;
// How long a turn waits without traffic: it bounds how late the end of --duration is noticed.
constexpr std::uint64_t kIdleWaitNs = 200'000'000;
enum Op : std::uint8_t { kRecv = 1, kSend = 2 };

struct SendSlot {
    msghdr msg;
    iovec iov;
    sockaddr_storage to;
    std::uint8_t data[kReplyMax];
};

// The reply to one request, or 0 for a datagram that is not BEP 15.
std::size_t answer(std::span<const std::uint8_t> req, std::span<std::uint8_t> out) {
    sl::proto::ByteReader r(req);
    std::uint64_t connection_id = 0;
    std::uint32_t action = 0, tid = 0;
    if (!r.read_u64(connection_id) || !r.read_u32(action) || !r.read_u32(tid)) return 0;
    switch (static_cast<udp::Action>(action)) {
        case udp::Action::connect: return udp::write_connect(out, tid, 0x5357'4152'4d4c'494eULL);
        case udp::Action::announce: return udp::write_announce(out, tid, 1800, 0, 0, {});
        case udp::Action::scrape: {
            static const std::array<udp::ScrapeEntry, sl::proto::kMaxScrapeHashes> zeros{};
            const std::size_t n = r.remaining() / 20;
            return udp::write_scrape(out, tid, std::span(zeros.data(), n < zeros.size() ? n : zeros.size()));
        }
        case udp::Action::error: break;
    }
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    sl::loadgen::CeilingArgs args;
    if (const int rc = sl::loadgen::parse_ceiling_args("udp", argc, argv, args); rc >= 0) return rc;
    const int fd = ::socket(args.addr.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    int buf = 4 << 20;
    ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &buf, sizeof buf);
    ::setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &buf, sizeof buf);
    if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&args.addr), args.addr_len) != 0) {
        sl::log::error("cannot bind", {{"udp", args.listen}, {"reason", std::strerror(errno)}});
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
    auto slots = std::make_unique_for_overwrite<SendSlot[]>(kSendSlots);
    std::vector<std::uint32_t> free_slots;
    free_slots.reserve(kSendSlots);
    for (std::uint32_t i = kSendSlots; i-- > 0;) free_slots.push_back(i);
    // The multishot template: only the room for the source address matters.
    msghdr recv_template{};
    recv_template.msg_namelen = sizeof(sockaddr_in6);
    auto arm = [&] {
        io_uring_sqe* s = ring.sqe();
        io_uring_prep_recvmsg_multishot(s, fd, &recv_template, 0);
        s->flags |= IOSQE_BUFFER_SELECT;
        s->buf_group = buffers.group();
        io_uring_sqe_set_data64(s, sl::loadgen::tag(kRecv, 0));
    };
    arm();

    sl::loadgen::log_ready("udp", args, fd);

    const std::uint64_t end = sl::loadgen::now_ns() + std::uint64_t{args.duration_s} * 1'000'000'000u;
    unsigned sends = 0;  // queued since the last submit: their completions come at once
    while (sl::loadgen::now_ns() < end) {
        buffers.publish();
        // Submits the replies and waits for them plus at least one new request, in one call.
        ring.submit_and_wait(sends + 1, kIdleWaitNs);
        sends = 0;
        bool rearm = false;
        ring.reap([&](const io_uring_cqe& cqe) {
            if (sl::loadgen::tag_op(cqe.user_data) == kSend) {
                free_slots.push_back(sl::loadgen::tag_index(cqe.user_data));
                return;
            }
            // Without IORING_CQE_F_MORE the multishot receive has ended (-ENOBUFS when every
            // buffer was taken: back-pressure); it is armed again once this turn's are returned.
            if (!(cqe.flags & IORING_CQE_F_MORE)) rearm = true;
            std::uint16_t id = 0;
            if (cqe.res <= 0 || !sl::loadgen::cqe_buffer(cqe, id)) return;
            std::uint8_t* data = buffers.data(id);
            io_uring_recvmsg_out* out = io_uring_recvmsg_validate(data, cqe.res, &recv_template);
            if (out && !(out->flags & MSG_TRUNC) && !free_slots.empty()) {
                const auto* payload = static_cast<const std::uint8_t*>(io_uring_recvmsg_payload(out, &recv_template));
                const std::size_t len = io_uring_recvmsg_payload_length(out, cqe.res, &recv_template);
                SendSlot& slot = slots[free_slots.back()];
                if (const std::size_t n = answer(std::span(payload, len), slot.data); n > 0) {
                    std::memcpy(&slot.to, io_uring_recvmsg_name(out), out->namelen);
                    slot.iov = {slot.data, n};
                    slot.msg = msghdr{};
                    slot.msg.msg_name = &slot.to;
                    slot.msg.msg_namelen = out->namelen;
                    slot.msg.msg_iov = &slot.iov;
                    slot.msg.msg_iovlen = 1;
                    io_uring_sqe* s = ring.sqe();
                    io_uring_prep_sendmsg(s, fd, &slot.msg, 0);
                    io_uring_sqe_set_data64(s, sl::loadgen::tag(kSend, free_slots.back()));
                    free_slots.pop_back();
                    ++sends;
                }
            }
            buffers.recycle(id);
        });
        if (rearm) {
            buffers.publish();
            arm();
        }
    }
    ::close(fd);
    return 0;
}
