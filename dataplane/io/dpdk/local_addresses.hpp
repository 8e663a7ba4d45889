// What the fast path answers for: the port's MAC, our IPv4 and IPv6 addresses, and the UDP ports
// the tracker listens on. Fixed-size tables filled once at start, read per packet without locks or
// allocation; a handful of addresses per port is what an appliance has.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>

#include "io/dpdk/wire.hpp"
#include "proto/types.hpp"

namespace swarmline::io::dpdk {

class LocalAddresses {
public:
    static constexpr std::size_t kMaxPerFamily = 8;
    static constexpr std::size_t kMaxUdpEndpoints = 8;

    explicit LocalAddresses(const wire::Mac& mac) noexcept : mac_(mac) {}

    // Each returns false when its table is full. The prefix length says which peers are on the
    // link (reached at their own MAC) rather than through a router.
    bool add_ipv4(std::uint32_t addr_be, std::uint8_t prefix_length = 32) noexcept;
    bool add_ipv6(const wire::Ipv6& addr, std::uint8_t prefix_length = 128) noexcept;
    // A UDP endpoint the tracker serves; its index is the `socket` number given to the worker.
    // `ip` is the 16-byte form (IPv4 mapped); 0.0.0.0 or :: serves every address of its family.
    bool add_udp(const std::array<std::uint8_t, 16>& ip, std::uint16_t port_host) noexcept;

    [[nodiscard]] const wire::Mac& mac() const noexcept { return mac_; }
    [[nodiscard]] bool has_ipv4(const std::uint8_t* addr4) const noexcept;
    [[nodiscard]] bool has_ipv6(const std::uint8_t* addr16) const noexcept;
    // True when `ip` (16-byte form) is in the prefix of one of our addresses, or IPv6 link-local.
    [[nodiscard]] bool on_link(const std::array<std::uint8_t, 16>& ip) const noexcept;
    // True for ff02::1:ffXX:XXXX where XX:XXXX are the low 24 bits of one of our addresses.
    [[nodiscard]] bool is_our_solicited_node(const std::uint8_t* addr16) const noexcept;
    // The index of the UDP endpoint at this destination, if we serve it.
    [[nodiscard]] std::optional<std::uint32_t> udp_endpoint(const std::uint8_t* ip16,
                                                            std::uint16_t port_host) const noexcept;

    // The address and port a reply from UDP endpoint `endpoint` leaves from, for a peer of the
    // given family: the endpoint's own, or for a wildcard endpoint our first address of that
    // family. False when there is none.
    [[nodiscard]] bool source_of(std::uint32_t endpoint, bool v6, proto::Endpoint& out) const noexcept;

private:
    struct UdpEndpoint {
        std::array<std::uint8_t, 16> ip{};
        std::uint16_t port = 0;
    };
    wire::Mac mac_;
    std::array<std::uint32_t, kMaxPerFamily> v4_{};
    std::array<std::uint8_t, kMaxPerFamily> v4_prefix_{};
    std::size_t v4_count_ = 0;
    std::array<wire::Ipv6, kMaxPerFamily> v6_{};
    std::array<std::uint8_t, kMaxPerFamily> v6_prefix_{};
    std::size_t v6_count_ = 0;
    std::array<UdpEndpoint, kMaxUdpEndpoints> udp_{};
    std::size_t udp_count_ = 0;
};

}  // namespace swarmline::io::dpdk
