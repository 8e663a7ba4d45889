// Any datagram: parse as a BEP 15 request. An accepted announce or scrape, encoded again by the
// client-side encoders, must parse to the same request; every outcome gets its reply written.
#include <array>
#include <cstdint>
#include <cstdlib>
#include <span>

#include "proto/udp.hpp"
#include "proto/udp_client.hpp"

using namespace swarmline::proto;
using namespace swarmline::proto::udp;

namespace {
void check(bool ok) {
    if (!ok) std::abort();
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static Request req, req2;
    static Announce a, a2;
    static Scrape s, s2;
    std::array<std::uint8_t, 2048> out;
    const ParseError e = parse_request({data, size}, req, a, s);
    if (!e.ok()) {
        if (e.answerable) check(write_error(out, req.transaction_id, e.step) > 8);
        return 0;
    }
    switch (req.action) {
    case Action::connect:
        check(write_connect(out, req.transaction_id, 1) == 16);
        break;
    case Action::announce: {
        check(req.url_data_size <= kMaxUrlData);
        const std::size_t n = encode_announce(out, req.connection_id, req.transaction_id, a, req.url());
        check(n >= kAnnounceRequestSize);
        check(parse_request(std::span(out).first(n), req2, a2, s2).ok());
        check(a2.info_hash == a.info_hash && a2.peer_id == a.peer_id && a2.left == a.left &&
              a2.uploaded == a.uploaded && a2.downloaded == a.downloaded && a2.event == a.event && a2.key == a.key &&
              a2.numwant == a.numwant && a2.port == a.port && a2.has_ipv4 == a.has_ipv4 &&
              a2.claimed_v4 == a.claimed_v4 && a2.passkey == a.passkey && req2.url() == req.url());
        check(write_announce(out, req.transaction_id, 1800, 1, 2, {data, size % 64}) > 0);
        break;
    }
    case Action::scrape: {
        check(s.count >= 1 && s.count <= kMaxScrapeHashes);
        const std::size_t n = encode_scrape(out, req.connection_id, req.transaction_id, std::span(s.hashes).first(s.count));
        check(parse_request(std::span(out).first(n), req2, a2, s2).ok() && s2.count == s.count);
        break;
    }
    case Action::error:
        std::abort();  // never a successful parse
    }
    return 0;
}
