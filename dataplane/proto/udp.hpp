// BEP 15 (UDP tracker protocol) with BEP 41 options: the tracker's side. Parsing reads from a span
// that advances and never allocates; a request that fails to parse says whether it can still be
// answered with an error (action 3 needs the transaction id) or must be dropped.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "proto/types.hpp"

namespace swarmline::proto::udp {

inline constexpr std::uint64_t kProtocolId = 0x41727101980;  // the connect request's magic

enum class Action : std::uint32_t { connect = 0, announce = 1, scrape = 2, error = 3 };

inline constexpr std::size_t kAnnounceRequestSize = 98;  // before BEP 41 options
inline constexpr std::size_t kScrapeResponseEntrySize = 12;
inline constexpr std::size_t kPeerV4Size = 6;   // address + port, network order
inline constexpr std::size_t kPeerV6Size = 18;
// BEP 41 option types.
inline constexpr std::uint8_t kOptionEnd = 0x0;
inline constexpr std::uint8_t kOptionNop = 0x1;
inline constexpr std::uint8_t kOptionUrlData = 0x2;
// All URLData options of one request, concatenated. A path with a 32-character passkey and a
// short query fits many times over; longer URL data is refused rather than truncated.
inline constexpr std::size_t kMaxUrlData = 512;

struct Request {
    Action action = Action::connect;
    std::uint64_t connection_id = 0;  // the protocol id for a connect
    std::uint32_t transaction_id = 0;
    // Announce only: the concatenated URLData options (the path and query of the tracker URL).
    // `Announce::passkey` points into `url_data`, so it lives as long as this Request.
    std::array<char, kMaxUrlData> url_data{};
    std::size_t url_data_size = 0;
    [[nodiscard]] std::string_view url() const noexcept { return {url_data.data(), url_data_size}; }
};

struct ParseError {
    const char* step = nullptr;  // null when the parse succeeded
    // True when the transaction id was read, so an error response (action 3) can be sent; false
    // for packets too short or not BEP 15 at all, which are dropped without a reply.
    bool answerable = false;
    [[nodiscard]] bool ok() const noexcept { return step == nullptr; }
};

// Parses one datagram. On success `req` holds the header and, by action, `announce` or `scrape` is
// filled (a connect fills neither). The connection id is NOT checked here: the caller verifies it
// with ConnectionIds. For an announce, the passkey comes from the URL data (see request_target.hpp);
// the 4-byte IP field, when non-zero, becomes `announce.claimed_v4` (BEP 15 says IPv4 only).
[[nodiscard]] ParseError parse_request(std::span<const std::uint8_t> packet, Request& req, Announce& announce,
                                       Scrape& scrape) noexcept;

// Response writers. Each returns the number of bytes written into `out`, or 0 when `out` is too
// small (nothing usable was written).
std::size_t write_connect(std::span<std::uint8_t> out, std::uint32_t transaction_id,
                          std::uint64_t connection_id) noexcept;
// `peers` are compact peers as the swarm stores them: 6 bytes each for a request that came over
// IPv4, 18 bytes each over IPv6 (BEP 15: the address family of the reply is the request's).
std::size_t write_announce(std::span<std::uint8_t> out, std::uint32_t transaction_id, std::uint32_t interval,
                           std::uint32_t leechers, std::uint32_t seeders,
                           std::span<const std::uint8_t> peers) noexcept;

struct ScrapeEntry {
    std::uint32_t seeders = 0;
    std::uint32_t completed = 0;
    std::uint32_t leechers = 0;
};
// One entry per requested hash, in request order (BEP 15 has no key in the reply).
std::size_t write_scrape(std::span<std::uint8_t> out, std::uint32_t transaction_id,
                         std::span<const ScrapeEntry> entries) noexcept;
std::size_t write_error(std::span<std::uint8_t> out, std::uint32_t transaction_id, std::string_view message) noexcept;

}  // namespace swarmline::proto::udp
