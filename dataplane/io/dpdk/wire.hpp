// Wire formats the fast path reads and rewrites in place: Ethernet II, ARP, IPv4, IPv6, ICMP,
// ICMPv6 and UDP, as offsets and big-endian loads/stores over a frame's bytes. The packet layer
// works on plain byte spans (no DPDK types), so it is unit-tested and benchmarked without a NIC.
// Every caller checks the frame length before reaching an offset; these helpers do not.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>

namespace swarmline::io::dpdk::wire {

using Mac = std::array<std::uint8_t, 6>;
using Ipv6 = std::array<std::uint8_t, 16>;

inline std::uint16_t load16(const std::uint8_t* p) noexcept {
    return static_cast<std::uint16_t>((p[0] << 8) | p[1]);
}
inline std::uint32_t load32(const std::uint8_t* p) noexcept {
    return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) | p[3];
}
inline void store16(std::uint8_t* p, std::uint16_t v) noexcept {
    p[0] = static_cast<std::uint8_t>(v >> 8);
    p[1] = static_cast<std::uint8_t>(v);
}
// Addresses stay in network byte order as raw bytes; swapping two of them in place is a swap of
// byte ranges.
template <std::size_t N>
inline void swap_bytes(std::uint8_t* a, std::uint8_t* b) noexcept {
    std::array<std::uint8_t, N> t;
    std::memcpy(t.data(), a, N);
    std::memcpy(a, b, N);
    std::memcpy(b, t.data(), N);
}

// Ethernet II (no VLAN tag: tagged frames go to the kernel, which owns VLAN configuration).
inline constexpr std::size_t kEthHeader = 14;
inline constexpr std::size_t kEthDst = 0;
inline constexpr std::size_t kEthSrc = 6;
inline constexpr std::size_t kEthType = 12;
inline constexpr std::uint16_t kEtherIpv4 = 0x0800;
inline constexpr std::uint16_t kEtherArp = 0x0806;
inline constexpr std::uint16_t kEtherIpv6 = 0x86dd;

// ARP for IPv4 over Ethernet (RFC 826): 28 bytes after the Ethernet header.
inline constexpr std::size_t kArpSize = 28;
inline constexpr std::size_t kArpOper = 6;
inline constexpr std::size_t kArpSha = 8;
inline constexpr std::size_t kArpSpa = 14;
inline constexpr std::size_t kArpTha = 18;
inline constexpr std::size_t kArpTpa = 24;
inline constexpr std::uint16_t kArpRequest = 1;
inline constexpr std::uint16_t kArpReply = 2;

// IPv4 (RFC 791). The fast path takes only headers without options (IHL 5).
inline constexpr std::size_t kIpv4Header = 20;
inline constexpr std::size_t kIpv4TotalLength = 2;
inline constexpr std::size_t kIpv4FragOff = 6;
inline constexpr std::size_t kIpv4Ttl = 8;
inline constexpr std::size_t kIpv4Proto = 9;
inline constexpr std::size_t kIpv4Checksum = 10;
inline constexpr std::size_t kIpv4Src = 12;
inline constexpr std::size_t kIpv4Dst = 16;

// IPv6 (RFC 8200). The fast path takes only UDP or ICMPv6 directly after the fixed header.
inline constexpr std::size_t kIpv6Header = 40;
inline constexpr std::size_t kIpv6PayloadLength = 4;
inline constexpr std::size_t kIpv6NextHeader = 6;
inline constexpr std::size_t kIpv6HopLimit = 7;
inline constexpr std::size_t kIpv6Src = 8;
inline constexpr std::size_t kIpv6Dst = 24;

inline constexpr std::uint8_t kProtoIcmp = 1;
inline constexpr std::uint8_t kProtoUdp = 17;
inline constexpr std::uint8_t kProtoIcmpv6 = 58;

inline constexpr std::size_t kUdpHeader = 8;
inline constexpr std::size_t kUdpLength = 4;
inline constexpr std::size_t kUdpChecksum = 6;

// ICMP and ICMPv6 share type, code, checksum at the start.
inline constexpr std::size_t kIcmpHeader = 8;
inline constexpr std::size_t kIcmpChecksum = 2;
inline constexpr std::uint8_t kIcmpEchoReply = 0;
inline constexpr std::uint8_t kIcmpEchoRequest = 8;
inline constexpr std::uint8_t kIcmpv6EchoRequest = 128;
inline constexpr std::uint8_t kIcmpv6EchoReply = 129;
inline constexpr std::uint8_t kIcmpv6NeighborSolicitation = 135;
inline constexpr std::uint8_t kIcmpv6NeighborAdvertisement = 136;
// Neighbour discovery (RFC 4861): 4 bytes of flags/reserved, then the 16-byte target address,
// then options; a solicitation and an advertisement both have this 24-byte body.
inline constexpr std::size_t kNdBody = 24;
inline constexpr std::size_t kNdTarget = 8;
inline constexpr std::size_t kNdOptions = 24;
inline constexpr std::uint8_t kNdOptTargetLinkAddr = 2;
inline constexpr std::size_t kNdLinkAddrOption = 8;  // type, length (in units of 8 bytes), MAC
// ND packets must arrive with hop limit 255, proof they were not forwarded by a router.
inline constexpr std::uint8_t kNdHopLimit = 255;
// NA flags: Solicited and Override (we are the authority for our own addresses).
inline constexpr std::uint8_t kNaSolicitedOverride = 0x60;

// The hop limit / TTL our own replies leave with (Linux's default).
inline constexpr std::uint8_t kReplyTtl = 64;

}  // namespace swarmline::io::dpdk::wire
