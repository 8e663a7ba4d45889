#include "proto/udp_client.hpp"

#include <algorithm>

#include "proto/byte_io.hpp"

namespace swarmline::proto::udp {

namespace {
std::span<const std::uint8_t> bytes_of(std::string_view s) noexcept {
    return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}
}  // namespace

std::size_t encode_connect(std::span<std::uint8_t> out, std::uint32_t transaction_id) noexcept {
    ByteWriter w(out);
    w.u64(kProtocolId);
    w.u32(static_cast<std::uint32_t>(Action::connect));
    w.u32(transaction_id);
    return w.finish();
}

std::size_t encode_announce(std::span<std::uint8_t> out, std::uint64_t connection_id, std::uint32_t transaction_id,
                            const Announce& a, std::string_view url_data) noexcept {
    ByteWriter w(out);
    w.u64(connection_id);
    w.u32(static_cast<std::uint32_t>(Action::announce));
    w.u32(transaction_id);
    w.bytes(a.info_hash);
    w.bytes(a.peer_id);
    w.u64(a.downloaded);
    w.u64(a.left);
    w.u64(a.uploaded);
    w.u32(static_cast<std::uint32_t>(a.event));
    if (a.has_ipv4) w.bytes(std::span(a.claimed_v4.ip).subspan(12));
    else w.u32(0);
    w.u32(a.has_key ? a.key : 0);
    w.u32(static_cast<std::uint32_t>(a.numwant));
    w.u16(a.port);
    if (!url_data.empty()) {
        while (!url_data.empty()) {
            const std::size_t n = std::min<std::size_t>(url_data.size(), 255);
            w.u8(kOptionUrlData);
            w.u8(static_cast<std::uint8_t>(n));
            w.bytes(bytes_of(url_data.substr(0, n)));
            url_data.remove_prefix(n);
        }
        w.u8(kOptionEnd);
    }
    return w.finish();
}

std::size_t encode_scrape(std::span<std::uint8_t> out, std::uint64_t connection_id, std::uint32_t transaction_id,
                          std::span<const InfoHash> hashes) noexcept {
    ByteWriter w(out);
    w.u64(connection_id);
    w.u32(static_cast<std::uint32_t>(Action::scrape));
    w.u32(transaction_id);
    for (const InfoHash& h : hashes) w.bytes(h);
    return w.finish();
}

ScrapeEntry Response::scrape_entry(std::size_t i) const noexcept {
    ByteReader in(scrape_bytes.subspan(i * kScrapeResponseEntrySize, kScrapeResponseEntrySize));
    ScrapeEntry e;
    (void)(in.read_u32(e.seeders) && in.read_u32(e.completed) && in.read_u32(e.leechers));
    return e;
}

const char* parse_response(std::span<const std::uint8_t> packet, std::size_t peer_size, Response& out) noexcept {
    out = Response{};
    ByteReader in(packet);
    std::uint32_t action = 0;
    if (!in.read_u32(action) || !in.read_u32(out.transaction_id)) return "response shorter than its header";
    switch (action) {
    case static_cast<std::uint32_t>(Action::connect):
        out.action = Action::connect;
        if (!in.read_u64(out.connection_id)) return "truncated connect response";
        return nullptr;
    case static_cast<std::uint32_t>(Action::announce):
        out.action = Action::announce;
        if (!in.read_u32(out.interval) || !in.read_u32(out.leechers) || !in.read_u32(out.seeders))
            return "truncated announce response";
        if (peer_size == 0 || in.remaining() % peer_size != 0) return "announce response peers not whole";
        (void)in.take(in.remaining(), out.peers);
        return nullptr;
    case static_cast<std::uint32_t>(Action::scrape):
        out.action = Action::scrape;
        if (in.remaining() % kScrapeResponseEntrySize != 0) return "scrape response entries not whole";
        (void)in.take(in.remaining(), out.scrape_bytes);
        return nullptr;
    case static_cast<std::uint32_t>(Action::error): {
        out.action = Action::error;
        std::span<const std::uint8_t> msg;
        (void)in.take(in.remaining(), msg);
        out.message = {reinterpret_cast<const char*>(msg.data()), msg.size()};
        return nullptr;
    }
    default:
        return "unknown action in response";
    }
}

}  // namespace swarmline::proto::udp
