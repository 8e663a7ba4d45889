// Decides what the fast path does with one received Ethernet frame: answer it here (ARP, neighbour
// solicitation, echo, a tracker datagram), hand it to the kernel through the exception path
// (TCP for HTTP, other ICMP, anything not understood), or drop it (not for us, or malformed in a way
// the kernel would drop too). Reads only; the answers are written by responder.hpp.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "io/dpdk/local_addresses.hpp"
#include "proto/types.hpp"

namespace swarmline::io::dpdk {

enum class Action : std::uint8_t {
    drop,
    to_kernel,
    answer_arp,       // an ARP request for one of our IPv4 addresses
    answer_neighbor,  // an IPv6 neighbour solicitation for one of our addresses
    answer_echo,      // an ICMP or ICMPv6 echo request to one of our addresses
    udp,              // a datagram to one of the tracker's UDP endpoints
};

struct Classified {
    Action action = Action::drop;
    bool v6 = false;
    std::uint16_t l4 = 0;               // offset of the ICMP/ICMPv6/UDP header
    std::uint16_t payload = 0;          // UDP: offset of the datagram's payload
    std::uint16_t payload_length = 0;   // UDP: its length; ICMP: the ICMP message length
    std::uint32_t endpoint = 0;         // UDP: the index of the LocalAddresses UDP endpoint
    proto::Endpoint peer{};             // UDP: the sender's address and port
};

// `frame` is the received frame (it may carry Ethernet padding past the IP packet).
[[nodiscard]] Classified classify(std::span<const std::uint8_t> frame, const LocalAddresses& local) noexcept;

}  // namespace swarmline::io::dpdk
