// ns per request for the announce path's protocol steps. Inputs are the requests libtorrent 2.0.8
// sent (tests/fuzz/corpus), so the figures are for what real clients send.
//   build/perf/bench/proto/bench_proto --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
#include <benchmark/benchmark.h>

#include <array>
#include <string>
#include <vector>

#include "proto/connection_id.hpp"
#include "proto/http_query.hpp"
#include "proto/http_request.hpp"
#include "proto/http_response.hpp"
#include "proto/udp.hpp"

namespace {

using namespace swarmline::proto;

std::vector<std::uint8_t> unhex(std::string_view hex) {
    std::vector<std::uint8_t> out;
    for (std::size_t i = 0; i + 1 < hex.size(); i += 2)
        out.push_back(static_cast<std::uint8_t>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
    return out;
}

// libtorrent's BEP 15 announce with BEP 41 URL data `/announce/<passkey>` (140 bytes).
const std::vector<std::uint8_t> kUdpAnnounce = unhex(
    "1122334455667788000000015330c50a6aae6c2583a808858027108d69fe4384403896b62d4c54323038302d5f7321624475"
    "4e5f532978290000000000000000000000000001b282000000000000000000000002000000009c5bd964000000c8b52b022a2f"
    "616e6e6f756e63652f3031323334353637383961626364656641424344454630313233343536373839");

const std::string kHttpAnnounce =
    "GET /0123456789abcdefABCDEF0123456789/announce?info_hash=j%ael%25%83%a8%08%85%80%27%10%8di%feC%84%408%96%b6"
    "&peer_id=-LT2080-_s!bDuN_S)x)&port=46379&uploaded=0&downloaded=0&left=111234&corrupt=0&key=9C5BD964"
    "&event=started&numwant=200&compact=1&no_peer_id=1&supportcrypto=1&redundant=0 HTTP/1.1\r\n"
    "Host: 127.0.0.1:34671\r\n"
    "User-Agent: libtorrent/2.0.8.0\r\n"
    "Accept-Encoding: gzip\r\n"
    "Connection: close\r\n"
    "\r\n";

void BM_UdpAnnounceParse(benchmark::State& state) {
    udp::Request req;
    Announce a;
    Scrape s;
    for (auto _ : state) {
        const udp::ParseError e = udp::parse_request(kUdpAnnounce, req, a, s);
        benchmark::DoNotOptimize(e);
        benchmark::DoNotOptimize(a);
    }
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_UdpAnnounceParse);

void BM_HttpAnnounceParse(benchmark::State& state) {
    http::Request req;
    Announce a;
    Scrape s;
    TargetKind kind{};
    for (auto _ : state) {
        const http::ParseResult p = http::parse_request(kHttpAnnounce, req);
        const char* err = http::parse_tracker_request(req, kind, a, s);
        benchmark::DoNotOptimize(p);
        benchmark::DoNotOptimize(err);
        benchmark::DoNotOptimize(a);
    }
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_HttpAnnounceParse);

std::vector<std::uint8_t> peers(std::size_t n, std::size_t size) {
    std::vector<std::uint8_t> out(n * size);
    for (std::size_t i = 0; i < out.size(); ++i) out[i] = static_cast<std::uint8_t>(i * 37);
    return out;
}

// The HTTP reply the worker sends: bencoded compact body with 50 IPv4 peers, then the HTTP head.
void BM_HttpCompactResponse50(benchmark::State& state) {
    const auto p = peers(50, udp::kPeerV4Size);
    std::array<char, 1024> body;
    std::array<char, 1280> reply;
    http::AnnounceReply r;
    r.interval = 1800;
    r.min_interval = 900;
    r.complete = 1234;
    r.incomplete = 56;
    r.downloaded = 7890;
    r.peers_v4 = p;
    for (auto _ : state) {
        const std::size_t n = http::write_announce(body, r);
        const std::size_t m = http::write_response(reply, 200, {body.data(), n}, true);
        benchmark::DoNotOptimize(m);
        benchmark::ClobberMemory();
    }
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_HttpCompactResponse50);

void BM_UdpAnnounceResponse50(benchmark::State& state) {
    const auto p = peers(50, udp::kPeerV4Size);
    std::array<std::uint8_t, 1500> out;
    for (auto _ : state) {
        const std::size_t n = udp::write_announce(out, 42, 1800, 56, 1234, p);
        benchmark::DoNotOptimize(n);
        benchmark::ClobberMemory();
    }
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_UdpAnnounceResponse50);

void BM_ConnectionIdVerify(benchmark::State& state) {
    ConnectionIds ids;
    ids.advance(1'700'000'000);
    const Endpoint client = Endpoint::from_v4(0x0100007f, 6881);
    const std::uint64_t id = ids.issue(client);
    for (auto _ : state) benchmark::DoNotOptimize(ids.verify(id, client));
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ConnectionIdVerify);

}  // namespace

BENCHMARK_MAIN();
