// The parsed form of a tracker request, shared by the UDP (BEP 15/41) and HTTP parsers and
// consumed by the swarm engine. Every view points into the caller's receive buffer: a request
// lives exactly as long as the packet or HTTP request it was parsed from, and nothing allocates.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace swarmline::proto {

using InfoHash = std::array<std::uint8_t, 20>;  // v1 SHA-1, or v2 SHA-256 truncated (BEP 52)
using PeerId = std::array<std::uint8_t, 20>;

// Numbering is BEP 15's, so a UDP request maps without a table; HTTP maps its strings onto it.
enum class Event : std::uint8_t { none = 0, completed = 1, started = 2, stopped = 3, paused = 4 };

// An IPv4 address is stored as an IPv4-mapped IPv6 address (::ffff:a.b.c.d), so one type and one
// comparison serve both families; `v4()` says which wire form (6 or 18 bytes) a peer takes.
struct Endpoint {
    std::array<std::uint8_t, 16> ip{};
    std::uint16_t port = 0;  // host order

    [[nodiscard]] bool v4() const noexcept {
        return ip[10] == 0xff && ip[11] == 0xff && ip[0] == 0 && ip[1] == 0 && ip[2] == 0 && ip[3] == 0 &&
               ip[4] == 0 && ip[5] == 0 && ip[6] == 0 && ip[7] == 0 && ip[8] == 0 && ip[9] == 0;
    }
    static Endpoint from_v4(std::uint32_t addr_be, std::uint16_t port_host) noexcept {
        Endpoint e;
        e.ip[10] = 0xff;
        e.ip[11] = 0xff;
        e.ip[12] = static_cast<std::uint8_t>(addr_be);
        e.ip[13] = static_cast<std::uint8_t>(addr_be >> 8);
        e.ip[14] = static_cast<std::uint8_t>(addr_be >> 16);
        e.ip[15] = static_cast<std::uint8_t>(addr_be >> 24);
        e.port = port_host;
        return e;
    }
    friend bool operator==(const Endpoint&, const Endpoint&) = default;
};

// BEP 15 says "up to about 74" hashes per scrape (a 1496-byte payload: with IPv4 and UDP headers it
// exceeds a 1500-byte MTU and arrives fragmented, so 70 is the most one unfragmented packet holds).
// HTTP scrape takes the same cap so one fixed array serves both and a client cannot make us walk
// thousands of swarms.
inline constexpr std::size_t kMaxScrapeHashes = 74;
// A 32-character passkey is what the site issues; longer keys are refused while parsing.
inline constexpr std::size_t kPasskeyLength = 32;

struct Announce {
    InfoHash info_hash{};
    PeerId peer_id{};
    std::uint64_t uploaded = 0;
    std::uint64_t downloaded = 0;
    std::uint64_t left = 0;
    std::uint64_t corrupt = 0;
    Event event = Event::none;
    std::uint32_t key = 0;
    bool has_key = false;
    std::int32_t numwant = -1;  // -1: the tracker's default
    std::uint16_t port = 0;
    bool compact = true;        // HTTP only; UDP replies are always compact
    bool no_peer_id = false;    // HTTP only
    bool has_ipv4 = false;      // client-claimed addresses (BEP 7 `ipv4`/`ipv6`, BEP 15 ip field, HTTP `ip`)
    bool has_ipv6 = false;
    Endpoint claimed_v4{};
    Endpoint claimed_v6{};
    std::string_view passkey;     // empty when none was given (an open tracker)
    std::string_view user_agent;  // HTTP only
    bool supportcrypto = false;   // HTTP only (BEP 8 era extension): the peer accepts encrypted links
    bool requirecrypto = false;   // HTTP only: the peer accepts only encrypted links
};

struct Scrape {
    std::array<InfoHash, kMaxScrapeHashes> hashes{};
    std::size_t count = 0;
    std::string_view passkey;
};

}  // namespace swarmline::proto
