#include "io/dpdk/fragment.hpp"

#include <algorithm>
#include <cstring>

#include "io/dpdk/checksum.hpp"
#include "io/dpdk/wire.hpp"

namespace swarmline::io::dpdk {
namespace {

using namespace wire;

constexpr std::size_t kFragmentHeader = 8;  // IPv6 Fragment extension header
constexpr std::uint8_t kNextFragment = 44;

// Fragment payload per packet: what fits after the headers, a multiple of 8 (offsets count in
// 8-byte units).
std::size_t chunk(bool v6, std::size_t mtu) noexcept {
    const std::size_t headers = v6 ? kIpv6Header + kFragmentHeader : kIpv4Header;
    return mtu > headers + 8 ? ((mtu - headers) & ~std::size_t{7}) : 0;
}

}  // namespace

std::size_t fragments_needed(std::size_t frame_length, bool v6, std::size_t mtu) noexcept {
    const std::size_t ip_header = v6 ? kIpv6Header : kIpv4Header;
    if (frame_length <= kEthHeader + ip_header || frame_length - kEthHeader <= mtu) return 0;
    const std::size_t size = chunk(v6, mtu);
    if (size == 0) return 0;
    const std::size_t n = (frame_length - kEthHeader - ip_header + size - 1) / size;
    return n <= kMaxFragments ? n : 0;
}

std::size_t write_fragment(std::span<const std::uint8_t> frame, bool v6, std::size_t mtu, std::uint32_t id,
                           std::size_t index, std::span<std::uint8_t> out) noexcept {
    const std::size_t ip_header = v6 ? kIpv6Header : kIpv4Header;
    const std::size_t l4 = kEthHeader + ip_header;
    const std::size_t size = chunk(v6, mtu);
    const std::size_t total = frame.size() - l4;  // UDP header and payload: what is fragmented
    const std::size_t offset = index * size;
    if (size == 0 || offset >= total) return 0;
    const std::size_t length = std::min(size, total - offset);
    const bool more = offset + length < total;
    const std::size_t headers = l4 + (v6 ? kFragmentHeader : 0);
    if (out.size() < headers + length) return 0;

    std::uint8_t* f = out.data();
    std::memcpy(f, frame.data(), l4);  // Ethernet and IP headers as the whole reply had them
    std::uint8_t* ip = f + kEthHeader;
    if (v6) {
        store16(ip + kIpv6PayloadLength, static_cast<std::uint16_t>(kFragmentHeader + length));
        ip[kIpv6NextHeader] = kNextFragment;
        std::uint8_t* fh = f + l4;
        fh[0] = kProtoUdp;
        fh[1] = 0;
        store16(fh + 2, static_cast<std::uint16_t>(offset | (more ? 1 : 0)));
        fh[4] = static_cast<std::uint8_t>(id >> 24);
        fh[5] = static_cast<std::uint8_t>(id >> 16);
        fh[6] = static_cast<std::uint8_t>(id >> 8);
        fh[7] = static_cast<std::uint8_t>(id);
    } else {
        store16(ip + kIpv4TotalLength, static_cast<std::uint16_t>(kIpv4Header + length));
        store16(ip + 4, static_cast<std::uint16_t>(id));
        // DF must be clear on a fragmented datagram; MF on all but the last; offset in 8-byte units.
        store16(ip + kIpv4FragOff, static_cast<std::uint16_t>((more ? 0x2000 : 0) | (offset / 8)));
        store16(ip + kIpv4Checksum, 0);
        store16(ip + kIpv4Checksum, checksum::finish(checksum::add({ip, kIpv4Header})));
    }
    std::memcpy(f + headers, frame.data() + l4 + offset, length);
    return headers + length;
}

}  // namespace swarmline::io::dpdk
