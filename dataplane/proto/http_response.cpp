#include "proto/http_response.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <charconv>
#include <cstring>

#include "proto/bencode_writer.hpp"
#include "proto/udp.hpp"

namespace swarmline::proto::http {

namespace {

std::int64_t as_int(std::uint64_t v) noexcept {
    return static_cast<std::int64_t>(std::min<std::uint64_t>(v, INT64_MAX));
}

// One non-compact peer: {"ip": text, "peer id": 20 bytes, "port": n}, keys in bencode order.
void write_peer_dict(bencode::Writer& w, std::span<const std::uint8_t> peer, const PeerId* id) noexcept {
    const bool v4 = peer.size() == udp::kPeerV4Size;
    const std::size_t addr_size = v4 ? 4 : 16;
    char text[INET6_ADDRSTRLEN];
    if (inet_ntop(v4 ? AF_INET : AF_INET6, peer.data(), text, sizeof(text)) == nullptr) text[0] = '\0';
    const auto port = static_cast<std::uint16_t>((peer[addr_size] << 8) | peer[addr_size + 1]);
    w.begin_dict();
    w.string("ip");
    w.string(std::string_view(text));
    if (id != nullptr) {
        w.string("peer id");
        w.string(std::span<const std::uint8_t>(*id));
    }
    w.string("port");
    w.integer(port);
    w.end();
}

void write_peer_dicts(bencode::Writer& w, std::span<const std::uint8_t> peers, std::size_t peer_size,
                      std::span<const PeerId> ids, bool with_ids) noexcept {
    const std::size_t n = peers.size() / peer_size;
    // Ids are sent only when there is one for every peer.
    with_ids = with_ids && ids.size() == n;
    for (std::size_t i = 0; i < n; ++i)
        write_peer_dict(w, peers.subspan(i * peer_size, peer_size), with_ids ? &ids[i] : nullptr);
}

}  // namespace

std::size_t write_announce(std::span<char> out, const AnnounceReply& r) noexcept {
    bencode::Writer w(out);
    w.begin_dict();
    w.string("complete");
    w.integer(as_int(r.complete));
    if (r.send_downloaded) {
        w.string("downloaded");
        w.integer(as_int(r.downloaded));
    }
    w.string("incomplete");
    w.integer(as_int(r.incomplete));
    w.string("interval");
    w.integer(r.interval);
    if (r.min_interval != 0) {
        w.string("min interval");
        w.integer(r.min_interval);
    }
    w.string("peers");
    if (r.compact) {
        w.string(r.peers_v4);
        if (!r.peers_v6.empty()) {
            w.string("peers6");
            w.string(r.peers_v6);
        }
    } else {
        w.begin_list();
        write_peer_dicts(w, r.peers_v4, udp::kPeerV4Size, r.peer_ids_v4, !r.no_peer_id);
        write_peer_dicts(w, r.peers_v6, udp::kPeerV6Size, r.peer_ids_v6, !r.no_peer_id);
        w.end();
    }
    if (!r.warning.empty()) {
        w.string("warning message");
        w.string(r.warning);
    }
    w.end();
    return w.finish();
}

std::size_t write_failure(std::span<char> out, std::string_view reason, std::int64_t retry_in_minutes) noexcept {
    bencode::Writer w(out);
    w.begin_dict();
    w.string("failure reason");
    w.string(reason);
    if (retry_in_minutes == kRetryNever) {
        w.string("retry in");
        w.string("never");
    } else if (retry_in_minutes >= 0) {
        w.string("retry in");
        w.integer(retry_in_minutes);
    }
    w.end();
    return w.finish();
}

std::size_t write_scrape(std::span<char> out, std::span<ScrapeFile> files) noexcept {
    std::sort(files.begin(), files.end(),
              [](const ScrapeFile& a, const ScrapeFile& b) { return a.info_hash < b.info_hash; });
    bencode::Writer w(out);
    w.begin_dict();
    w.string("files");
    w.begin_dict();
    for (std::size_t i = 0; i < files.size(); ++i) {
        if (i > 0 && files[i].info_hash == files[i - 1].info_hash) continue;
        w.string(std::span<const std::uint8_t>(files[i].info_hash));
        w.begin_dict();
        w.string("complete");
        w.integer(as_int(files[i].complete));
        w.string("downloaded");
        w.integer(as_int(files[i].downloaded));
        w.string("incomplete");
        w.integer(as_int(files[i].incomplete));
        w.end();
    }
    w.end();
    w.end();
    return w.finish();
}

std::string_view reason_phrase(std::uint16_t status) noexcept {
    switch (status) {
    case 200: return "OK";
    case 400: return "Bad Request";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 414: return "URI Too Long";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 503: return "Service Unavailable";
    case 505: return "HTTP Version Not Supported";
    default: return "Error";
    }
}

std::size_t write_response(std::span<char> out, std::uint16_t status, std::string_view body, bool keep_alive) noexcept {
    bencode::Writer w(out);  // used only as a bounded byte sink
    char num[24];
    auto [end, ec] = std::to_chars(num, num + sizeof(num), status);
    (void)ec;
    w.raw("HTTP/1.1 ");
    w.raw(std::string_view(num, static_cast<std::size_t>(end - num)));
    w.raw(" ");
    w.raw(reason_phrase(status));
    w.raw("\r\nContent-Type: text/plain\r\nContent-Length: ");
    auto [end2, ec2] = std::to_chars(num, num + sizeof(num), body.size());
    (void)ec2;
    w.raw(std::string_view(num, static_cast<std::size_t>(end2 - num)));
    w.raw(keep_alive ? "\r\nConnection: keep-alive\r\n\r\n" : "\r\nConnection: close\r\n\r\n");
    w.raw(body);
    return w.finish();
}

}  // namespace swarmline::proto::http
