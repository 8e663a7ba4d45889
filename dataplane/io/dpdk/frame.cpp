#include "io/dpdk/frame.hpp"

#include <cstring>

#include "io/dpdk/checksum.hpp"

namespace swarmline::io::dpdk {
namespace {

using namespace wire;

Classified make(Action a) noexcept {
    Classified c;
    c.action = a;
    return c;
}

Classified classify_arp(std::span<const std::uint8_t> frame, const LocalAddresses& local) noexcept {
    if (frame.size() < kEthHeader + kArpSize) return make(Action::drop);
    const std::uint8_t* arp = frame.data() + kEthHeader;
    // Ethernet hardware (1), IPv4 protocol, 6-byte and 4-byte addresses: the only ARP we answer.
    const bool ethernet_ipv4 = load16(arp) == 1 && load16(arp + 2) == kEtherIpv4 && arp[4] == 6 && arp[5] == 4;
    if (ethernet_ipv4 && load16(arp + kArpOper) == kArpRequest && local.has_ipv4(arp + kArpTpa))
        return make(Action::answer_arp);
    // Replies and requests for other hosts teach the kernel its neighbours for the exception path.
    return make(Action::to_kernel);
}

Classified classify_udp(const std::uint8_t* l3, std::size_t l4_offset, std::size_t l4_length, bool v6,
                        const LocalAddresses& local) noexcept {
    if (l4_length < kUdpHeader) return make(Action::drop);
    const std::uint8_t* udp = l3 + (l4_offset - kEthHeader);
    const std::uint16_t udp_length = load16(udp + kUdpLength);
    if (udp_length < kUdpHeader || udp_length > l4_length) return make(Action::drop);
    const std::uint16_t src_port = load16(udp);
    const std::uint16_t dst_port = load16(udp + 2);

    std::array<std::uint8_t, 16> dst{};
    proto::Endpoint peer;
    if (v6) {
        std::memcpy(dst.data(), l3 + kIpv6Dst, 16);
        std::memcpy(peer.ip.data(), l3 + kIpv6Src, 16);
    } else {
        dst[10] = dst[11] = 0xff;
        std::memcpy(dst.data() + 12, l3 + kIpv4Dst, 4);
        peer.ip[10] = peer.ip[11] = 0xff;
        std::memcpy(peer.ip.data() + 12, l3 + kIpv4Src, 4);
    }
    const auto endpoint = local.udp_endpoint(dst.data(), dst_port);
    if (!endpoint) return make(Action::to_kernel);
    // Port 0 cannot be answered; the kernel would drop it as well.
    if (src_port == 0) return make(Action::drop);
    peer.port = src_port;

    Classified c;
    c.action = Action::udp;
    c.v6 = v6;
    c.l4 = static_cast<std::uint16_t>(l4_offset);
    c.payload = static_cast<std::uint16_t>(l4_offset + kUdpHeader);
    c.payload_length = static_cast<std::uint16_t>(udp_length - kUdpHeader);
    c.endpoint = *endpoint;
    c.peer = peer;
    // The UDP checksum is not verified here: a NIC with receive offload has already dropped or
    // flagged a bad one (the backend checks the flag), and without offload the Ethernet FCS covers
    // the link. A veth peer hands frames over with the checksum still unfinished, so verifying in
    // software would refuse good datagrams there.
    return c;
}

Classified classify_ipv4(std::span<const std::uint8_t> frame, const LocalAddresses& local) noexcept {
    if (frame.size() < kEthHeader + kIpv4Header) return make(Action::drop);
    const std::uint8_t* ip = frame.data() + kEthHeader;
    if ((ip[0] >> 4) != 4) return make(Action::drop);
    // Options are rare and some must be echoed or acted on: the kernel handles them.
    if ((ip[0] & 0x0f) != 5) return make(Action::to_kernel);
    const std::uint16_t total = load16(ip + kIpv4TotalLength);
    if (total < kIpv4Header || total > frame.size() - kEthHeader) return make(Action::drop);
    if (checksum::fold(checksum::add({ip, kIpv4Header})) != 0xffff) return make(Action::drop);
    if (!local.has_ipv4(ip + kIpv4Dst)) return make(Action::to_kernel);
    // A fragment (more-fragments set or a non-zero offset) is reassembled by the kernel.
    if ((load16(ip + kIpv4FragOff) & 0x3fff) != 0) return make(Action::to_kernel);

    const std::size_t l4 = kEthHeader + kIpv4Header;
    const std::size_t l4_length = total - kIpv4Header;
    if (ip[kIpv4Proto] == kProtoUdp) return classify_udp(ip, l4, l4_length, false, local);
    if (ip[kIpv4Proto] == kProtoIcmp && l4_length >= kIcmpHeader && frame[l4] == kIcmpEchoRequest && frame[l4 + 1] == 0) {
        Classified c = make(Action::answer_echo);
        c.l4 = static_cast<std::uint16_t>(l4);
        c.payload_length = static_cast<std::uint16_t>(l4_length);
        return c;
    }
    return make(Action::to_kernel);
}

Classified classify_icmpv6(std::span<const std::uint8_t> frame, const LocalAddresses& local, std::size_t l4,
                           std::size_t l4_length) noexcept {
    const std::uint8_t* ip = frame.data() + kEthHeader;
    const std::uint8_t type = frame[l4];
    const std::uint8_t code = frame[l4 + 1];
    static constexpr std::uint8_t kUnspecified[16] = {};
    if (type == kIcmpv6NeighborSolicitation) {
        // RFC 4861 7.1.1 validity; a solicitation from the unspecified address is duplicate
        // address detection, which the kernel answers (it owns the address state).
        const bool valid = code == 0 && ip[kIpv6HopLimit] == kNdHopLimit && l4_length >= kNdBody &&
                           std::memcmp(ip + kIpv6Src, kUnspecified, 16) != 0;
        const bool for_us = local.has_ipv6(frame.data() + l4 + kNdTarget) &&
                            (local.has_ipv6(ip + kIpv6Dst) || local.is_our_solicited_node(ip + kIpv6Dst));
        if (valid && for_us) {
            Classified c = make(Action::answer_neighbor);
            c.v6 = true;
            c.l4 = static_cast<std::uint16_t>(l4);
            c.payload_length = static_cast<std::uint16_t>(l4_length);
            return c;
        }
        return make(Action::to_kernel);
    }
    if (type == kIcmpv6EchoRequest && code == 0 && l4_length >= kIcmpHeader && local.has_ipv6(ip + kIpv6Dst)) {
        Classified c = make(Action::answer_echo);
        c.v6 = true;
        c.l4 = static_cast<std::uint16_t>(l4);
        c.payload_length = static_cast<std::uint16_t>(l4_length);
        return c;
    }
    return make(Action::to_kernel);
}

Classified classify_ipv6(std::span<const std::uint8_t> frame, const LocalAddresses& local) noexcept {
    if (frame.size() < kEthHeader + kIpv6Header) return make(Action::drop);
    const std::uint8_t* ip = frame.data() + kEthHeader;
    if ((ip[0] >> 4) != 6) return make(Action::drop);
    const std::size_t l4_length = load16(ip + kIpv6PayloadLength);
    if (l4_length > frame.size() - kEthHeader - kIpv6Header) return make(Action::drop);
    const std::size_t l4 = kEthHeader + kIpv6Header;
    // Extension headers (hop-by-hop for MLD, fragments, ...) are the kernel's.
    if (ip[kIpv6NextHeader] == kProtoIcmpv6 && l4_length >= kIcmpHeader)
        return classify_icmpv6(frame, local, l4, l4_length);
    if (ip[kIpv6NextHeader] == kProtoUdp && local.has_ipv6(ip + kIpv6Dst))
        return classify_udp(ip, l4, l4_length, true, local);
    return make(Action::to_kernel);
}

}  // namespace

Classified classify(std::span<const std::uint8_t> frame, const LocalAddresses& local) noexcept {
    if (frame.size() < kEthHeader) return make(Action::drop);
    // Unicast to another station reaches us only in promiscuous mode: not ours to answer or pass on.
    const bool group = (frame[kEthDst] & 0x01) != 0;  // broadcast and multicast
    if (!group && std::memcmp(frame.data() + kEthDst, local.mac().data(), 6) != 0) return make(Action::drop);
    switch (load16(frame.data() + kEthType)) {
        case kEtherArp: return classify_arp(frame, local);
        case kEtherIpv4: return classify_ipv4(frame, local);
        case kEtherIpv6: return classify_ipv6(frame, local);
        default: return make(Action::to_kernel);
    }
}

}  // namespace swarmline::io::dpdk
