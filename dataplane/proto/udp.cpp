#include "proto/udp.hpp"

#include <cstring>

#include "proto/byte_io.hpp"
#include "proto/request_target.hpp"

namespace swarmline::proto::udp {

namespace {

ParseError answerable(const char* step) noexcept { return ParseError{step, true}; }
ParseError dropped(const char* step) noexcept { return ParseError{step, false}; }

// BEP 41: after the fixed announce fields come options until EndOfOptions or the end of the
// packet. NOP has no length byte; every other type, known or not, has one and is skipped by it.
ParseError read_options(ByteReader& in, Request& req) noexcept {
    std::uint8_t type = 0;
    while (in.read_u8(type)) {
        if (type == kOptionEnd) break;
        if (type == kOptionNop) continue;
        std::uint8_t length = 0;
        std::span<const std::uint8_t> data;
        if (!in.read_u8(length) || !in.take(length, data)) return answerable("truncated BEP 41 option");
        if (type != kOptionUrlData) continue;
        if (kMaxUrlData - req.url_data_size < data.size()) return answerable("BEP 41 URL data too long");
        std::memcpy(req.url_data.data() + req.url_data_size, data.data(), data.size());
        req.url_data_size += data.size();
    }
    return {};
}

ParseError parse_announce(ByteReader& in, Request& req, Announce& a) noexcept {
    a = Announce{};
    std::uint32_t event = 0;
    std::array<std::uint8_t, 4> ip{};
    std::uint32_t key = 0;
    std::int32_t numwant = 0;
    if (!in.read_bytes(a.info_hash) || !in.read_bytes(a.peer_id) || !in.read_u64(a.downloaded) ||
        !in.read_u64(a.left) || !in.read_u64(a.uploaded) || !in.read_u32(event) || !in.read_bytes(ip) ||
        !in.read_u32(key) || !in.read_i32(numwant) || !in.read_u16(a.port))
        return answerable("truncated announce");
    if (event > static_cast<std::uint32_t>(Event::stopped)) return answerable("invalid event");
    a.event = static_cast<Event>(event);
    // BEP 15 has no "no key" value: a client always sends one.
    a.key = key;
    a.has_key = true;
    a.numwant = numwant < 0 ? -1 : numwant;
    if (ip != std::array<std::uint8_t, 4>{}) {
        a.has_ipv4 = true;
        a.claimed_v4.ip[10] = 0xff;
        a.claimed_v4.ip[11] = 0xff;
        std::memcpy(a.claimed_v4.ip.data() + 12, ip.data(), ip.size());
        a.claimed_v4.port = a.port;
    }
    if (ParseError e = read_options(in, req); !e.ok()) return e;
    if (req.url_data_size == 0) return {};
    Target target;
    if (const char* err = parse_target(req.url(), target)) return answerable(err);
    if (target.kind != TargetKind::announce) return answerable("URL data is not an announce path");
    const std::string_view from_query = query_value(target.query, "passkey");
    if (!from_query.empty()) {
        if (!valid_passkey(from_query)) return answerable("invalid passkey");
        if (!target.passkey.empty() && target.passkey != from_query) return answerable("two different passkeys");
        target.passkey = from_query;
    }
    a.passkey = target.passkey;
    return {};
}

ParseError parse_scrape(ByteReader& in, Scrape& s) noexcept {
    s.count = 0;
    s.passkey = {};
    if (in.remaining() % sizeof(InfoHash) != 0) return answerable("truncated scrape");
    const std::size_t n = in.remaining() / sizeof(InfoHash);
    if (n == 0) return answerable("scrape without info_hash");
    if (n > kMaxScrapeHashes) return answerable("too many info_hashes in scrape");
    for (std::size_t i = 0; i < n; ++i) (void)in.read_bytes(s.hashes[i]);  // length checked above
    s.count = n;
    return {};
}

}  // namespace

ParseError parse_request(std::span<const std::uint8_t> packet, Request& req, Announce& announce,
                         Scrape& scrape) noexcept {
    ByteReader in(packet);
    std::uint32_t action = 0;
    req.url_data_size = 0;
    if (!in.read_u64(req.connection_id) || !in.read_u32(action) || !in.read_u32(req.transaction_id))
        return dropped("packet shorter than a BEP 15 header");
    switch (action) {
    case static_cast<std::uint32_t>(Action::connect):
        req.action = Action::connect;
        // Anything else is not a BitTorrent client talking to us: no reply, no amplification.
        if (req.connection_id != kProtocolId) return dropped("connect without the protocol id");
        return {};
    case static_cast<std::uint32_t>(Action::announce):
        req.action = Action::announce;
        return parse_announce(in, req, announce);
    case static_cast<std::uint32_t>(Action::scrape):
        req.action = Action::scrape;
        return parse_scrape(in, scrape);
    default:
        req.action = Action::error;
        return answerable("unknown action");
    }
}

std::size_t write_connect(std::span<std::uint8_t> out, std::uint32_t transaction_id,
                          std::uint64_t connection_id) noexcept {
    ByteWriter w(out);
    w.u32(static_cast<std::uint32_t>(Action::connect));
    w.u32(transaction_id);
    w.u64(connection_id);
    return w.finish();
}

std::size_t write_announce(std::span<std::uint8_t> out, std::uint32_t transaction_id, std::uint32_t interval,
                           std::uint32_t leechers, std::uint32_t seeders,
                           std::span<const std::uint8_t> peers) noexcept {
    ByteWriter w(out);
    w.u32(static_cast<std::uint32_t>(Action::announce));
    w.u32(transaction_id);
    w.u32(interval);
    w.u32(leechers);
    w.u32(seeders);
    w.bytes(peers);
    return w.finish();
}

std::size_t write_scrape(std::span<std::uint8_t> out, std::uint32_t transaction_id,
                         std::span<const ScrapeEntry> entries) noexcept {
    ByteWriter w(out);
    w.u32(static_cast<std::uint32_t>(Action::scrape));
    w.u32(transaction_id);
    for (const ScrapeEntry& e : entries) {
        w.u32(e.seeders);
        w.u32(e.completed);
        w.u32(e.leechers);
    }
    return w.finish();
}

std::size_t write_error(std::span<std::uint8_t> out, std::uint32_t transaction_id, std::string_view message) noexcept {
    ByteWriter w(out);
    w.u32(static_cast<std::uint32_t>(Action::error));
    w.u32(transaction_id);
    w.bytes({reinterpret_cast<const std::uint8_t*>(message.data()), message.size()});
    return w.finish();
}

}  // namespace swarmline::proto::udp
