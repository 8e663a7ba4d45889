// The Internet checksum (RFC 1071) for the headers the fast path writes: IPv4 header, UDP over
// IPv4 and IPv6, ICMP and ICMPv6. Partial sums are kept unfolded in 64 bits so pieces (pseudo
// header, header, payload) are added in any order and folded once.
#pragma once

#include <cstdint>
#include <span>

namespace swarmline::io::dpdk::checksum {

// The one's-complement sum of `bytes` read as big-endian 16-bit words (an odd last byte is padded
// with zero), added to `sum`. Not folded, not complemented.
[[nodiscard]] std::uint64_t add(std::span<const std::uint8_t> bytes, std::uint64_t sum = 0) noexcept;

// The pseudo headers of UDP/ICMPv6 (RFC 768, RFC 8200 section 8.1); addresses in network order.
[[nodiscard]] std::uint64_t pseudo_v4(const std::uint8_t* src4, const std::uint8_t* dst4, std::uint8_t proto,
                                      std::uint16_t length) noexcept;
[[nodiscard]] std::uint64_t pseudo_v6(const std::uint8_t* src16, const std::uint8_t* dst16, std::uint8_t next_header,
                                      std::uint32_t length) noexcept;

// Folds a sum to 16 bits (what a device with checksum offload wants in the field: the pseudo
// header sum, not complemented).
[[nodiscard]] std::uint16_t fold(std::uint64_t sum) noexcept;
// The value written into a checksum field: the complement of the folded sum.
[[nodiscard]] inline std::uint16_t finish(std::uint64_t sum) noexcept {
    return static_cast<std::uint16_t>(~fold(sum));
}
// UDP sends a computed zero as 0xffff, because zero in the field means "no checksum" (RFC 768)
// over IPv4 and is forbidden over IPv6.
[[nodiscard]] inline std::uint16_t finish_udp(std::uint64_t sum) noexcept {
    const std::uint16_t c = finish(sum);
    return c == 0 ? 0xffff : c;
}

}  // namespace swarmline::io::dpdk::checksum
