#include "udp_worker.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <bit>

#include <array>
#include <cerrno>
#include <cstring>

#include "pacer.hpp"
#include "proto/udp_client.hpp"
#include "base/log.hpp"
#include "url_paths.hpp"

namespace swarmline::loadgen {
namespace {

// The largest request: an announce (98 bytes) with the largest BEP 41 URL data (512 bytes, in
// 255-byte options with 2 bytes of header each) and the end option; a scrape of 74 hashes is 1496.
constexpr std::size_t kRequestBuf = 1536;
// The largest answer: an IPv6 announce reply with 200 peers is 20 + 200 * 18 = 3620 bytes; bigger
// numwant values are truncated, which the count of invalid answers shows. A receive buffer holds
// one after the recvmsg header.
constexpr std::size_t kResponseBuf = 4096;
constexpr std::uint32_t kRecvBufferSize = kResponseBuf + sizeof(io_uring_recvmsg_out);
// Receive buffers: room for the whole window's answers arriving between two turns (at most 8192;
// beyond that a receive runs out, -ENOBUFS, and the rest wait in the socket until the next turn).
constexpr std::uint32_t kMaxRecvBuffers = 8192;
// How often outstanding requests are checked for timeouts.
constexpr std::uint64_t kExpireEveryNs = 20'000'000;
enum Op : std::uint8_t { kRecv = 1, kSend = 2 };

std::uint32_t transaction_id(std::uint16_t slot, std::uint16_t generation) noexcept {
    return (std::uint32_t{generation} << 16) | slot;
}

}  // namespace

UdpWorker::UdpWorker(const Config& config, Traffic& traffic, unsigned index) noexcept
    : config_(config),
      traffic_(traffic),
      index_(index),
      rng_(config.seed * 1000003 + index),
      budget_(config.request_budget(index)) {}

UdpWorker::~UdpWorker() {
    for (auto& s : sockets_)
        if (s.fd >= 0) ::close(s.fd);
}

std::string UdpWorker::open() {
    for (const auto& t : config_.targets) url_data_.push_back(expand_paths(t.announce_path, config_.passkeys));
    const std::uint32_t per_worker = config_.sockets_per_worker;
    const std::uint32_t stride = per_worker * config_.workers;
    sockets_.resize(per_worker);
    for (std::uint32_t i = 0; i < per_worker; ++i) {
        Socket& s = sockets_[i];
        const std::uint32_t global = index_ * per_worker + i;
        s.target = &config_.targets[global % config_.targets.size()];
        s.peers = PeerRange(traffic_.workload().peer_count(), global, stride);
        s.source = global;
        s.slots.resize(config_.in_flight);
        s.free_slots.reserve(config_.in_flight);
        for (std::uint32_t k = config_.in_flight; k-- > 0;) s.free_slots.push_back(static_cast<std::uint16_t>(k));
        s.requests = std::make_unique_for_overwrite<std::uint8_t[]>(std::size_t{config_.in_flight} * kRequestBuf);

        const int family = s.target->v6 ? AF_INET6 : AF_INET;
        // No O_NONBLOCK: io_uring waits for a socket that is not ready itself (the first connect
        // below waits with poll and reads with MSG_DONTWAIT).
        s.fd = ::socket(family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (s.fd < 0) return std::string("socket: ") + std::strerror(errno);
        // Bursts of answers must not overflow the receive queue while the worker is busy sending;
        // the kernel caps this at net.core.rmem_max.
        int buf = 4 << 20;
        ::setsockopt(s.fd, SOL_SOCKET, SO_RCVBUF, &buf, sizeof buf);
        ::setsockopt(s.fd, SOL_SOCKET, SO_SNDBUF, &buf, sizeof buf);
        sockaddr_storage local{};
        socklen_t local_len = 0;
        if (s.target->v6) {
            // IPv6 has one loopback address: the sockets differ by port only.
            auto* a = reinterpret_cast<sockaddr_in6*>(&local);
            a->sin6_family = AF_INET6;
            a->sin6_addr = in6addr_loopback;
            local_len = sizeof(sockaddr_in6);
        } else {
            auto* a = reinterpret_cast<sockaddr_in*>(&local);
            a->sin_family = AF_INET;
            a->sin_addr.s_addr = htonl(config_.first_client_ipv4 + global);
            local_len = sizeof(sockaddr_in);
        }
        if (::bind(s.fd, reinterpret_cast<sockaddr*>(&local), local_len) != 0)
            return std::string("bind to a client address: ") + std::strerror(errno);
        if (::connect(s.fd, reinterpret_cast<const sockaddr*>(&s.target->addr), s.target->addr_len) != 0)
            return std::string("connect: ") + std::strerror(errno);
        if (auto err = first_connection_id(s); !err.empty()) return err;
    }
    // Every answer of the window can arrive between two turns: a buffer for each, within reason.
    const std::uint32_t window = per_worker * config_.in_flight;
    const std::uint32_t buffers = std::bit_ceil(window < kMaxRecvBuffers ? window : kMaxRecvBuffers);
    // One submission per request of a turn (a full window at most, then the queue is submitted
    // early) and the receives.
    if (auto err = ring_.init(4096, true); !err.empty()) return err;
    if (auto err = buffers_.init(ring_, 0, buffers < 64 ? 64 : buffers, kRecvBufferSize); !err.empty()) return err;
    return {};
}

std::string UdpWorker::first_connection_id(Socket& s) {
    // Outside the window: slot indices stay below 32768, so this id never matches a slot.
    constexpr std::uint32_t kTid = 0xffffffffu;
    std::array<std::uint8_t, kResponseBuf> buf;
    for (int attempt = 0; attempt < 3; ++attempt) {
        const std::size_t n = proto::udp::encode_connect(buf, kTid);
        if (::send(s.fd, buf.data(), n, 0) != static_cast<ssize_t>(n)) return std::string("send: ") + std::strerror(errno);
        const std::uint64_t deadline = now_ns() + std::uint64_t{config_.timeout_ms} * 1'000'000u;
        for (std::uint64_t now = now_ns(); now < deadline; now = now_ns()) {
            pollfd p{s.fd, POLLIN, 0};
            if (::poll(&p, 1, static_cast<int>((deadline - now) / 1'000'000u) + 1) <= 0) continue;
            const ssize_t got = ::recv(s.fd, buf.data(), buf.size(), MSG_DONTWAIT);
            proto::udp::Response r;
            if (got <= 0 || proto::udp::parse_response(std::span(buf.data(), static_cast<std::size_t>(got)),
                                                       proto::udp::kPeerV4Size, r) != nullptr ||
                r.transaction_id != kTid || r.action != proto::udp::Action::connect)
                continue;
            s.connection_id = r.connection_id;
            s.connection_id_at = now_ns();
            s.have_connection_id = true;
            return {};
        }
    }
    return "no answer to a BEP 15 connect from " + s.target->host + " (" + std::to_string(3 * config_.timeout_ms) +
           " ms)";
}

bool UdpWorker::send_one(Socket& s, std::uint64_t now, std::uint64_t sent_ns, Counters& c) {
    if (s.free_slots.empty() || budget_ == 0) return false;
    Kind kind = Kind::announce;
    const bool renew = s.have_connection_id && config_.connection_id_renew_s != 0 &&
                       now - s.connection_id_at > std::uint64_t{config_.connection_id_renew_s} * 1'000'000'000u;
    if (!s.have_connection_id || renew) {
        if (s.connecting) {
            if (!s.have_connection_id) return false;  // nothing else can go out before the first id
        } else {
            kind = Kind::connect;
        }
    }
    if (kind != Kind::connect) {
        if (config_.fill) {
            if (s.peers.next_fill >= s.peers.count) return false;
        } else {
            kind = traffic_.next_kind(rng_, true);
        }
    }

    const std::uint16_t slot_index = s.free_slots.back();
    Slot& slot = s.slots[slot_index];
    const std::uint32_t tid = transaction_id(slot_index, static_cast<std::uint16_t>(slot.generation + 1));
    std::span<std::uint8_t> out(s.requests.get() + std::size_t{slot_index} * kRequestBuf, kRequestBuf);
    std::size_t n = 0;
    switch (kind) {
        case Kind::connect:
            n = proto::udp::encode_connect(out, tid);
            break;
        case Kind::announce: {
            if (s.peers.count == 0) return false;
            const std::uint32_t local = config_.fill ? s.peers.next_fill++ : rng_.below(s.peers.count);
            const std::uint32_t peer = s.peers.global(local);
            proto::Announce a;
            traffic_.announce(peer, local, s.source, rng_, a);
            const auto& urls = url_data_[static_cast<std::size_t>(s.target - config_.targets.data())];
            n = proto::udp::encode_announce(out, s.connection_id, tid, a, urls[peer % urls.size()]);
            break;
        }
        case Kind::scrape: {
            std::array<proto::InfoHash, proto::kMaxScrapeHashes> hashes;
            const std::size_t count = traffic_.scrape(rng_, hashes);
            n = proto::udp::encode_scrape(out, s.connection_id, tid, std::span(hashes.data(), count));
            break;
        }
    }
    if (n == 0) {
        ++c.invalid;  // cannot happen with the buffer sized above; counted rather than assumed
        return false;
    }
    // Only a failed send posts a completion: on success the slot's answer (or timeout) is what
    // frees it. A request the kernel refuses stays in its slot and times out, as a lost datagram
    // would; it is counted as a send error as well so the cause is visible.
    io_uring_sqe* sqe = ring_.sqe();
    io_uring_prep_send(sqe, s.fd, out.data(), n, 0);
    sqe->flags |= IOSQE_CQE_SKIP_SUCCESS;
    io_uring_sqe_set_data64(sqe, tag(kSend, static_cast<std::uint32_t>(&s - sockets_.data())));
    s.free_slots.pop_back();
    --budget_;
    slot.generation = static_cast<std::uint16_t>(slot.generation + 1);
    slot.sent_ns = sent_ns;
    slot.kind = kind;
    slot.busy = true;
    if (kind == Kind::connect) s.connecting = true;
    ++c.sent[static_cast<std::size_t>(kind)];
    return true;
}

void UdpWorker::arm_receive(std::uint32_t socket) noexcept {
    io_uring_sqe* sqe = ring_.sqe();
    io_uring_prep_recvmsg_multishot(sqe, sockets_[socket].fd, &recv_template_, 0);
    sqe->flags |= IOSQE_BUFFER_SELECT;
    sqe->buf_group = buffers_.group();
    io_uring_sqe_set_data64(sqe, tag(kRecv, socket));
}

void UdpWorker::on_datagram(Socket& s, std::span<const std::uint8_t> data, bool truncated, std::uint64_t now,
                            WorkerResult& out) {
    const std::size_t peer_size = s.target->v6 ? proto::udp::kPeerV6Size : proto::udp::kPeerV4Size;
    Counters& c = out.counters;
    proto::udp::Response r;
    if (truncated || proto::udp::parse_response(data, peer_size, r) != nullptr) {
        ++c.invalid;
        return;
    }
    const std::uint16_t slot_index = static_cast<std::uint16_t>(r.transaction_id & 0xffff);
    if (slot_index >= s.slots.size() || !s.slots[slot_index].busy ||
        s.slots[slot_index].generation != static_cast<std::uint16_t>(r.transaction_id >> 16)) {
        ++c.late;
        return;
    }
    Slot& slot = s.slots[slot_index];
    slot.busy = false;
    s.free_slots.push_back(slot_index);
    const auto k = static_cast<std::size_t>(slot.kind);
    if (slot.kind == Kind::connect) s.connecting = false;
    out.latency[k].record(now > slot.sent_ns ? now - slot.sent_ns : 0);
    if (r.action == proto::udp::Action::error) {
        ++c.error_responses[k];
        c.note_error(r.message);
        return;
    }
    if (static_cast<std::size_t>(r.action) != k) {
        ++c.invalid;
        return;
    }
    ++c.responses[k];
    if (slot.kind == Kind::connect) {
        s.connection_id = r.connection_id;
        s.connection_id_at = now;
        s.have_connection_id = true;
    } else if (slot.kind == Kind::announce) {
        c.response_peers += r.peers.size() / peer_size;
    }
}

void UdpWorker::expire(Socket& s, std::uint64_t now, Counters& c) {
    const std::uint64_t timeout = std::uint64_t{config_.timeout_ms} * 1'000'000u;
    for (std::size_t i = 0; i < s.slots.size(); ++i) {
        Slot& slot = s.slots[i];
        if (!slot.busy || now - slot.sent_ns < timeout) continue;
        slot.busy = false;
        s.free_slots.push_back(static_cast<std::uint16_t>(i));
        ++c.timeouts[static_cast<std::size_t>(slot.kind)];
        if (slot.kind == Kind::connect) s.connecting = false;
        // A lost announce of a peer in fill mode is not retried: the tracker's peer count shows it.
    }
}

bool UdpWorker::finished(const Socket& s) const noexcept {
    const bool nothing_to_send = budget_ == 0 || (config_.fill && s.peers.next_fill >= s.peers.count);
    return nothing_to_send && s.free_slots.size() == s.slots.size();
}

void UdpWorker::run(std::uint64_t start_ns, std::uint64_t end_ns, WorkerResult& out) {
    precise_timers();
    const ThreadCpu cpu0 = thread_cpu();
    Counters& c = out.counters;
    if (auto err = ring_.enable(); !err.empty()) {
        log::error("cannot start the worker's io_uring", {{"reason", err}});
        c.send_errors += 1;
        return;
    }
    for (std::uint32_t i = 0; i < sockets_.size(); ++i) arm_receive(i);
    std::vector<std::uint8_t> rearm(sockets_.size(), 0);
    Pacer pacer(config_.rate / config_.workers, start_ns);
    std::uint64_t next_expire = start_ns + kExpireEveryNs;
    std::size_t first = 0;  // the socket served first in a turn, rotating so none is favoured
    std::uint64_t now = now_ns();
    while (now < end_ns) {
        if (pacer.open_loop()) {
            // Each request that fell due goes to the next socket with room, round robin. Once no
            // socket has room, the rest of those due are unsent.
            std::uint64_t scheduled = 0;
            while (budget_ > 0 && pacer.take(now, scheduled)) {
                bool sent = false;
                for (std::size_t step = 0; step < sockets_.size() && !sent; ++step) {
                    first = (first + 1) % sockets_.size();
                    sent = send_one(sockets_[first], now, scheduled, c);
                }
                if (!sent) {
                    c.unsent += 1 + pacer.skip(now);
                    break;
                }
            }
        } else {
            first = (first + 1) % sockets_.size();
            for (std::size_t step = 0; step < sockets_.size(); ++step)
                while (send_one(sockets_[(first + step) % sockets_.size()], now, now, c)) {
                }
        }
        if (now >= next_expire) {
            for (auto& s : sockets_) expire(s, now, c);
            next_expire = now + kExpireEveryNs;
        }
        bool done = true;
        for (const auto& s : sockets_) done = done && finished(s);
        if (done) break;
        // Submits this turn's requests and sleeps until an answer comes, the next request is due,
        // or the next timeout check, so an idle load generator does not burn its core.
        std::uint64_t wake = next_expire < end_ns ? next_expire : end_ns;
        if (pacer.open_loop() && pacer.due_ns() < wake) wake = pacer.due_ns();
        buffers_.publish();
        ring_.submit_and_wait(1, wake > now ? wake - now : 0);
        // A closed-loop request is timed from the turn it was sent in to the turn its answer is
        // reaped in: one clock read per turn.
        now = now_ns();
        ring_.reap([&](const io_uring_cqe& cqe) {
            const std::uint32_t index = tag_index(cqe.user_data);
            if (tag_op(cqe.user_data) == kSend) {
                ++c.send_errors;
                return;
            }
            // Without IORING_CQE_F_MORE the multishot receive has ended (-ENOBUFS when every
            // buffer was taken: back-pressure); it is armed again after this turn's are returned.
            if (!(cqe.flags & IORING_CQE_F_MORE)) rearm[index] = 1;
            std::uint16_t id = 0;
            if (cqe.res <= 0 || !cqe_buffer(cqe, id)) return;
            std::uint8_t* data = buffers_.data(id);
            if (io_uring_recvmsg_out* o = io_uring_recvmsg_validate(data, cqe.res, &recv_template_)) {
                const auto* payload = static_cast<const std::uint8_t*>(io_uring_recvmsg_payload(o, &recv_template_));
                on_datagram(sockets_[index],
                            std::span(payload, io_uring_recvmsg_payload_length(o, cqe.res, &recv_template_)),
                            (o->flags & MSG_TRUNC) != 0, now, out);
            }
            buffers_.recycle(id);
        });
        for (std::uint32_t i = 0; i < sockets_.size(); ++i) {
            if (!rearm[i]) continue;
            rearm[i] = 0;
            arm_receive(i);
        }
    }
    for (auto& s : sockets_) c.outstanding_at_end += s.slots.size() - s.free_slots.size();
    const ThreadCpu cpu1 = thread_cpu();
    out.cpu_user_ns = cpu1.user_ns - cpu0.user_ns;
    out.cpu_sys_ns = cpu1.sys_ns - cpu0.sys_ns;
    out.wall_ns = now_ns() - start_ns;
}

}  // namespace swarmline::loadgen
