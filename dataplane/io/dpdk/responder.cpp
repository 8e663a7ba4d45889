#include "io/dpdk/responder.hpp"

#include <algorithm>
#include <cstring>

#include "io/dpdk/checksum.hpp"

namespace swarmline::io::dpdk {
namespace {

using namespace wire;

// Replies go back to the sender's MAC from ours.
void reply_ethernet(std::uint8_t* f, const LocalAddresses& local) noexcept {
    std::memcpy(f + kEthDst, f + kEthSrc, 6);
    std::memcpy(f + kEthSrc, local.mac().data(), 6);
}

// Addresses are already in place (swapped or written by the caller).
void write_ipv4_header(std::uint8_t* ip, std::size_t total, std::uint8_t proto, bool offload) noexcept {
    ip[0] = 0x45;
    ip[1] = 0;
    store16(ip + kIpv4TotalLength, static_cast<std::uint16_t>(total));
    store16(ip + 4, 0);           // identification: unused with DF set (RFC 6864)
    store16(ip + kIpv4FragOff, 0x4000);  // DF: a reply is never fragmented on the way
    ip[kIpv4Ttl] = kReplyTtl;
    ip[kIpv4Proto] = proto;
    store16(ip + kIpv4Checksum, 0);
    if (!offload) store16(ip + kIpv4Checksum, checksum::finish(checksum::add({ip, kIpv4Header})));
}

void write_ipv6_header(std::uint8_t* ip, std::size_t payload, std::uint8_t next, std::uint8_t hop_limit) noexcept {
    ip[0] = 0x60;  // version 6, traffic class and flow label 0
    ip[1] = ip[2] = ip[3] = 0;
    store16(ip + kIpv6PayloadLength, static_cast<std::uint16_t>(payload));
    ip[kIpv6NextHeader] = next;
    ip[kIpv6HopLimit] = hop_limit;
}

// RFC 1624 eqn. 3: HC' = ~(~HC + ~m + m') for one 16-bit word changing from m to m'.
std::uint16_t adjust(std::uint16_t hc, std::uint16_t m, std::uint16_t m_new) noexcept {
    const std::uint64_t sum = std::uint64_t{static_cast<std::uint16_t>(~hc)} + static_cast<std::uint16_t>(~m) + m_new;
    return checksum::finish(sum);
}

}  // namespace

std::size_t answer_arp(std::span<std::uint8_t> frame, const LocalAddresses& local) noexcept {
    if (frame.size() < kEthHeader + kArpSize) return 0;
    std::uint8_t* f = frame.data();
    std::uint8_t* arp = f + kEthHeader;
    reply_ethernet(f, local);
    store16(arp + kArpOper, kArpReply);
    // Target becomes the requester; sender becomes us, at the address that was asked for.
    std::memcpy(arp + kArpTha, arp + kArpSha, 6);
    swap_bytes<4>(arp + kArpSpa, arp + kArpTpa);
    std::memcpy(arp + kArpSha, local.mac().data(), 6);
    // Ethernet's 60-byte minimum: the device pads shorter frames, the request's padding is reused.
    return kEthHeader + kArpSize;
}

std::size_t answer_neighbor(std::span<std::uint8_t> frame, const Classified& c, const LocalAddresses& local) noexcept {
    const std::size_t length = c.l4 + kNdBody + kNdLinkAddrOption;
    if (frame.size() < length) return 0;
    std::uint8_t* f = frame.data();
    std::uint8_t* ip = f + kEthHeader;
    std::uint8_t* nd = f + c.l4;
    reply_ethernet(f, local);
    // To the solicitor, from the address it asked about (the request may have gone to our
    // solicited-node multicast group, which is not a source).
    std::memcpy(ip + kIpv6Dst, ip + kIpv6Src, 16);
    std::memcpy(ip + kIpv6Src, nd + kNdTarget, 16);
    write_ipv6_header(ip, kNdBody + kNdLinkAddrOption, kProtoIcmpv6, kNdHopLimit);
    nd[0] = kIcmpv6NeighborAdvertisement;
    nd[1] = 0;
    nd[4] = kNaSolicitedOverride;
    nd[5] = nd[6] = nd[7] = 0;
    std::uint8_t* opt = nd + kNdOptions;
    opt[0] = kNdOptTargetLinkAddr;
    opt[1] = 1;  // in units of 8 bytes
    std::memcpy(opt + 2, local.mac().data(), 6);
    const std::size_t icmp_length = kNdBody + kNdLinkAddrOption;
    store16(nd + kIcmpChecksum, 0);
    std::uint64_t sum = checksum::pseudo_v6(ip + kIpv6Src, ip + kIpv6Dst, kProtoIcmpv6, icmp_length);
    store16(nd + kIcmpChecksum, checksum::finish(checksum::add({nd, icmp_length}, sum)));
    return length;
}

std::size_t answer_echo(std::span<std::uint8_t> frame, const Classified& c, const LocalAddresses& local) noexcept {
    const std::size_t length = c.l4 + c.payload_length;
    if (frame.size() < length) return 0;
    std::uint8_t* f = frame.data();
    std::uint8_t* ip = f + kEthHeader;
    std::uint8_t* icmp = f + c.l4;
    reply_ethernet(f, local);
    const std::uint16_t old_word = load16(icmp);
    if (c.v6) {
        swap_bytes<16>(ip + kIpv6Src, ip + kIpv6Dst);
        write_ipv6_header(ip, c.payload_length, kProtoIcmpv6, kReplyTtl);
        icmp[0] = kIcmpv6EchoReply;
    } else {
        swap_bytes<4>(ip + kIpv4Src, ip + kIpv4Dst);
        write_ipv4_header(ip, kIpv4Header + c.payload_length, kProtoIcmp, false);
        icmp[0] = kIcmpEchoReply;
    }
    // The pseudo header of ICMPv6 holds the same two addresses swapped: its sum is unchanged.
    store16(icmp + kIcmpChecksum, adjust(load16(icmp + kIcmpChecksum), old_word, load16(icmp)));
    return length;
}

std::size_t udp_reply_capacity(const Classified& c, std::size_t frame_capacity, std::size_t mtu) noexcept {
    const std::size_t headers = (c.v6 ? kIpv6Header : kIpv4Header) + kUdpHeader;
    if (frame_capacity <= c.payload || mtu <= headers) return 0;
    return std::min(frame_capacity - c.payload, mtu - headers);
}

std::size_t write_udp_frame(std::span<std::uint8_t> frame, bool v6, const UdpAddressing& a, std::size_t payload_length,
                            ChecksumOffload offload) noexcept {
    const std::size_t ip_header = v6 ? kIpv6Header : kIpv4Header;
    const std::size_t l4 = kEthHeader + ip_header;
    const std::size_t length = l4 + kUdpHeader + payload_length;
    if (frame.size() < length || payload_length > 0xffff - kIpv6Header - kUdpHeader) return 0;
    std::uint8_t* f = frame.data();
    std::uint8_t* ip = f + kEthHeader;
    std::uint8_t* udp = f + l4;
    const std::size_t udp_length = kUdpHeader + payload_length;
    std::memcpy(f + kEthDst, a.dst_mac.data(), 6);
    std::memcpy(f + kEthSrc, a.src_mac.data(), 6);
    store16(f + kEthType, v6 ? kEtherIpv6 : kEtherIpv4);
    store16(udp, a.src.port);
    store16(udp + 2, a.dst.port);
    store16(udp + kUdpLength, static_cast<std::uint16_t>(udp_length));
    store16(udp + kUdpChecksum, 0);
    std::uint64_t pseudo;
    if (v6) {
        write_ipv6_header(ip, udp_length, kProtoUdp, kReplyTtl);
        std::memcpy(ip + kIpv6Src, a.src.ip.data(), 16);
        std::memcpy(ip + kIpv6Dst, a.dst.ip.data(), 16);
        pseudo = checksum::pseudo_v6(ip + kIpv6Src, ip + kIpv6Dst, kProtoUdp, static_cast<std::uint32_t>(udp_length));
    } else {
        std::memcpy(ip + kIpv4Src, a.src.ip.data() + 12, 4);
        std::memcpy(ip + kIpv4Dst, a.dst.ip.data() + 12, 4);
        write_ipv4_header(ip, kIpv4Header + udp_length, kProtoUdp, offload.ipv4_header);
        pseudo = checksum::pseudo_v4(ip + kIpv4Src, ip + kIpv4Dst, kProtoUdp, static_cast<std::uint16_t>(udp_length));
    }
    if (offload.udp)
        store16(udp + kUdpChecksum, checksum::fold(pseudo));
    else
        store16(udp + kUdpChecksum, checksum::finish_udp(checksum::add({udp, udp_length}, pseudo)));
    return length;
}

std::size_t finish_udp_reply(std::span<std::uint8_t> frame, const Classified& c, std::size_t payload_length,
                             const LocalAddresses& local, ChecksumOffload offload) noexcept {
    if (frame.size() < c.payload) return 0;
    const std::uint8_t* f = frame.data();
    const std::uint8_t* ip = f + kEthHeader;
    // Read what the reply is addressed from before the headers are rewritten.
    UdpAddressing a;
    std::memcpy(a.dst_mac.data(), f + kEthSrc, 6);
    a.src_mac = local.mac();
    a.dst = c.peer;
    if (c.v6) {
        std::memcpy(a.src.ip.data(), ip + kIpv6Dst, 16);
    } else {
        a.src.ip[10] = a.src.ip[11] = 0xff;
        std::memcpy(a.src.ip.data() + 12, ip + kIpv4Dst, 4);
    }
    a.src.port = load16(f + c.l4 + 2);
    return write_udp_frame(frame, c.v6, a, payload_length, offload);
}

}  // namespace swarmline::io::dpdk
