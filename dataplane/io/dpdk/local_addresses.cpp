#include "io/dpdk/local_addresses.hpp"

#include <cstring>

namespace swarmline::io::dpdk {

bool LocalAddresses::add_ipv4(std::uint32_t addr_be, std::uint8_t prefix_length) noexcept {
    if (v4_count_ == v4_.size() || prefix_length > 32) return false;
    v4_prefix_[v4_count_] = prefix_length;
    v4_[v4_count_++] = addr_be;
    return true;
}

bool LocalAddresses::add_ipv6(const wire::Ipv6& addr, std::uint8_t prefix_length) noexcept {
    if (v6_count_ == v6_.size() || prefix_length > 128) return false;
    v6_prefix_[v6_count_] = prefix_length;
    v6_[v6_count_++] = addr;
    return true;
}

namespace {

// The first `bits` bits of `a` and `b` are equal.
bool same_prefix(const std::uint8_t* a, const std::uint8_t* b, unsigned bits) noexcept {
    const unsigned bytes = bits / 8;
    if (std::memcmp(a, b, bytes) != 0) return false;
    const unsigned rest = bits % 8;
    if (rest == 0) return true;
    const auto mask = static_cast<std::uint8_t>(0xff << (8 - rest));
    return ((a[bytes] ^ b[bytes]) & mask) == 0;
}

}  // namespace

bool LocalAddresses::on_link(const std::array<std::uint8_t, 16>& ip) const noexcept {
    static constexpr std::uint8_t kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (std::memcmp(ip.data(), kMapped, 12) == 0) {
        for (std::size_t i = 0; i < v4_count_; ++i)
            if (same_prefix(ip.data() + 12, reinterpret_cast<const std::uint8_t*>(&v4_[i]), v4_prefix_[i])) return true;
        return false;
    }
    if (ip[0] == 0xfe && (ip[1] & 0xc0) == 0x80) return true;  // fe80::/10
    for (std::size_t i = 0; i < v6_count_; ++i)
        if (same_prefix(ip.data(), v6_[i].data(), v6_prefix_[i])) return true;
    return false;
}

bool LocalAddresses::add_udp(const std::array<std::uint8_t, 16>& ip, std::uint16_t port_host) noexcept {
    if (udp_count_ == udp_.size()) return false;
    udp_[udp_count_++] = {ip, port_host};
    return true;
}

bool LocalAddresses::has_ipv4(const std::uint8_t* addr4) const noexcept {
    std::uint32_t a;
    std::memcpy(&a, addr4, 4);
    for (std::size_t i = 0; i < v4_count_; ++i)
        if (v4_[i] == a) return true;
    return false;
}

bool LocalAddresses::has_ipv6(const std::uint8_t* addr16) const noexcept {
    for (std::size_t i = 0; i < v6_count_; ++i)
        if (std::memcmp(v6_[i].data(), addr16, 16) == 0) return true;
    return false;
}

bool LocalAddresses::is_our_solicited_node(const std::uint8_t* addr16) const noexcept {
    static constexpr std::uint8_t kPrefix[13] = {0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0xff};
    if (std::memcmp(addr16, kPrefix, sizeof kPrefix) != 0) return false;
    for (std::size_t i = 0; i < v6_count_; ++i)
        if (std::memcmp(v6_[i].data() + 13, addr16 + 13, 3) == 0) return true;
    return false;
}

std::optional<std::uint32_t> LocalAddresses::udp_endpoint(const std::uint8_t* ip16,
                                                          std::uint16_t port_host) const noexcept {
    // A wildcard endpoint (0.0.0.0 or ::) takes every one of our addresses of its family, as a
    // socket bound to it would; the caller has already checked the destination is ours.
    static constexpr std::uint8_t kAnyV4[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0, 0, 0};
    static constexpr std::uint8_t kAnyV6[16] = {};
    const bool dst_v4 = std::memcmp(ip16, kAnyV4, 12) == 0;
    for (std::size_t i = 0; i < udp_count_; ++i) {
        if (udp_[i].port != port_host) continue;
        const std::uint8_t* ip = udp_[i].ip.data();
        if (std::memcmp(ip, ip16, 16) == 0 || (dst_v4 && std::memcmp(ip, kAnyV4, 16) == 0) ||
            (!dst_v4 && std::memcmp(ip, kAnyV6, 16) == 0))
            return static_cast<std::uint32_t>(i);
    }
    return std::nullopt;
}

bool LocalAddresses::source_of(std::uint32_t endpoint, bool v6, proto::Endpoint& out) const noexcept {
    if (endpoint >= udp_count_) return false;
    const UdpEndpoint& e = udp_[endpoint];
    out.port = e.port;
    static constexpr std::uint8_t kAnyV4[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0, 0, 0};
    static constexpr std::uint8_t kAnyV6[16] = {};
    const bool any_v4 = std::memcmp(e.ip.data(), kAnyV4, 16) == 0;
    const bool any_v6 = std::memcmp(e.ip.data(), kAnyV6, 16) == 0;
    if (!any_v4 && !any_v6) {
        out.ip = e.ip;
        return out.v4() != v6;
    }
    if (v6) {
        if (!any_v6 || v6_count_ == 0) return false;
        out.ip = v6_[0];
        return true;
    }
    if (!any_v4 || v4_count_ == 0) return false;
    out = proto::Endpoint::from_v4(v4_[0], e.port);
    return true;
}

}  // namespace swarmline::io::dpdk
