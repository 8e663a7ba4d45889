// Bencoded tracker replies (BEP 3, 7, 23, 24, 31, 48) and the HTTP/1.1 response around them, written
// into a caller's buffer. Peers arrive as the swarm stores them, compact wire bytes (6 per IPv4
// peer, 18 per IPv6 peer), so the compact reply is a copy; the non-compact form renders them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "proto/types.hpp"

namespace swarmline::proto::http {

struct AnnounceReply {
    std::uint32_t interval = 0;
    std::uint32_t min_interval = 0;  // 0: not sent
    std::uint64_t complete = 0;      // seeders
    std::uint64_t incomplete = 0;    // leechers
    std::uint64_t downloaded = 0;    // snatches
    bool send_downloaded = true;
    std::string_view warning;        // empty: not sent
    std::span<const std::uint8_t> peers_v4;  // 6 bytes per peer
    std::span<const std::uint8_t> peers_v6;  // 18 bytes per peer
    // Non-compact only: one id per peer, in the order of peers_v4 then peers_v6; when empty (or
    // no_peer_id), the dicts carry no "peer id".
    std::span<const PeerId> peer_ids_v4;
    std::span<const PeerId> peer_ids_v6;
    bool compact = true;     // "peers" (+ "peers6") strings, else one "peers" list of dicts
    bool no_peer_id = false;
};

// Each writer returns the bytes written into `out`, or 0 when it does not fit.
std::size_t write_announce(std::span<char> out, const AnnounceReply& reply) noexcept;

// `retry_in_minutes` (BEP 31): negative means not sent, and kRetryNever sends "never".
inline constexpr std::int64_t kRetryNever = -2;
std::size_t write_failure(std::span<char> out, std::string_view reason, std::int64_t retry_in_minutes = -1) noexcept;

struct ScrapeFile {
    InfoHash info_hash{};
    std::uint64_t complete = 0;
    std::uint64_t downloaded = 0;
    std::uint64_t incomplete = 0;
};
// BEP 48: {"files": {<raw info_hash>: {complete, downloaded, incomplete}}}. Bencode wants the keys
// sorted: `files` is sorted in place (by raw bytes) and duplicates are written once.
std::size_t write_scrape(std::span<char> out, std::span<ScrapeFile> files) noexcept;

// A full HTTP/1.1 response: status line, Content-Type: text/plain, Content-Length, Connection
// keep-alive or close, then `body`. Returns the bytes written, 0 when it does not fit.
std::size_t write_response(std::span<char> out, std::uint16_t status, std::string_view body, bool keep_alive) noexcept;

// The reason phrase of the statuses this tracker sends ("Bad Request" ...), "Error" for others.
[[nodiscard]] std::string_view reason_phrase(std::uint16_t status) noexcept;

}  // namespace swarmline::proto::http
