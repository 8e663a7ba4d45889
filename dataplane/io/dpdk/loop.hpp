// One worker's DPDK loop: receive a burst from its NIC queue, answer in place what the fast path
// answers (ARP, neighbour solicitation, echo, tracker datagrams through the Worker), pass the rest
// to the kernel on its exception (tap) queue, forward what the kernel sends back out of the NIC,
// and send the replies the Worker owes for requests other workers handed over. One queue pair on
// each port per worker: no queue, buffer or counter is shared, so nothing here takes a lock.
#pragma once

#include <atomic>
#include <cstdint>
#include <iterator>
#include <string_view>

#include "io/dpdk/local_addresses.hpp"
#include "io/dpdk/neighbor_table.hpp"
#include "io/dpdk/responder.hpp"
#include "io/worker_io.hpp"

struct rte_mbuf;
struct rte_mempool;

namespace swarmline::io {
class Worker;
}

namespace swarmline::io::dpdk {

class RingWaker;

// What the loop counts (the Worker counts the requests themselves). One writer, relaxed: see
// io/counters.hpp for why a load and store suffice.
enum class PortCounter : std::uint8_t {
    rx,                // frames received from the NIC
    tx,                // frames sent on the NIC (answers, replies, the kernel's)
    tx_dropped,        // the NIC's transmit ring was full
    answered_arp,
    answered_neighbor,
    answered_echo,
    to_kernel,         // frames handed to the exception interface
    to_kernel_dropped, // the exception interface's ring was full
    from_kernel,       // frames the kernel sent, forwarded to the NIC
    dropped,           // not for us, malformed, bad checksum flagged by the NIC, multi-segment
    fragmented,        // replies larger than one packet of the MTU, sent as IP fragments
    reply_too_large,   // a reply that would need more than kMaxFragments fragments
    no_neighbor,       // a handed-over reply to an address whose MAC no worker has seen
    no_mbuf,           // the pool was empty for a handed-over reply
    stray_http,        // an HTTP reply delivered to a DPDK worker, which holds no connections
    count_
};

// The counters' names in /metrics, in the order of PortCounter.
inline constexpr std::string_view kPortCounterNames[] = {
    "rx", "tx", "tx_dropped", "answered_arp", "answered_neighbor", "answered_echo", "to_kernel",
    "to_kernel_dropped", "from_kernel", "dropped", "fragmented", "reply_too_large", "no_neighbor", "no_mbuf",
    "stray_http"};
static_assert(std::size(kPortCounterNames) == static_cast<std::size_t>(PortCounter::count_));

struct alignas(64) PortCounters {
    std::atomic<std::uint64_t> values[static_cast<std::size_t>(PortCounter::count_)]{};
    void add(PortCounter c, std::uint64_t n = 1) noexcept {
        auto& v = values[static_cast<std::size_t>(c)];
        v.store(v.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
    }
    [[nodiscard]] std::uint64_t get(PortCounter c) const noexcept {
        return values[static_cast<std::size_t>(c)].load(std::memory_order_relaxed);
    }
};

struct LoopSetup {
    std::uint16_t nic = 0;
    std::uint16_t tap = 0;
    bool exception_path = true;  // false: no tap; what the fast path does not answer is dropped
    std::uint16_t queue = 0;
    rte_mempool* pool = nullptr;
    const LocalAddresses* local = nullptr;
    NeighborTable* neighbors = nullptr;
    PortCounters* counters = nullptr;
    ChecksumOffload tx_offload{};
    bool rx_checksum_flags = false;  // the NIC reports bad IP/L4 checksums in the mbuf flags
    std::uint32_t mtu = 1500;
    std::uint32_t idle_sleep_us = 0;
    RingWaker* waker = nullptr;  // wakes the io_uring HTTP workers this loop sent replies to; null: none
};

class Loop final : UdpOut, HttpOut {
public:
    static constexpr std::uint16_t kBurst = 32;

    Loop(Worker& worker, const LoopSetup& setup) noexcept : worker_(worker), s_(setup) {}
    ~Loop();
    Loop(const Loop&) = delete;
    Loop& operator=(const Loop&) = delete;

    // Polls until `quit` is set; then sends what is queued and returns.
    void run(const std::atomic<bool>& quit) noexcept;
    // One received frame (exposed for the benchmark that feeds mbufs without a NIC). The mbuf is
    // queued for the NIC, the kernel, or freed.
    void on_frame(rte_mbuf* m) noexcept;
    // Sends what on_frame and the hand-over replies queued.
    void flush() noexcept;

private:
    std::span<std::uint8_t> buffer() noexcept override;
    void send(std::size_t length, std::uint32_t socket, const proto::Endpoint& to) noexcept override;
    void deliver(ConnRef conn, std::string_view reply, bool close) noexcept override;

    void on_udp(rte_mbuf* m, const Classified& c) noexcept;
    void reply(rte_mbuf* m, std::size_t length) noexcept;
    void to_nic(rte_mbuf* m) noexcept;
    void to_kernel(rte_mbuf* m) noexcept;
    std::uint16_t forward_from_kernel() noexcept;
    void set_tx_offload(rte_mbuf* m, bool v6) const noexcept;
    // Sends the complete reply frame in `m` (software checksums) as IP fragments, and frees `m`.
    void send_fragments(rte_mbuf* m, std::size_t length, bool v6) noexcept;

    Worker& worker_;
    LoopSetup s_;
    rte_mbuf* nic_tx_[kBurst];
    std::uint16_t nic_tx_n_ = 0;
    rte_mbuf* kernel_tx_[kBurst];
    std::uint16_t kernel_tx_n_ = 0;
    rte_mbuf* handoff_mbuf_ = nullptr;  // the buffer() handed out and not yet sent
    std::uint32_t fragment_ids_ = 0;
    // The request is copied out of the frame before the Worker writes the reply where it was: a
    // datagram is at most one packet of the MTU (jumbo frames are not taken).
    alignas(64) std::uint8_t request_[2048];
};

}  // namespace swarmline::io::dpdk
