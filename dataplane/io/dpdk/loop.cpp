#include "io/dpdk/loop.hpp"

#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <time.h>
#include <unistd.h>

#include <cstring>

#include "io/dpdk/fragment.hpp"
#include "io/dpdk/frame.hpp"
#include "io/dpdk/ring_waker.hpp"
#include "io/worker.hpp"

namespace swarmline::io::dpdk {
namespace {

std::uint64_t now_seconds() noexcept {
    // The coarse clock is a vDSO read of the last tick: cheap enough once per burst, and a
    // second's resolution is all the Worker's clock needs.
    timespec ts;
    clock_gettime(CLOCK_REALTIME_COARSE, &ts);
    return static_cast<std::uint64_t>(ts.tv_sec);
}

std::span<std::uint8_t> whole_buffer(rte_mbuf* m) noexcept {
    // From the frame's start to the end of the buffer: what a reply may use.
    return {rte_pktmbuf_mtod(m, std::uint8_t*), static_cast<std::size_t>(m->buf_len - m->data_off)};
}

bool checksum_flagged_bad(const rte_mbuf* m) noexcept {
    return (m->ol_flags & RTE_MBUF_F_RX_IP_CKSUM_MASK) == RTE_MBUF_F_RX_IP_CKSUM_BAD ||
           (m->ol_flags & RTE_MBUF_F_RX_L4_CKSUM_MASK) == RTE_MBUF_F_RX_L4_CKSUM_BAD;
}

// The largest headers a UDP reply gets (Ethernet, IPv6, UDP): a hand-over buffer keeps room for
// them in front of the payload whatever the family turns out to be.
constexpr std::size_t kMaxUdpHeaders = udp_payload_offset(true);

}  // namespace

Loop::~Loop() {
    if (handoff_mbuf_) rte_pktmbuf_free(handoff_mbuf_);
    rte_pktmbuf_free_bulk(nic_tx_, nic_tx_n_);
    rte_pktmbuf_free_bulk(kernel_tx_, kernel_tx_n_);
}

void Loop::set_tx_offload(rte_mbuf* m, bool v6) const noexcept {
    m->ol_flags = 0;
    if (!s_.tx_offload.ipv4_header && !s_.tx_offload.udp) return;
    m->l2_len = wire::kEthHeader;
    m->l3_len = v6 ? wire::kIpv6Header : wire::kIpv4Header;
    m->ol_flags = v6 ? RTE_MBUF_F_TX_IPV6 : RTE_MBUF_F_TX_IPV4;
    if (!v6 && s_.tx_offload.ipv4_header) m->ol_flags |= RTE_MBUF_F_TX_IP_CKSUM;
    if (s_.tx_offload.udp) m->ol_flags |= RTE_MBUF_F_TX_UDP_CKSUM;
}

void Loop::reply(rte_mbuf* m, std::size_t length) noexcept {
    if (length == 0) {
        s_.counters->add(PortCounter::dropped);
        rte_pktmbuf_free(m);
        return;
    }
    m->data_len = static_cast<std::uint16_t>(length);
    m->pkt_len = static_cast<std::uint32_t>(length);
    to_nic(m);
}

void Loop::to_nic(rte_mbuf* m) noexcept {
    nic_tx_[nic_tx_n_++] = m;
    if (nic_tx_n_ == kBurst) flush();
}

void Loop::to_kernel(rte_mbuf* m) noexcept {
    if (!s_.exception_path) {
        s_.counters->add(PortCounter::dropped);
        rte_pktmbuf_free(m);
        return;
    }
    kernel_tx_[kernel_tx_n_++] = m;
    if (kernel_tx_n_ == kBurst) flush();
}

void Loop::flush() noexcept {
    if (nic_tx_n_) {
        const std::uint16_t sent = rte_eth_tx_burst(s_.nic, s_.queue, nic_tx_, nic_tx_n_);
        s_.counters->add(PortCounter::tx, sent);
        if (sent < nic_tx_n_) {
            // Dropping beats waiting: the client retries, and a full ring means the link is the limit.
            s_.counters->add(PortCounter::tx_dropped, nic_tx_n_ - sent);
            rte_pktmbuf_free_bulk(nic_tx_ + sent, nic_tx_n_ - sent);
        }
        nic_tx_n_ = 0;
    }
    if (kernel_tx_n_) {
        const std::uint16_t sent = rte_eth_tx_burst(s_.tap, s_.queue, kernel_tx_, kernel_tx_n_);
        s_.counters->add(PortCounter::to_kernel, sent);
        if (sent < kernel_tx_n_) {
            s_.counters->add(PortCounter::to_kernel_dropped, kernel_tx_n_ - sent);
            rte_pktmbuf_free_bulk(kernel_tx_ + sent, kernel_tx_n_ - sent);
        }
        kernel_tx_n_ = 0;
    }
}

void Loop::on_frame(rte_mbuf* m) noexcept {
    if (m->nb_segs != 1) {
        s_.counters->add(PortCounter::dropped);
        rte_pktmbuf_free(m);
        return;
    }
    const std::span<const std::uint8_t> frame(rte_pktmbuf_mtod(m, const std::uint8_t*), m->data_len);
    const Classified c = classify(frame, *s_.local);
    switch (c.action) {
        case Action::udp:
            on_udp(m, c);
            return;
        case Action::to_kernel:
            to_kernel(m);
            return;
        case Action::answer_arp:
            s_.counters->add(PortCounter::answered_arp);
            m->ol_flags = 0;
            reply(m, answer_arp(whole_buffer(m), *s_.local));
            return;
        case Action::answer_neighbor:
            s_.counters->add(PortCounter::answered_neighbor);
            m->ol_flags = 0;
            reply(m, answer_neighbor(whole_buffer(m), c, *s_.local));
            return;
        case Action::answer_echo:
            s_.counters->add(PortCounter::answered_echo);
            m->ol_flags = 0;
            reply(m, answer_echo(whole_buffer(m), c, *s_.local));
            return;
        case Action::drop:
            break;
    }
    s_.counters->add(PortCounter::dropped);
    rte_pktmbuf_free(m);
}

void Loop::on_udp(rte_mbuf* m, const Classified& c) noexcept {
    if ((s_.rx_checksum_flags && checksum_flagged_bad(m)) || c.payload_length > sizeof request_) {
        s_.counters->add(PortCounter::dropped);
        rte_pktmbuf_free(m);
        return;
    }
    const std::uint8_t* frame = rte_pktmbuf_mtod(m, const std::uint8_t*);
    // The owner of the swarm may be another worker, which will need this sender's MAC.
    wire::Mac src;
    std::memcpy(src.data(), frame + wire::kEthSrc, 6);
    if (s_.local->on_link(c.peer.ip))
        s_.neighbors->learn(c.peer.ip, src);
    else
        s_.neighbors->learn_gateway(src);

    std::memcpy(request_, frame + c.payload, c.payload_length);
    const std::span<std::uint8_t> buffer = whole_buffer(m);
    const std::size_t n = worker_.on_datagram({request_, c.payload_length}, c.peer, c.endpoint, buffer.subspan(c.payload));
    if (n == 0) {  // dropped, or handed to the owner, which answers from its own queue
        rte_pktmbuf_free(m);
        return;
    }
    if (n > udp_reply_capacity(c, buffer.size(), s_.mtu)) {
        // The Worker's buffer (kUdpReplyCapacity) fits in ours whole: build the datagram, then cut it.
        send_fragments(m, finish_udp_reply(buffer, c, n, *s_.local, {}), c.v6);
        return;
    }
    set_tx_offload(m, c.v6);
    reply(m, finish_udp_reply(buffer, c, n, *s_.local, s_.tx_offload));
}

std::span<std::uint8_t> Loop::buffer() noexcept {
    if (!handoff_mbuf_) handoff_mbuf_ = rte_pktmbuf_alloc(s_.pool);
    if (!handoff_mbuf_) {
        s_.counters->add(PortCounter::no_mbuf);
        return {};
    }
    std::uint8_t* payload = static_cast<std::uint8_t*>(handoff_mbuf_->buf_addr) + RTE_PKTMBUF_HEADROOM + kMaxUdpHeaders;
    return {payload, handoff_mbuf_->buf_len - RTE_PKTMBUF_HEADROOM - kMaxUdpHeaders};
}

void Loop::send(std::size_t length, std::uint32_t socket, const proto::Endpoint& to) noexcept {
    rte_mbuf* m = handoff_mbuf_;
    if (!m) return;
    const bool v6 = !to.v4();
    UdpAddressing a;
    a.src_mac = s_.local->mac();
    a.dst = to;
    if (!s_.local->source_of(socket, v6, a.src)) {
        s_.counters->add(PortCounter::dropped);
        return;  // the mbuf stays for the next buffer()
    }
    const bool known = s_.local->on_link(to.ip) ? s_.neighbors->find(to.ip, a.dst_mac) : s_.neighbors->gateway(a.dst_mac);
    if (!known) {
        s_.counters->add(PortCounter::no_neighbor);
        return;
    }
    const std::size_t headers = udp_payload_offset(v6);
    const bool fits = length + headers - wire::kEthHeader <= s_.mtu;
    // The payload sits after room for the largest headers; an IPv4 frame starts later.
    m->data_off = static_cast<std::uint16_t>(RTE_PKTMBUF_HEADROOM + kMaxUdpHeaders - headers);
    const std::size_t frame_length = write_udp_frame(whole_buffer(m), v6, a, length, fits ? s_.tx_offload : ChecksumOffload{});
    if (frame_length == 0) {
        s_.counters->add(PortCounter::dropped);
        return;
    }
    handoff_mbuf_ = nullptr;
    if (!fits) {
        send_fragments(m, frame_length, v6);
        return;
    }
    set_tx_offload(m, v6);
    reply(m, frame_length);
}

void Loop::send_fragments(rte_mbuf* m, std::size_t length, bool v6) noexcept {
    const std::size_t k = fragments_needed(length, v6, s_.mtu);
    rte_mbuf* fragments[kMaxFragments];
    if (k == 0) {
        s_.counters->add(PortCounter::reply_too_large);
        rte_pktmbuf_free(m);
        return;
    }
    if (rte_pktmbuf_alloc_bulk(s_.pool, fragments, static_cast<unsigned>(k)) != 0) {
        s_.counters->add(PortCounter::no_mbuf);
        rte_pktmbuf_free(m);
        return;
    }
    // Unique per worker (at most 16, the queue in the low bits) for as long as a receiver keeps a
    // half-reassembled datagram: 4096 fragmented replies per worker before an IPv4 id repeats.
    const std::uint32_t id = (fragment_ids_++ << 4) | (s_.queue & 0xf);
    const std::span<const std::uint8_t> frame(rte_pktmbuf_mtod(m, const std::uint8_t*), length);
    for (std::size_t i = 0; i < k; ++i) {
        fragments[i]->ol_flags = 0;  // every checksum is already in the bytes
        reply(fragments[i], write_fragment(frame, v6, s_.mtu, id, i, whole_buffer(fragments[i])));
    }
    s_.counters->add(PortCounter::fragmented);
    rte_pktmbuf_free(m);
}

void Loop::deliver(ConnRef, std::string_view, bool) noexcept {
    // HTTP connections live on the kernel side of the exception path, served by io_uring workers;
    // a DPDK worker owns none, so a reply addressed to one of its connections has nowhere to go.
    s_.counters->add(PortCounter::stray_http);
}

std::uint16_t Loop::forward_from_kernel() noexcept {
    if (!s_.exception_path) return 0;
    rte_mbuf* burst[kBurst];
    const std::uint16_t n = rte_eth_rx_burst(s_.tap, s_.queue, burst, kBurst);
    if (n == 0) return 0;
    s_.counters->add(PortCounter::from_kernel, n);
    // The kernel side carries our MAC and addresses, so its frames leave as they are.
    for (std::uint16_t i = 0; i < n; ++i) {
        burst[i]->ol_flags = 0;
        to_nic(burst[i]);
    }
    return n;
}

void Loop::run(const std::atomic<bool>& quit) noexcept {
    std::uint64_t now = now_seconds();
    std::uint64_t next_housekeeping = now + 1;
    std::uint32_t idle = 0;
    rte_mbuf* burst[kBurst];
    // Relaxed: the flag carries no data; the thread that set it joins this one afterwards.
    while (!quit.load(std::memory_order_relaxed)) {
        const std::uint16_t n = rte_eth_rx_burst(s_.nic, s_.queue, burst, kBurst);
        if (n) {
            now = now_seconds();
            worker_.begin_batch(now);
            s_.counters->add(PortCounter::rx, n);
            for (std::uint16_t i = 0; i < n; ++i) on_frame(burst[i]);
        }
        const std::uint16_t k = forward_from_kernel();
        worker_.drain(*this, *this);
        // DPDK workers poll and need no wake-up; the HTTP workers sleep in io_uring until one comes.
        const std::uint64_t wake = worker_.take_wake_mask();
        if (wake && s_.waker) s_.waker->wake(wake);
        flush();
        if (n == 0 && k == 0) {
            // Idle: read the clock now and then (housekeeping still runs), and after a long quiet
            // spell sleep between polls if asked to (a shared host), never while traffic flows.
            ++idle;
            if (s_.idle_sleep_us && idle > 1024) {
                usleep(s_.idle_sleep_us);
                now = now_seconds();
            } else if ((idle & 1023) == 0) {
                now = now_seconds();
            }
        } else {
            idle = 0;
        }
        if (now >= next_housekeeping) {
            next_housekeeping = now + 1;
            worker_.housekeeping(now);
        }
    }
    worker_.drain(*this, *this);
    flush();
}

}  // namespace swarmline::io::dpdk
