// Where a tracker request is aimed: the path and query of an HTTP request target, or the BEP 41
// URL data of a UDP request. A private tracker carries the user's passkey in it, in one of the
// forms clients are configured with: `/<passkey>/announce`, `/announce/<passkey>` or
// `/announce?passkey=<passkey>` (and the same three for `scrape`).
#pragma once

#include <string_view>

namespace swarmline::proto {

enum class TargetKind : unsigned char { announce, scrape };

struct Target {
    TargetKind kind = TargetKind::announce;
    std::string_view passkey;  // from the path; the query form is read by the query parsers
    std::string_view query;    // after '?', without it; empty when there is none
};

// Null on success, or what was wrong (a static string, fit for a bencoded `failure reason`).
// The path must be one of `/announce`, `/scrape`, `/<passkey>/announce`, `/announce/<passkey>`
// (and scrape); a passkey is 1..kPasskeyLength characters of [0-9A-Za-z].
[[nodiscard]] const char* parse_target(std::string_view target, Target& out) noexcept;

// The raw (undecoded) value of the first `name=` parameter of a query; empty when absent.
[[nodiscard]] std::string_view query_value(std::string_view query, std::string_view name) noexcept;

// True when `key` is a passkey this tracker could have issued (see kPasskeyLength).
[[nodiscard]] bool valid_passkey(std::string_view key) noexcept;

}  // namespace swarmline::proto
