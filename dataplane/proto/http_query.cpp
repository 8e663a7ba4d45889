#include "proto/http_query.hpp"

#include <arpa/inet.h>

#include <array>
#include <cstring>
#include <limits>

namespace swarmline::proto::http {

namespace {

// Hex digit values, -1 for other bytes: one load per escaped character on the announce path.
constexpr std::array<std::int8_t, 256> kHex = [] {
    std::array<std::int8_t, 256> t{};
    for (int c = 0; c < 256; ++c) {
        if (c >= '0' && c <= '9') t[c] = static_cast<std::int8_t>(c - '0');
        else if (c >= 'a' && c <= 'f') t[c] = static_cast<std::int8_t>(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F') t[c] = static_cast<std::int8_t>(c - 'A' + 10);
        else t[c] = -1;
    }
    return t;
}();

int hex_value(char c) noexcept { return kHex[static_cast<unsigned char>(c)]; }

// Decodes into `out` (at most out.size() bytes); the decoded size, or -1 on a bad escape or overflow.
std::ptrdiff_t percent_decode(std::string_view in, std::span<std::uint8_t> out) noexcept {
    std::size_t n = 0;
    for (std::size_t i = 0; i < in.size(); ++i) {
        if (n == out.size()) return -1;
        char c = in[i];
        if (c == '%') {
            if (in.size() - i < 3) return -1;
            const int hi = hex_value(in[i + 1]);
            const int lo = hex_value(in[i + 2]);
            if (hi < 0 || lo < 0) return -1;
            c = static_cast<char>(hi * 16 + lo);
            i += 2;
        } else if (c == '+') {
            c = ' ';
        }
        out[n++] = static_cast<std::uint8_t>(c);
    }
    return static_cast<std::ptrdiff_t>(n);
}

bool parse_u64(std::string_view s, std::uint64_t& out) noexcept {
    if (s.empty() || s.size() > 20) return false;
    std::uint64_t v = 0;
    for (const char c : s) {
        if (c < '0' || c > '9') return false;
        const auto d = static_cast<std::uint64_t>(c - '0');
        if (v > (std::numeric_limits<std::uint64_t>::max() - d) / 10) return false;
        v = v * 10 + d;
    }
    out = v;
    return true;
}

// Clients send `key` as 8 hex digits (libtorrent, Transmission, uTorrent) or as a decimal number;
// a few send other text. Any fixed mapping to 32 bits identifies the client across announces.
std::uint32_t key_value(std::span<const std::uint8_t> key) noexcept {
    const std::string_view s(reinterpret_cast<const char*>(key.data()), key.size());
    bool hex = !s.empty() && s.size() <= 8;
    for (const char c : s) hex = hex && hex_value(c) >= 0;
    if (hex) {
        std::uint32_t v = 0;
        for (const char c : s) v = (v << 4) | static_cast<std::uint32_t>(hex_value(c));
        return v;
    }
    std::uint64_t dec = 0;
    if (parse_u64(s, dec) && dec <= std::numeric_limits<std::uint32_t>::max()) return static_cast<std::uint32_t>(dec);
    std::uint32_t h = 2166136261u;  // FNV-1a
    for (const std::uint8_t b : key) h = (h ^ b) * 16777619u;
    return h;
}

// An address as clients write it in ip/ipv4/ipv6: `a.b.c.d`, `a.b.c.d:port`, `v6`, `[v6]`,
// `[v6]:port`. The text is percent-decoded first (clients escape the colons). A port of 0 means
// "none given". False when it is not a numeric address (BEP 3 also allows a host name: ignored).
bool parse_address(std::string_view escaped, Endpoint& out) noexcept {
    std::array<std::uint8_t, 64> buf{};
    const std::ptrdiff_t n = percent_decode(escaped, std::span(buf).first(buf.size() - 1));
    if (n <= 0) return false;
    std::string_view s(reinterpret_cast<const char*>(buf.data()), static_cast<std::size_t>(n));
    std::string_view port;
    if (s.front() == '[') {
        const auto close = s.find(']');
        if (close == std::string_view::npos) return false;
        if (close + 1 < s.size()) {
            if (s[close + 1] != ':') return false;
            port = s.substr(close + 2);
        }
        s = s.substr(1, close - 1);
    } else if (const auto colon = s.find(':'); colon != std::string_view::npos && s.find(':', colon + 1) == std::string_view::npos) {
        port = s.substr(colon + 1);  // one colon: IPv4 with a port
        s = s.substr(0, colon);
    }
    out = Endpoint{};
    if (!port.empty()) {
        std::uint64_t p = 0;
        if (!parse_u64(port, p) || p > 65535) return false;
        out.port = static_cast<std::uint16_t>(p);
    }
    char text[INET6_ADDRSTRLEN + 1] = {};
    if (s.size() >= sizeof(text)) return false;
    std::memcpy(text, s.data(), s.size());
    if (inet_pton(AF_INET, text, out.ip.data() + 12) == 1) {
        out.ip[10] = 0xff;
        out.ip[11] = 0xff;
        return true;
    }
    return inet_pton(AF_INET6, text, out.ip.data()) == 1;
}

// A passkey from the query, checked against the one from the path (if any).
const char* take_passkey(std::string_view value, std::string_view& passkey) noexcept {
    if (!valid_passkey(value)) return "invalid passkey";
    if (!passkey.empty() && passkey != value) return "two different passkeys";
    passkey = value;
    return nullptr;
}

// Calls `f(name, value)` for each `name=value` pair; stops at the first error it returns.
// One pass over the bytes finds both separators: pairs are short, so this beats two memchr calls
// per pair.
template <typename F>
const char* for_each_pair(std::string_view query, F&& f) noexcept {
    const char* p = query.data();
    const char* const end = p + query.size();
    while (p < end) {
        const char* const start = p;
        const char* eq = nullptr;
        while (p < end && *p != '&') {
            if (eq == nullptr && *p == '=') eq = p;
            ++p;
        }
        if (p > start) {
            const char* const name_end = eq != nullptr ? eq : p;
            const std::string_view name(start, static_cast<std::size_t>(name_end - start));
            const std::string_view value = eq != nullptr ? std::string_view(eq + 1, static_cast<std::size_t>(p - eq - 1))
                                                         : std::string_view{};
            if (const char* err = f(name, value)) return err;
        }
        ++p;  // past '&'
    }
    return nullptr;
}

bool flag(std::string_view value) noexcept { return value == "1"; }

}  // namespace

bool percent_decode_exact(std::string_view in, std::span<std::uint8_t> out) noexcept {
    return percent_decode(in, out) == static_cast<std::ptrdiff_t>(out.size());
}

const char* parse_announce_query(std::string_view query, Announce& out) noexcept {
    enum : unsigned { kInfoHash = 1, kPeerId = 2, kPort = 4, kUploaded = 8, kDownloaded = 16, kLeft = 32 };
    constexpr unsigned kRequired = kInfoHash | kPeerId | kPort | kUploaded | kDownloaded | kLeft;
    unsigned seen = 0;
    bool v4_port = false;
    bool v6_port = false;
    const char* err = for_each_pair(query, [&](std::string_view name, std::string_view value) noexcept -> const char* {
        std::uint64_t n = 0;
        if (name == "info_hash") {
            if (seen & kInfoHash) return "more than one info_hash in an announce";
            if (!percent_decode_exact(value, out.info_hash)) return "invalid info_hash";
            seen |= kInfoHash;
        } else if (name == "peer_id") {
            if (!percent_decode_exact(value, out.peer_id)) return "invalid peer_id";
            seen |= kPeerId;
        } else if (name == "port") {
            if (!parse_u64(value, n) || n > 65535) return "invalid port";
            out.port = static_cast<std::uint16_t>(n);
            seen |= kPort;
        } else if (name == "uploaded") {
            if (!parse_u64(value, out.uploaded)) return "invalid uploaded";
            seen |= kUploaded;
        } else if (name == "downloaded") {
            if (!parse_u64(value, out.downloaded)) return "invalid downloaded";
            seen |= kDownloaded;
        } else if (name == "left") {
            if (!parse_u64(value, out.left)) return "invalid left";
            seen |= kLeft;
        } else if (name == "corrupt") {
            if (!parse_u64(value, out.corrupt)) return "invalid corrupt";
        } else if (name == "compact") {
            out.compact = value != "0";
        } else if (name == "no_peer_id") {
            out.no_peer_id = flag(value);
        } else if (name == "numwant") {
            if (!parse_u64(value, n)) return "invalid numwant";
            out.numwant = static_cast<std::int32_t>(std::min<std::uint64_t>(n, std::numeric_limits<std::int32_t>::max()));
        } else if (name == "key") {
            std::array<std::uint8_t, 64> buf{};
            const std::ptrdiff_t len = percent_decode(value, buf);
            if (len <= 0) return "invalid key";
            out.key = key_value(std::span(buf).first(static_cast<std::size_t>(len)));
            out.has_key = true;
        } else if (name == "event") {
            if (value.empty() || value == "empty") out.event = Event::none;
            else if (value == "started") out.event = Event::started;
            else if (value == "completed") out.event = Event::completed;
            else if (value == "stopped") out.event = Event::stopped;
            else if (value == "paused") out.event = Event::paused;
            else return "invalid event";
        } else if (name == "ip" || name == "ipv4" || name == "ipv6") {
            Endpoint e;
            if (!parse_address(value, e)) return name == "ip" ? nullptr : "invalid address";  // ip may be a host name
            if (e.v4()) {
                if (name == "ipv6") return "invalid address";
                out.claimed_v4 = e;
                out.has_ipv4 = true;
                v4_port = e.port != 0;
            } else {
                if (name == "ipv4") return "invalid address";
                out.claimed_v6 = e;
                out.has_ipv6 = true;
                v6_port = e.port != 0;
            }
        } else if (name == "supportcrypto") {
            out.supportcrypto = flag(value);
        } else if (name == "requirecrypto") {
            out.requirecrypto = flag(value);
        } else if (name == "passkey") {
            return take_passkey(value, out.passkey);
        }
        return nullptr;
    });
    if (err != nullptr) return err;
    if ((seen & kRequired) != kRequired) {
        if (!(seen & kInfoHash)) return "missing info_hash";
        if (!(seen & kPeerId)) return "missing peer_id";
        if (!(seen & kPort)) return "missing port";
        return "missing uploaded, downloaded or left";
    }
    // A claimed address without its own port takes the announced one (BEP 7).
    if (out.has_ipv4 && !v4_port) out.claimed_v4.port = out.port;
    if (out.has_ipv6 && !v6_port) out.claimed_v6.port = out.port;
    return nullptr;
}

const char* parse_scrape_query(std::string_view query, Scrape& out) noexcept {
    out.count = 0;
    return for_each_pair(query, [&](std::string_view name, std::string_view value) noexcept -> const char* {
        if (name == "info_hash") {
            if (out.count == kMaxScrapeHashes) return "too many info_hash in a scrape";
            if (!percent_decode_exact(value, out.hashes[out.count])) return "invalid info_hash";
            ++out.count;
        } else if (name == "passkey") {
            return take_passkey(value, out.passkey);
        }
        return nullptr;
    });
}

const char* parse_tracker_request(const Request& req, TargetKind& kind, Announce& announce, Scrape& scrape) noexcept {
    Target target;
    if (const char* err = parse_target(req.target, target)) return err;
    kind = target.kind;
    if (kind == TargetKind::announce) {
        announce = Announce{};
        announce.passkey = target.passkey;
        announce.user_agent = req.user_agent;
        return parse_announce_query(target.query, announce);
    }
    scrape.passkey = target.passkey;
    return parse_scrape_query(target.query, scrape);
}

}  // namespace swarmline::proto::http
