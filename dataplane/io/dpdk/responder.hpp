// Turns a received frame into its reply in place, after classify() chose the action: the
// addresses are swapped and the headers rewritten in the same buffer, so an answer costs no copy
// and no allocation. Each function returns the reply's frame length, or 0 when `frame` (the
// buffer's whole capacity, not just the received bytes) is too small for the reply.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "io/dpdk/frame.hpp"
#include "io/dpdk/local_addresses.hpp"

namespace swarmline::io::dpdk {

// What the device computes on transmit. With offload the backend marks the buffer and the
// responder leaves the field as the device expects it (0 for the IPv4 header checksum, the folded
// pseudo-header sum for UDP); without, the responder computes the checksum in software.
struct ChecksumOffload {
    bool ipv4_header = false;
    bool udp = false;
};

std::size_t answer_arp(std::span<std::uint8_t> frame, const LocalAddresses& local) noexcept;
// A neighbour advertisement (solicited, override) with our MAC as target link-layer address.
std::size_t answer_neighbor(std::span<std::uint8_t> frame, const Classified& c, const LocalAddresses& local) noexcept;
// An echo reply carrying the request's identifier, sequence and data. The checksum is updated
// incrementally (RFC 1624), so a corrupted request yields a reply the sender also rejects.
std::size_t answer_echo(std::span<std::uint8_t> frame, const Classified& c, const LocalAddresses& local) noexcept;

// The most UDP payload a reply to `c` may carry: what fits in `frame_capacity` and in one IP packet
// of `mtu` bytes (the fast path does not fragment).
[[nodiscard]] std::size_t udp_reply_capacity(const Classified& c, std::size_t frame_capacity, std::size_t mtu) noexcept;
// The caller has written `payload_length` bytes of reply at `c.payload`; this writes the Ethernet,
// IP and UDP headers of the reply back to the sender (from the address and port it wrote to).
std::size_t finish_udp_reply(std::span<std::uint8_t> frame, const Classified& c, std::size_t payload_length,
                             const LocalAddresses& local, ChecksumOffload offload) noexcept;

// Who a UDP frame goes from and to; addresses in the 16-byte form (IPv4 mapped), ports host order.
struct UdpAddressing {
    wire::Mac dst_mac{};
    wire::Mac src_mac{};
    proto::Endpoint src{};
    proto::Endpoint dst{};
};
// The headers of a UDP frame whose `payload_length` bytes of payload are already at
// udp_payload_offset(v6): for a reply that was not built on the request's frame (one handed over
// by another worker). Returns the frame length, or 0 when it does not fit.
std::size_t write_udp_frame(std::span<std::uint8_t> frame, bool v6, const UdpAddressing& a, std::size_t payload_length,
                            ChecksumOffload offload) noexcept;
[[nodiscard]] constexpr std::size_t udp_payload_offset(bool v6) noexcept {
    return wire::kEthHeader + (v6 ? wire::kIpv6Header : wire::kIpv4Header) + wire::kUdpHeader;
}

}  // namespace swarmline::io::dpdk
