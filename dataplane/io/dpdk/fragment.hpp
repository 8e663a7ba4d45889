// IP fragmentation of a UDP reply larger than one packet of the MTU (RFC 791 section 2.3 for IPv4,
// RFC 8200 section 4.5 for IPv6). An IPv6 announce reply of 200 peers is 3620 bytes of payload;
// rather than cap the peers below what the client asked for, the fast path sends it in fragments,
// as the kernel would. Replies that need it are rare (IPv6, large swarms, high numwant), so the
// fragments are copies into fresh buffers.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace swarmline::io::dpdk {

// The most fragments one reply needs: the largest reply (62 bytes of headers and 4096 of payload)
// at the smallest MTU IPv6 allows (1280) takes 4; IPv4 at 576 takes 8.
inline constexpr std::size_t kMaxFragments = 8;

// How many fragments `frame` (a complete UDP reply frame: Ethernet, IPv4 or IPv6 without options
// or extension headers, UDP, payload, checksums done in software) needs at `mtu`; 0 when it
// needs none, or more than kMaxFragments.
[[nodiscard]] std::size_t fragments_needed(std::size_t frame_length, bool v6, std::size_t mtu) noexcept;

// Writes fragment `index` of `frame` into `out` and returns its frame length (0 when `out` is too
// small). `id` is the datagram's identification (16 bits used for IPv4), the same for every fragment.
std::size_t write_fragment(std::span<const std::uint8_t> frame, bool v6, std::size_t mtu, std::uint32_t id,
                           std::size_t index, std::span<std::uint8_t> out) noexcept;

}  // namespace swarmline::io::dpdk
