// Any bytes on a connection: parse pipelined HTTP requests one at a time, each complete one as
// a tracker request, and write the reply the worker would send.
#include <array>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "proto/http_query.hpp"
#include "proto/http_request.hpp"
#include "proto/http_response.hpp"

using namespace swarmline::proto;
using namespace swarmline::proto::http;

namespace {
void check(bool ok) {
    if (!ok) std::abort();
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view in(reinterpret_cast<const char*>(data), size);
    static Announce announce;
    static Scrape scrape;
    static std::array<char, 4096> body;
    static std::array<char, 4096> reply;
    Limits limits;
    limits.max_target = 1024;
    limits.max_head = 2048;
    while (!in.empty()) {
        Request req;
        const ParseResult p = parse_request(in, req, limits);
        if (p.status == Status::need_more) {
            check(in.size() < limits.max_head);
            return 0;
        }
        if (p.status == Status::error) {
            check(p.http_status >= 400 && p.http_status < 600 && p.step != nullptr);
            check(write_response(reply, p.http_status, p.step, false) > 0);
            return 0;
        }
        check(p.consumed > 0 && p.consumed <= in.size() && req.target.size() <= limits.max_target);
        TargetKind kind{};
        std::size_t n = 0;
        if (const char* err = parse_tracker_request(req, kind, announce, scrape)) {
            n = write_failure(body, err);
        } else if (kind == TargetKind::announce) {
            check(announce.passkey.size() <= kPasskeyLength);
            AnnounceReply r;
            r.interval = 1800;
            r.compact = announce.compact;
            r.no_peer_id = announce.no_peer_id;
            r.peers_v4 = {data, (size / 6) % 8 * 6};
            n = write_announce(body, r);
        } else {
            check(scrape.count <= kMaxScrapeHashes);
            std::array<ScrapeFile, kMaxScrapeHashes> files{};
            for (std::size_t i = 0; i < scrape.count; ++i) files[i].info_hash = scrape.hashes[i];
            n = write_scrape(body, std::span(files).first(scrape.count));
        }
        check(n > 0);
        check(write_response(reply, 200, {body.data(), n}, req.keep_alive) > n);
        in.remove_prefix(p.consumed);
    }
    return 0;
}
