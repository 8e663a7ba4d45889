// The DPDK fast path's packet layer, without DPDK: frames are built byte by byte here, classified,
// answered in place, and the replies are checked field by field with a checksum written
// independently of the one under test (16-bit words, one at a time).
#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <cstring>
#include <random>
#include <vector>

#include "io/dpdk/checksum.hpp"
#include "io/dpdk/fragment.hpp"
#include "io/dpdk/frame.hpp"
#include "io/dpdk/responder.hpp"

namespace {

using namespace swarmline::io::dpdk;
using Bytes = std::vector<std::uint8_t>;

constexpr wire::Mac kOurMac = {0x02, 0x00, 0x00, 0x00, 0x00, 0x01};
constexpr wire::Mac kPeerMac = {0x02, 0x00, 0x00, 0x00, 0x00, 0x02};
constexpr std::array<std::uint8_t, 4> kOurV4 = {10, 77, 0, 1};
constexpr std::array<std::uint8_t, 4> kPeerV4 = {10, 77, 0, 2};
constexpr wire::Ipv6 kOurV6 = {0xfd, 0x77, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x12, 0x34, 0x56};
constexpr wire::Ipv6 kPeerV6 = {0xfd, 0x77, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2};
constexpr std::uint16_t kTrackerPort = 6969;
constexpr std::uint16_t kPeerPort = 40000;
constexpr std::size_t kCapacity = 2048;  // an mbuf's data room

std::uint16_t naive_sum(const std::uint8_t* p, std::size_t n, std::uint32_t sum = 0) {
    for (std::size_t i = 0; i + 1 < n; i += 2) sum += static_cast<std::uint32_t>((p[i] << 8) | p[i + 1]);
    if (n % 2) sum += static_cast<std::uint32_t>(p[n - 1] << 8);
    while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
    return static_cast<std::uint16_t>(sum);
}
std::uint32_t naive_pseudo(const std::uint8_t* src, const std::uint8_t* dst, std::size_t addr_len, std::uint8_t proto,
                           std::uint32_t len) {
    return naive_sum(src, addr_len) + naive_sum(dst, addr_len) + proto + (len >> 16) + (len & 0xffff);
}
std::uint16_t be16(const Bytes& f, std::size_t at) { return static_cast<std::uint16_t>((f[at] << 8) | f[at + 1]); }
void put16(Bytes& f, std::size_t at, std::uint16_t v) {
    f[at] = static_cast<std::uint8_t>(v >> 8);
    f[at + 1] = static_cast<std::uint8_t>(v);
}

LocalAddresses local_addresses() {
    LocalAddresses local(kOurMac);
    std::uint32_t v4;
    std::memcpy(&v4, kOurV4.data(), 4);
    local.add_ipv4(v4);
    local.add_ipv6(kOurV6);
    std::array<std::uint8_t, 16> mapped{};
    mapped[10] = mapped[11] = 0xff;
    std::memcpy(mapped.data() + 12, kOurV4.data(), 4);
    local.add_udp(mapped, kTrackerPort);
    local.add_udp(kOurV6, kTrackerPort);
    return local;
}

Bytes ethernet(const wire::Mac& dst, std::uint16_t type) {
    Bytes f(kCapacity, 0xee);  // filler, so a field left unwritten shows
    std::memcpy(f.data(), dst.data(), 6);
    std::memcpy(f.data() + 6, kPeerMac.data(), 6);
    put16(f, 12, type);
    return f;
}

// An IPv4 packet from the peer to us carrying `l4`; returns the frame and its received length.
Bytes ipv4(std::uint8_t proto, const Bytes& l4, std::size_t& length, std::uint16_t frag = 0x4000) {
    Bytes f = ethernet(kOurMac, 0x0800);
    std::uint8_t* ip = f.data() + 14;
    std::memset(ip, 0, 20);
    ip[0] = 0x45;
    put16(f, 14 + 2, static_cast<std::uint16_t>(20 + l4.size()));
    put16(f, 14 + 6, frag);
    ip[8] = 61;
    ip[9] = proto;
    std::memcpy(ip + 12, kPeerV4.data(), 4);
    std::memcpy(ip + 16, kOurV4.data(), 4);
    put16(f, 14 + 10, static_cast<std::uint16_t>(~naive_sum(ip, 20)));
    std::memcpy(f.data() + 34, l4.data(), l4.size());
    length = std::max<std::size_t>(60, 34 + l4.size());  // Ethernet pads to 60 bytes
    return f;
}

Bytes ipv6(std::uint8_t next, const Bytes& l4, std::size_t& length, const wire::Ipv6& dst = kOurV6,
           std::uint8_t hop_limit = 64, const wire::Ipv6& src = kPeerV6, const wire::Mac& dst_mac = kOurMac) {
    Bytes f = ethernet(dst_mac, 0x86dd);
    std::uint8_t* ip = f.data() + 14;
    std::memset(ip, 0, 40);
    ip[0] = 0x60;
    put16(f, 14 + 4, static_cast<std::uint16_t>(l4.size()));
    ip[6] = next;
    ip[7] = hop_limit;
    std::memcpy(ip + 8, src.data(), 16);
    std::memcpy(ip + 24, dst.data(), 16);
    std::memcpy(f.data() + 54, l4.data(), l4.size());
    length = 54 + l4.size();
    return f;
}

Bytes udp(std::uint16_t dst_port, const Bytes& payload) {
    Bytes u(8 + payload.size());
    put16(u, 0, kPeerPort);
    put16(u, 2, dst_port);
    put16(u, 4, static_cast<std::uint16_t>(u.size()));
    put16(u, 6, 0);  // as a veth peer hands it over: not computed
    std::memcpy(u.data() + 8, payload.data(), payload.size());
    return u;
}

Classified classify_frame(const Bytes& f, std::size_t length, const LocalAddresses& local) {
    return classify(std::span<const std::uint8_t>(f.data(), length), local);
}

TEST(DpdkChecksum, MatchesWordByWordSumForEveryLengthAndAlignment) {
    std::mt19937 rng(7);
    Bytes data(1500);
    for (auto& b : data) b = static_cast<std::uint8_t>(rng());
    for (std::size_t off = 0; off < 4; ++off)
        for (std::size_t n = 0; n < 300; ++n)
            EXPECT_EQ(checksum::fold(checksum::add({data.data() + off, n})), naive_sum(data.data() + off, n))
                << "offset " << off << " length " << n;
}

TEST(DpdkFrame, ArpRequestForOurAddressIsAnsweredWithOurMac) {
    const auto local = local_addresses();
    Bytes f = ethernet({0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, 0x0806);
    const std::uint8_t arp[28] = {0, 1, 8, 0, 6, 4, 0, 1, 2, 0, 0, 0, 0, 2, 10, 77, 0, 2, 0, 0, 0, 0, 0, 0, 10, 77, 0, 1};
    std::memcpy(f.data() + 14, arp, 28);
    const auto c = classify_frame(f, 60, local);
    ASSERT_EQ(c.action, Action::answer_arp);
    ASSERT_EQ(answer_arp(f, local), 42u);
    EXPECT_TRUE(std::equal(kPeerMac.begin(), kPeerMac.end(), f.begin()));
    EXPECT_TRUE(std::equal(kOurMac.begin(), kOurMac.end(), f.begin() + 6));
    EXPECT_EQ(be16(f, 14 + 6), 2);  // reply
    EXPECT_TRUE(std::equal(kOurMac.begin(), kOurMac.end(), f.begin() + 14 + 8));
    EXPECT_TRUE(std::equal(kOurV4.begin(), kOurV4.end(), f.begin() + 14 + 14));
    EXPECT_TRUE(std::equal(kPeerMac.begin(), kPeerMac.end(), f.begin() + 14 + 18));
    EXPECT_TRUE(std::equal(kPeerV4.begin(), kPeerV4.end(), f.begin() + 14 + 24));
}

TEST(DpdkFrame, ArpForOthersAndArpRepliesGoToTheKernel) {
    const auto local = local_addresses();
    Bytes f = ethernet({0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, 0x0806);
    std::uint8_t arp[28] = {0, 1, 8, 0, 6, 4, 0, 1, 2, 0, 0, 0, 0, 2, 10, 77, 0, 2, 0, 0, 0, 0, 0, 0, 10, 77, 0, 9};
    std::memcpy(f.data() + 14, arp, 28);
    EXPECT_EQ(classify_frame(f, 60, local).action, Action::to_kernel);
    arp[7] = 2;      // a reply ...
    arp[27] = 1;     // ... about our address: the kernel learns the neighbour from it
    std::memcpy(f.data() + 14, arp, 28);
    EXPECT_EQ(classify_frame(f, 60, local).action, Action::to_kernel);
}

TEST(DpdkFrame, UnicastToAnotherMacAndTruncatedFramesAreDropped) {
    const auto local = local_addresses();
    std::size_t len = 0;
    Bytes f = ipv4(17, udp(kTrackerPort, Bytes(16, 1)), len);
    f[5] = 0x99;  // another station's MAC
    EXPECT_EQ(classify_frame(f, len, local).action, Action::drop);
    f = ipv4(17, udp(kTrackerPort, Bytes(16, 1)), len);
    EXPECT_EQ(classify_frame(f, 13, local).action, Action::drop);
    EXPECT_EQ(classify_frame(f, 30, local).action, Action::drop);
    EXPECT_EQ(classify_frame(f, 34 + 7, local).action, Action::drop) << "IP length beyond the frame";
}

TEST(DpdkFrame, Ipv4HeaderWithBadChecksumIsDropped) {
    const auto local = local_addresses();
    std::size_t len = 0;
    Bytes f = ipv4(17, udp(kTrackerPort, Bytes(16, 1)), len);
    f[14 + 8] ^= 1;  // TTL changed, checksum not
    EXPECT_EQ(classify_frame(f, len, local).action, Action::drop);
}

TEST(DpdkFrame, TcpFragmentsOptionsAndOtherPortsGoToTheKernel) {
    const auto local = local_addresses();
    std::size_t len = 0;
    Bytes f = ipv4(6, Bytes(20, 0), len);
    EXPECT_EQ(classify_frame(f, len, local).action, Action::to_kernel) << "TCP (HTTP announces)";
    f = ipv4(17, udp(8080, Bytes(16, 1)), len);
    EXPECT_EQ(classify_frame(f, len, local).action, Action::to_kernel) << "a UDP port we do not serve";
    f = ipv4(17, udp(kTrackerPort, Bytes(16, 1)), len, 0x2000);
    EXPECT_EQ(classify_frame(f, len, local).action, Action::to_kernel) << "a first fragment";
    f = ipv4(1, Bytes{3, 3, 0, 0, 0, 0, 0, 0}, len);
    EXPECT_EQ(classify_frame(f, len, local).action, Action::to_kernel) << "ICMP other than echo";
    f = ethernet(kOurMac, 0x88cc);
    EXPECT_EQ(classify_frame(f, 60, local).action, Action::to_kernel) << "LLDP, unknown to us";
}

TEST(DpdkFrame, Ipv4DatagramToOurEndpointIsClassifiedWithItsSender) {
    const auto local = local_addresses();
    std::size_t len = 0;
    const Bytes payload(16, 0xab);
    Bytes f = ipv4(17, udp(kTrackerPort, payload), len);
    const auto c = classify_frame(f, len, local);
    ASSERT_EQ(c.action, Action::udp);
    EXPECT_FALSE(c.v6);
    EXPECT_EQ(c.payload, 42);
    EXPECT_EQ(c.payload_length, 16) << "the UDP length, not the padded frame";
    EXPECT_EQ(c.endpoint, 0u);
    EXPECT_TRUE(c.peer.v4());
    EXPECT_EQ(c.peer.port, kPeerPort);
    EXPECT_TRUE(std::equal(kPeerV4.begin(), kPeerV4.end(), c.peer.ip.begin() + 12));
}

TEST(DpdkFrame, WildcardEndpointServesEveryAddressOfItsFamily) {
    LocalAddresses local(kOurMac);
    std::uint32_t v4;
    std::memcpy(&v4, kOurV4.data(), 4);
    local.add_ipv4(v4);
    std::array<std::uint8_t, 16> any_v4{};
    any_v4[10] = any_v4[11] = 0xff;
    local.add_udp(any_v4, kTrackerPort);
    std::size_t len = 0;
    Bytes f = ipv4(17, udp(kTrackerPort, Bytes(16, 1)), len);
    EXPECT_EQ(classify_frame(f, len, local).action, Action::udp);
}

void expect_valid_udp_reply(const Bytes& f, std::size_t length, const Classified& c, const Bytes& payload) {
    ASSERT_EQ(length, c.payload + payload.size());
    EXPECT_TRUE(std::equal(kPeerMac.begin(), kPeerMac.end(), f.begin()));
    EXPECT_TRUE(std::equal(kOurMac.begin(), kOurMac.end(), f.begin() + 6));
    const std::uint8_t* u = f.data() + c.l4;
    EXPECT_EQ(be16(f, c.l4), kTrackerPort);
    EXPECT_EQ(be16(f, c.l4 + 2), kPeerPort);
    EXPECT_EQ(be16(f, c.l4 + 4), 8 + payload.size());
    EXPECT_TRUE(std::equal(payload.begin(), payload.end(), f.begin() + c.payload));
    const std::size_t udp_len = 8 + payload.size();
    std::uint32_t pseudo;
    if (c.v6) {
        EXPECT_EQ(be16(f, 14 + 4), udp_len);
        EXPECT_EQ(f[14 + 6], 17);
        EXPECT_TRUE(std::equal(kOurV6.begin(), kOurV6.end(), f.begin() + 14 + 8));
        EXPECT_TRUE(std::equal(kPeerV6.begin(), kPeerV6.end(), f.begin() + 14 + 24));
        pseudo = naive_pseudo(f.data() + 22, f.data() + 38, 16, 17, static_cast<std::uint32_t>(udp_len));
    } else {
        EXPECT_EQ(naive_sum(f.data() + 14, 20), 0xffff) << "IPv4 header checksum";
        EXPECT_EQ(be16(f, 14 + 2), 20 + udp_len);
        EXPECT_TRUE(std::equal(kOurV4.begin(), kOurV4.end(), f.begin() + 14 + 12));
        EXPECT_TRUE(std::equal(kPeerV4.begin(), kPeerV4.end(), f.begin() + 14 + 16));
        pseudo = naive_pseudo(f.data() + 26, f.data() + 30, 4, 17, static_cast<std::uint32_t>(udp_len));
    }
    EXPECT_NE(be16(f, c.l4 + 6), 0) << "a UDP checksum is always sent";
    EXPECT_EQ(naive_sum(u, udp_len, pseudo), 0xffff) << "UDP checksum";
}

TEST(DpdkResponder, Ipv4UdpReplyHasSwappedAddressesAndCorrectChecksums) {
    const auto local = local_addresses();
    std::size_t len = 0;
    Bytes f = ipv4(17, udp(kTrackerPort, Bytes(16, 1)), len);
    const auto c = classify_frame(f, len, local);
    ASSERT_EQ(c.action, Action::udp);
    // A reply longer than the request, of odd length, written where the request was.
    Bytes payload(1201);
    for (std::size_t i = 0; i < payload.size(); ++i) payload[i] = static_cast<std::uint8_t>(i * 7);
    std::memcpy(f.data() + c.payload, payload.data(), payload.size());
    const std::size_t out = finish_udp_reply(f, c, payload.size(), local, {});
    expect_valid_udp_reply(f, out, c, payload);
}

TEST(DpdkResponder, Ipv6UdpReplyHasSwappedAddressesAndCorrectChecksum) {
    const auto local = local_addresses();
    std::size_t len = 0;
    Bytes f = ipv6(17, udp(kTrackerPort, Bytes(98, 1)), len);
    const auto c = classify_frame(f, len, local);
    ASSERT_EQ(c.action, Action::udp);
    EXPECT_TRUE(c.v6);
    EXPECT_EQ(c.endpoint, 1u);
    EXPECT_EQ(c.peer.port, kPeerPort);
    EXPECT_TRUE(std::equal(kPeerV6.begin(), kPeerV6.end(), c.peer.ip.begin()));
    Bytes payload(20 + 18 * 3, 0x5a);
    std::memcpy(f.data() + c.payload, payload.data(), payload.size());
    const std::size_t out = finish_udp_reply(f, c, payload.size(), local, {});
    expect_valid_udp_reply(f, out, c, payload);
    EXPECT_EQ(f[14 + 7], 64) << "hop limit";
}

TEST(DpdkResponder, WithOffloadTheDeviceGetsThePseudoHeaderSum) {
    const auto local = local_addresses();
    std::size_t len = 0;
    Bytes f = ipv4(17, udp(kTrackerPort, Bytes(16, 1)), len);
    const auto c = classify_frame(f, len, local);
    const std::size_t out = finish_udp_reply(f, c, 30, local, {.ipv4_header = true, .udp = true});
    ASSERT_EQ(out, c.payload + 30u);
    EXPECT_EQ(be16(f, 14 + 10), 0) << "the device fills the IPv4 header checksum";
    EXPECT_EQ(be16(f, c.l4 + 6), naive_sum(f.data() + 26, 8, 17 + 38)) << "pseudo-header sum, not complemented";
}

TEST(DpdkResponder, ReplyIsHeldToTheMtuAndTheBuffer) {
    const auto local = local_addresses();
    std::size_t len = 0;
    Bytes f = ipv6(17, udp(kTrackerPort, Bytes(16, 1)), len);
    const auto c6 = classify_frame(f, len, local);
    EXPECT_EQ(udp_reply_capacity(c6, kCapacity, 1500), 1500u - 48u);
    EXPECT_EQ(udp_reply_capacity(c6, 200, 1500), 200u - 62u);
    EXPECT_EQ(finish_udp_reply(std::span<std::uint8_t>(f.data(), 100), c6, 50, local, {}), 0u);
}

TEST(DpdkResponder, Ipv4EchoIsAnsweredWithTheSameDataAndAValidChecksum) {
    const auto local = local_addresses();
    Bytes icmp = {8, 0, 0, 0, 0x12, 0x34, 0, 7, 'p', 'i', 'n', 'g', '!'};
    put16(icmp, 2, static_cast<std::uint16_t>(~naive_sum(icmp.data(), icmp.size())));
    std::size_t len = 0;
    Bytes f = ipv4(1, icmp, len);
    const auto c = classify_frame(f, len, local);
    ASSERT_EQ(c.action, Action::answer_echo);
    const std::size_t out = answer_echo(f, c, local);
    ASSERT_EQ(out, 34 + icmp.size());
    EXPECT_EQ(f[34], 0) << "echo reply";
    EXPECT_TRUE(std::equal(icmp.begin() + 4, icmp.end(), f.begin() + 38)) << "identifier, sequence, data";
    EXPECT_EQ(naive_sum(f.data() + 34, icmp.size()), 0xffff);
    EXPECT_EQ(naive_sum(f.data() + 14, 20), 0xffff);
    EXPECT_TRUE(std::equal(kPeerV4.begin(), kPeerV4.end(), f.begin() + 30));
}

TEST(DpdkResponder, Icmpv6EchoIsAnsweredWithAValidChecksum) {
    const auto local = local_addresses();
    Bytes icmp = {128, 0, 0, 0, 0, 1, 0, 2, 1, 2, 3, 4, 5};
    const std::uint32_t pseudo = naive_pseudo(kPeerV6.data(), kOurV6.data(), 16, 58, static_cast<std::uint32_t>(icmp.size()));
    put16(icmp, 2, static_cast<std::uint16_t>(~naive_sum(icmp.data(), icmp.size(), pseudo)));
    std::size_t len = 0;
    Bytes f = ipv6(58, icmp, len);
    const auto c = classify_frame(f, len, local);
    ASSERT_EQ(c.action, Action::answer_echo);
    ASSERT_EQ(answer_echo(f, c, local), len);
    EXPECT_EQ(f[54], 129);
    EXPECT_TRUE(std::equal(kOurV6.begin(), kOurV6.end(), f.begin() + 22));
    EXPECT_TRUE(std::equal(kPeerV6.begin(), kPeerV6.end(), f.begin() + 38));
    EXPECT_EQ(naive_sum(f.data() + 54, icmp.size(), naive_pseudo(f.data() + 22, f.data() + 38, 16, 58,
                                                                  static_cast<std::uint32_t>(icmp.size()))),
              0xffff);
}

Bytes solicitation(const wire::Ipv6& target) {
    Bytes ns(32, 0);
    ns[0] = 135;
    std::memcpy(ns.data() + 8, target.data(), 16);
    ns[24] = 1;  // source link-layer address option
    ns[25] = 1;
    std::memcpy(ns.data() + 26, kPeerMac.data(), 6);
    return ns;
}

TEST(DpdkResponder, NeighborSolicitationToOurSolicitedNodeGroupGetsAnAdvertisement) {
    const auto local = local_addresses();
    // ff02::1:ff00:0/104 with the low 24 bits of our address.
    const wire::Ipv6 solicited = {0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0xff, kOurV6[13], kOurV6[14], kOurV6[15]};
    const wire::Mac multicast = {0x33, 0x33, 0xff, kOurV6[13], kOurV6[14], kOurV6[15]};
    std::size_t len = 0;
    Bytes f = ipv6(58, solicitation(kOurV6), len, solicited, 255, kPeerV6, multicast);
    const auto c = classify_frame(f, len, local);
    ASSERT_EQ(c.action, Action::answer_neighbor);
    const std::size_t out = answer_neighbor(f, c, local);
    ASSERT_EQ(out, 54u + 32u);
    EXPECT_TRUE(std::equal(kPeerMac.begin(), kPeerMac.end(), f.begin()));
    EXPECT_EQ(f[14 + 7], 255) << "hop limit";
    EXPECT_TRUE(std::equal(kOurV6.begin(), kOurV6.end(), f.begin() + 22)) << "from the target address";
    EXPECT_TRUE(std::equal(kPeerV6.begin(), kPeerV6.end(), f.begin() + 38));
    EXPECT_EQ(f[54], 136);
    EXPECT_EQ(f[58], 0x60) << "solicited, override";
    EXPECT_TRUE(std::equal(kOurV6.begin(), kOurV6.end(), f.begin() + 62));
    EXPECT_EQ(f[78], 2) << "target link-layer address option";
    EXPECT_TRUE(std::equal(kOurMac.begin(), kOurMac.end(), f.begin() + 80));
    EXPECT_EQ(naive_sum(f.data() + 54, 32, naive_pseudo(f.data() + 22, f.data() + 38, 16, 58, 32)), 0xffff);
}

TEST(DpdkFrame, SolicitationsWeMustNotAnswerGoToTheKernel) {
    const auto local = local_addresses();
    std::size_t len = 0;
    Bytes f = ipv6(58, solicitation(kOurV6), len, kOurV6, 64);
    EXPECT_EQ(classify_frame(f, len, local).action, Action::to_kernel) << "hop limit below 255: forwarded";
    f = ipv6(58, solicitation(kOurV6), len, kOurV6, 255, wire::Ipv6{});
    EXPECT_EQ(classify_frame(f, len, local).action, Action::to_kernel) << "duplicate address detection";
    f = ipv6(58, solicitation(kPeerV6), len, kOurV6, 255);
    EXPECT_EQ(classify_frame(f, len, local).action, Action::to_kernel) << "another target";
    Bytes na = solicitation(kPeerV6);
    na[0] = 136;
    f = ipv6(58, na, len, kOurV6, 255);
    EXPECT_EQ(classify_frame(f, len, local).action, Action::to_kernel) << "advertisements teach the kernel";
}

}  // namespace

namespace {

TEST(DpdkResponder, HandedOverReplyIsAFrameFromOurEndpointToThePeer) {
    const auto local = local_addresses();
    for (const bool v6 : {false, true}) {
        UdpAddressing a;
        a.src_mac = kOurMac;
        a.dst_mac = kPeerMac;
        ASSERT_TRUE(local.source_of(v6 ? 1 : 0, v6, a.src));
        if (v6) {
            a.dst.ip = kPeerV6;
        } else {
            a.dst.ip[10] = a.dst.ip[11] = 0xff;
            std::memcpy(a.dst.ip.data() + 12, kPeerV4.data(), 4);
        }
        a.dst.port = kPeerPort;
        Bytes f(kCapacity, 0);
        const Bytes payload(77, 0x42);
        std::memcpy(f.data() + udp_payload_offset(v6), payload.data(), payload.size());
        const std::size_t out = write_udp_frame(f, v6, a, payload.size(), {});
        Classified c;
        c.v6 = v6;
        c.l4 = static_cast<std::uint16_t>(udp_payload_offset(v6) - 8);
        c.payload = static_cast<std::uint16_t>(udp_payload_offset(v6));
        expect_valid_udp_reply(f, out, c, payload);
        EXPECT_EQ(be16(f, 12), v6 ? 0x86dd : 0x0800);
    }
}

TEST(DpdkLocalAddresses, AWildcardEndpointRepliesFromOurFirstAddressOfTheFamily) {
    LocalAddresses local(kOurMac);
    std::uint32_t v4;
    std::memcpy(&v4, kOurV4.data(), 4);
    local.add_ipv4(v4);
    std::array<std::uint8_t, 16> any_v4{};
    any_v4[10] = any_v4[11] = 0xff;
    local.add_udp(any_v4, kTrackerPort);
    swarmline::proto::Endpoint src;
    ASSERT_TRUE(local.source_of(0, false, src));
    EXPECT_TRUE(src.v4());
    EXPECT_TRUE(std::equal(kOurV4.begin(), kOurV4.end(), src.ip.begin() + 12));
    EXPECT_EQ(src.port, kTrackerPort);
    EXPECT_FALSE(local.source_of(0, true, src)) << "an IPv4 endpoint has no IPv6 source";
    EXPECT_FALSE(local.source_of(5, false, src));
}

}  // namespace

namespace {

// A complete reply frame of `payload` bytes to the peer, checksums in software.
Bytes reply_frame(bool v6, std::size_t payload, std::size_t& length) {
    const auto local = local_addresses();
    UdpAddressing a;
    a.src_mac = kOurMac;
    a.dst_mac = kPeerMac;
    EXPECT_TRUE(local.source_of(v6 ? 1 : 0, v6, a.src));
    if (v6) {
        a.dst.ip = kPeerV6;
    } else {
        a.dst.ip[10] = a.dst.ip[11] = 0xff;
        std::memcpy(a.dst.ip.data() + 12, kPeerV4.data(), 4);
    }
    a.dst.port = kPeerPort;
    Bytes f(8192, 0);
    for (std::size_t i = 0; i < payload; ++i) f[udp_payload_offset(v6) + i] = static_cast<std::uint8_t>(i * 13 + 1);
    length = write_udp_frame(f, v6, a, payload, {});
    f.resize(length);
    return f;
}

TEST(DpdkFragment, LargeIpv6ReplyIsCutIntoFragmentsThatReassembleToIt) {
    std::size_t length = 0;
    const Bytes whole = reply_frame(true, 20 + 200 * 18, length);  // an announce reply of 200 IPv6 peers
    ASSERT_EQ(fragments_needed(length, true, 1500), 3u);
    EXPECT_EQ(fragments_needed(54 + 8 + 1000, true, 1500), 0u) << "fits: no fragments";
    Bytes datagram;
    for (std::size_t i = 0; i < 3; ++i) {
        Bytes f(2048, 0xee);
        const std::size_t n = write_fragment(whole, true, 1500, 0xabcdef01, i, f);
        ASSERT_GT(n, 0u);
        EXPECT_LE(n - 14, 1500u) << "each fragment fits the MTU";
        EXPECT_TRUE(std::equal(f.begin(), f.begin() + 14, whole.begin())) << "Ethernet header";
        EXPECT_TRUE(std::equal(f.begin() + 22, f.begin() + 54, whole.begin() + 22)) << "addresses";
        EXPECT_EQ(f[14 + 6], 44) << "next header: Fragment";
        EXPECT_EQ(be16(f, 14 + 4), n - 54) << "payload length";
        EXPECT_EQ(f[54], 17) << "the fragment header's next header: UDP";
        const std::uint16_t off = be16(f, 56);
        EXPECT_EQ(off & ~7u, datagram.size()) << "offset of fragment " << i;
        EXPECT_EQ(off & 1u, i < 2 ? 1u : 0u) << "more fragments";
        EXPECT_EQ(be16(f, 58), 0xabcd);
        EXPECT_EQ(be16(f, 60), 0xef01);
        if (i < 2) {
            EXPECT_EQ((n - 62) % 8, 0u);
        }
        datagram.insert(datagram.end(), f.begin() + 62, f.begin() + static_cast<std::ptrdiff_t>(n));
    }
    ASSERT_EQ(datagram.size(), length - 54);
    EXPECT_TRUE(std::equal(datagram.begin(), datagram.end(), whole.begin() + 54));
    Bytes spare(2048);
    EXPECT_EQ(write_fragment(whole, true, 1500, 1, 3, spare), 0u) << "there is no fourth";
}

TEST(DpdkFragment, Ipv4FragmentsHaveOffsetsFlagsAndValidHeaderChecksums) {
    std::size_t length = 0;
    const Bytes whole = reply_frame(false, 1500, length);
    const std::size_t k = fragments_needed(length, false, 576);
    ASSERT_EQ(k, 3u);  // 1508 bytes of UDP in pieces of 552
    Bytes datagram;
    for (std::size_t i = 0; i < k; ++i) {
        Bytes f(2048, 0xee);
        const std::size_t n = write_fragment(whole, false, 576, 0x1234, i, f);
        ASSERT_GT(n, 0u);
        EXPECT_LE(n - 14, 576u);
        EXPECT_EQ(naive_sum(f.data() + 14, 20), 0xffff) << "header checksum of fragment " << i;
        EXPECT_EQ(be16(f, 14 + 2), n - 14) << "total length";
        EXPECT_EQ(be16(f, 14 + 4), 0x1234) << "identification";
        const std::uint16_t flags = be16(f, 14 + 6);
        EXPECT_EQ(flags & 0x4000, 0) << "DF clear";
        EXPECT_EQ((flags & 0x2000) != 0, i + 1 < k) << "MF";
        EXPECT_EQ((flags & 0x1fffu) * 8u, datagram.size());
        datagram.insert(datagram.end(), f.begin() + 34, f.begin() + static_cast<std::ptrdiff_t>(n));
    }
    ASSERT_EQ(datagram.size(), length - 34);
    EXPECT_TRUE(std::equal(datagram.begin(), datagram.end(), whole.begin() + 34));
}

TEST(DpdkFragment, AReplyNeedingTooManyFragmentsIsRefused) {
    EXPECT_EQ(fragments_needed(14 + 40 + 8 + 4096, true, 1280), 4u);
    EXPECT_EQ(fragments_needed(14 + 20 + 8 + 60000, false, 576), 0u);
}

}  // namespace

namespace {

TEST(DpdkLocalAddresses, OnLinkIsThePrefixOfOurAddressesAndLinkLocal) {
    LocalAddresses local(kOurMac);
    const std::uint8_t ours[4] = {192, 0, 2, 10};
    std::uint32_t v4;
    std::memcpy(&v4, ours, 4);
    local.add_ipv4(v4, 23);  // 192.0.2.0 - 192.0.3.255
    local.add_ipv6(kOurV6, 64);
    auto mapped = [](std::uint8_t a, std::uint8_t b, std::uint8_t c, std::uint8_t d) {
        std::array<std::uint8_t, 16> ip{};
        ip[10] = ip[11] = 0xff;
        ip[12] = a;
        ip[13] = b;
        ip[14] = c;
        ip[15] = d;
        return ip;
    };
    EXPECT_TRUE(local.on_link(mapped(192, 0, 2, 99)));
    EXPECT_TRUE(local.on_link(mapped(192, 0, 3, 1)));
    EXPECT_FALSE(local.on_link(mapped(192, 0, 4, 1)));
    EXPECT_FALSE(local.on_link(mapped(198, 51, 100, 7)));
    EXPECT_TRUE(local.on_link(kPeerV6)) << "same /64";
    wire::Ipv6 other = kPeerV6;
    other[7] = 1;
    EXPECT_FALSE(local.on_link(other));
    const wire::Ipv6 link_local = {0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 9};
    EXPECT_TRUE(local.on_link(link_local));
}

}  // namespace
