// BEP 15 from the client's side: request encoders and response parsers, for the load generator
// and the tests (the tracker itself uses udp.hpp).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "proto/types.hpp"
#include "proto/udp.hpp"

namespace swarmline::proto::udp {

std::size_t encode_connect(std::span<std::uint8_t> out, std::uint32_t transaction_id) noexcept;
// Uses info_hash, peer_id, downloaded, left, uploaded, event, key (0 when !has_key), numwant,
// port and, when has_ipv4, claimed_v4. Non-empty `url_data` is sent as BEP 41 URLData options
// (split into 255-byte options) followed by EndOfOptions.
std::size_t encode_announce(std::span<std::uint8_t> out, std::uint64_t connection_id, std::uint32_t transaction_id,
                            const Announce& announce, std::string_view url_data = {}) noexcept;
std::size_t encode_scrape(std::span<std::uint8_t> out, std::uint64_t connection_id, std::uint32_t transaction_id,
                          std::span<const InfoHash> hashes) noexcept;

struct Response {
    Action action = Action::connect;
    std::uint32_t transaction_id = 0;
    std::uint64_t connection_id = 0;             // connect
    std::uint32_t interval = 0;                  // announce
    std::uint32_t leechers = 0;                  // announce
    std::uint32_t seeders = 0;                   // announce
    std::span<const std::uint8_t> peers;         // announce: compact peers, views the packet
    std::span<const std::uint8_t> scrape_bytes;  // scrape: 12 bytes per hash, see scrape_entry()
    std::string_view message;                    // error, views the packet
    [[nodiscard]] std::size_t scrape_count() const noexcept { return scrape_bytes.size() / kScrapeResponseEntrySize; }
    [[nodiscard]] ScrapeEntry scrape_entry(std::size_t i) const noexcept;
};

// Null on success, else the step that failed. `peer_size` is 6 (IPv4) or 18 (IPv6): the reply does
// not say which, the socket's family does.
[[nodiscard]] const char* parse_response(std::span<const std::uint8_t> packet, std::size_t peer_size,
                                         Response& out) noexcept;

}  // namespace swarmline::proto::udp
