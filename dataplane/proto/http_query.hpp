// The query string of HTTP announce and scrape requests (BEP 3, 7, 23, 21, 48) into the
// transport-independent Announce / Scrape of types.hpp. No allocation: binary values are
// percent-decoded straight into the fixed arrays; text values are views into the request.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "proto/http_request.hpp"
#include "proto/request_target.hpp"
#include "proto/types.hpp"

namespace swarmline::proto::http {

// Decodes %XX escapes (and '+' as a space, as form encoding does) into `out`, which must be filled
// exactly: info_hash and peer_id are 20 bytes after decoding. False on a bad escape or wrong size.
[[nodiscard]] bool percent_decode_exact(std::string_view in, std::span<std::uint8_t> out) noexcept;

// The parameters read: info_hash, peer_id, port, uploaded, downloaded, left (all required, BEP 3),
// compact, no_peer_id, numwant, key (hex as most clients send it, or decimal), event (started,
// completed, stopped, paused, empty), ip (a numeric address; host names are ignored), ipv4, ipv6
// (BEP 7, with or without a port), corrupt, supportcrypto, requirecrypto, passkey. Unknown
// parameters are ignored. `out.passkey` is set from `passkey=` unless it is already set (from the
// path); two different passkeys are an error. Fields not in the query keep the values `out` came
// with (start from a default Announce). Null on success, else a static message fit for a
// bencoded `failure reason`.
[[nodiscard]] const char* parse_announce_query(std::string_view query, Announce& out) noexcept;

// Repeated info_hash (up to kMaxScrapeHashes; none means "all", which callers may refuse) and passkey.
[[nodiscard]] const char* parse_scrape_query(std::string_view query, Scrape& out) noexcept;

// The whole tracker step for one parsed HTTP request: target (path + passkey), then the query for
// its kind; fills `announce` or `scrape` and `kind`, and user_agent. Null on success.
[[nodiscard]] const char* parse_tracker_request(const Request& req, TargetKind& kind, Announce& announce,
                                                Scrape& scrape) noexcept;

}  // namespace swarmline::proto::http
