// The DPDK fast path's cost per packet on one core, without a NIC: prebuilt Ethernet frames are
// copied into mbufs from the worker's pool and handed to the worker loop's on_frame() exactly as an
// RX burst would be; replies go to a net_null port, which frees them as a NIC's completion would.
// What is measured is the whole per-packet path: classify, copy out the request, the Worker (BEP 15
// parse, connection id check, Gate, Shard), the reply headers and checksums, the TX burst.
//
//   bench_dpdk [--benchmark_filter=...]
//
// Runs with --no-huge (no hugepages needed); the figures are per core, the loop being single-threaded.
#include <benchmark/benchmark.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <sodium.h>
#include <time.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "io/dpdk/checksum.hpp"
#include "io/dpdk/frame.hpp"
#include "io/dpdk/loop.hpp"
#include "io/dpdk/responder.hpp"
#include "io/handoff.hpp"
#include "io/worker.hpp"
#include "proto/connection_id.hpp"
#include "proto/udp_client.hpp"
#include "shm/segment.hpp"

namespace {

using namespace swarmline;
using io::dpdk::wire::Mac;

constexpr Mac kOurMac = {0x02, 0, 0, 0, 0, 0x01};
constexpr Mac kClientMac = {0x02, 0, 0, 0, 0, 0x02};
constexpr std::uint8_t kOurIp[4] = {10, 0, 0, 1};
constexpr std::uint16_t kPort = 6969;
constexpr std::size_t kClients = 4096;  // distinct client address/port pairs, each with its connection id
constexpr std::size_t kSwarms = 1024;

std::uint64_t now_s() {
    timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return static_cast<std::uint64_t>(ts.tv_sec);
}

// An IPv4/UDP frame from client `i` (10.1.x.y:port) to us carrying `payload`.
std::vector<std::uint8_t> frame_for(std::size_t i, std::span<const std::uint8_t> payload) {
    std::vector<std::uint8_t> f(42 + payload.size());
    std::memcpy(f.data(), kOurMac.data(), 6);
    std::memcpy(f.data() + 6, kClientMac.data(), 6);
    f[12] = 0x08;
    std::uint8_t* ip = f.data() + 14;
    ip[0] = 0x45;
    const auto total = static_cast<std::uint16_t>(28 + payload.size());
    ip[2] = static_cast<std::uint8_t>(total >> 8);
    ip[3] = static_cast<std::uint8_t>(total);
    ip[8] = 64;
    ip[9] = 17;
    ip[12] = 10;
    ip[13] = 1;
    ip[14] = static_cast<std::uint8_t>(i >> 8);
    ip[15] = static_cast<std::uint8_t>(i);
    std::memcpy(ip + 16, kOurIp, 4);
    const std::uint16_t c = io::dpdk::checksum::finish(io::dpdk::checksum::add({ip, 20}));
    ip[10] = static_cast<std::uint8_t>(c >> 8);
    ip[11] = static_cast<std::uint8_t>(c);
    std::uint8_t* udp = ip + 20;
    const std::uint16_t sport = static_cast<std::uint16_t>(20000 + i);
    udp[0] = static_cast<std::uint8_t>(sport >> 8);
    udp[1] = static_cast<std::uint8_t>(sport);
    udp[2] = kPort >> 8;
    udp[3] = kPort & 0xff;
    const auto ulen = static_cast<std::uint16_t>(8 + payload.size());
    udp[4] = static_cast<std::uint8_t>(ulen >> 8);
    udp[5] = static_cast<std::uint8_t>(ulen);
    std::memcpy(udp + 8, payload.data(), payload.size());
    return f;
}

proto::Endpoint client_endpoint(std::size_t i) {
    const std::uint8_t a[4] = {10, 1, static_cast<std::uint8_t>(i >> 8), static_cast<std::uint8_t>(i)};
    std::uint32_t be;
    std::memcpy(&be, a, 4);
    return proto::Endpoint::from_v4(be, static_cast<std::uint16_t>(20000 + i));
}

// EAL, a net_null port for the replies, one pool, one Worker over its own segment, one Loop.
struct Bench {
    rte_mempool* pool = nullptr;
    std::unique_ptr<shm::Segment> segment;
    std::unique_ptr<io::HandoffRings> rings;
    std::unique_ptr<io::Worker> worker;
    std::unique_ptr<io::dpdk::LocalAddresses> local;
    io::dpdk::NeighborTable neighbors;
    io::dpdk::PortCounters counters;
    std::unique_ptr<io::dpdk::Loop> loop;
    proto::ConnectionIds::Secret secret{};
    std::string shm_name = "swl-bench-dpdk-" + std::to_string(::getpid());

    std::string init() {
        if (sodium_init() < 0) return "libsodium";
        const std::string prefix = "--file-prefix=swl-bench-" + std::to_string(::getpid());
        const char* args[] = {"bench_dpdk", "-l", "0", "--no-huge", "--no-shconf", "-m", "256", "--no-pci",
                              "--no-telemetry", "--log-level=warning", "--vdev=net_null0", prefix.c_str()};
        std::vector<char*> argv;
        for (const char* a : args) argv.push_back(const_cast<char*>(a));
        if (rte_eal_init(static_cast<int>(argv.size()), argv.data()) < 0) return "EAL initialisation failed";
        pool = rte_pktmbuf_pool_create("bench", 8191, 256, 0, RTE_PKTMBUF_HEADROOM + 4224, SOCKET_ID_ANY);
        if (!pool) return "mempool";
        rte_eth_conf conf{};
        if (rte_eth_dev_configure(0, 1, 1, &conf) != 0 || rte_eth_rx_queue_setup(0, 0, 512, SOCKET_ID_ANY, nullptr, pool) != 0 ||
            rte_eth_tx_queue_setup(0, 0, 512, SOCKET_ID_ANY, nullptr) != 0 || rte_eth_dev_start(0) != 0)
            return "net_null port";

        shm::SegmentSizes sizes{};
        sizes.shards = 1;
        sizes.peers_per_shard = 1u << 16;
        sizes.v6_peers_per_shard = 1024;
        sizes.torrents_per_shard = 4096;
        sizes.users = 1024;
        sizes.torrents = 1024;
        sizes.tokens = 1024;
        sizes.event_ring = 1u << 16;
        sizes.accumulator = 1024;
        shm::SegmentLocation where;
        where.name = shm_name;
        auto opened = shm::Segment::open(where, sizes, shm::OpenMode::recreate);
        if (!opened.segment) return "segment: " + opened.error;
        segment = std::move(opened.segment);
        // The mapping outlives the name: nothing is left in /dev/shm however the run ends.
        ::unlink(segment->path().c_str());
        rings = std::make_unique<io::HandoffRings>(1, 1, 16);
        io::WorkerContext context;
        context.segment = segment.get();
        context.rings = rings.get();
        context.workers = 1;
        context.open_mode = true;
        randombytes_buf(secret.data(), secret.size());
        context.connection_secret = secret;
        worker = std::make_unique<io::Worker>(context, 0);

        local = std::make_unique<io::dpdk::LocalAddresses>(kOurMac);
        std::uint32_t v4;
        std::memcpy(&v4, kOurIp, 4);
        // A /24: the clients (10.1.x.y) are off-link, behind a router, as on a tracker's uplink.
        local->add_ipv4(v4, 24);
        std::array<std::uint8_t, 16> mapped{};
        mapped[10] = mapped[11] = 0xff;
        std::memcpy(mapped.data() + 12, kOurIp, 4);
        local->add_udp(mapped, kPort);
        io::dpdk::LoopSetup setup;
        setup.nic = 0;
        setup.exception_path = false;
        setup.pool = pool;
        setup.local = local.get();
        setup.neighbors = &neighbors;
        setup.counters = &counters;
        loop = std::make_unique<io::dpdk::Loop>(*worker, setup);
        return {};
    }
};

Bench& bench() {
    static Bench* b = [] {
        auto* x = new Bench;
        if (auto err = x->init(); !err.empty()) {
            std::fprintf(stderr, "bench_dpdk: %s\n", err.c_str());
            std::exit(1);
        }
        return x;
    }();
    return *b;
}

// Feeds `frames` round-robin in bursts of 32, as the RX loop does.
void feed(benchmark::State& state, const std::vector<std::vector<std::uint8_t>>& frames) {
    Bench& b = bench();
    constexpr unsigned kBurst = io::dpdk::Loop::kBurst;
    rte_mbuf* burst[kBurst];
    std::size_t next = 0;
    const std::uint64_t answered_before = b.worker->counters().get(io::Counter::udp_announce) +
                                          b.worker->counters().get(io::Counter::udp_connect);
    for (auto _ : state) {
        if (rte_pktmbuf_alloc_bulk(b.pool, burst, kBurst) != 0) {
            state.SkipWithError("pool empty");
            break;
        }
        b.worker->begin_batch(now_s());
        for (unsigned i = 0; i < kBurst; ++i) {
            const auto& f = frames[next];
            next = next + 1 == frames.size() ? 0 : next + 1;
            std::memcpy(rte_pktmbuf_mtod(burst[i], std::uint8_t*), f.data(), f.size());
            burst[i]->data_len = static_cast<std::uint16_t>(f.size());
            burst[i]->pkt_len = static_cast<std::uint32_t>(f.size());
            b.loop->on_frame(burst[i]);
        }
        b.loop->flush();
    }
    const std::uint64_t answered = b.worker->counters().get(io::Counter::udp_announce) +
                                   b.worker->counters().get(io::Counter::udp_connect) - answered_before;
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * kBurst));
    state.counters["answered_share"] =
        static_cast<double>(answered) / static_cast<double>(state.iterations() * kBurst);
    state.counters["ns_per_packet"] = benchmark::Counter(static_cast<double>(state.iterations() * kBurst),
                                                         benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}

// Announces from kClients clients over kSwarms swarms (half seeders), numwant 50: the frames, or
// (`payload_only`) just their BEP 15 payloads.
std::vector<std::vector<std::uint8_t>> announces(bool payload_only) {
    Bench& b = bench();
    proto::ConnectionIds ids(b.secret);
    ids.advance(now_s());
    std::vector<std::vector<std::uint8_t>> frames;
    for (std::size_t i = 0; i < kClients; ++i) {
        proto::Announce a;
        const std::size_t swarm = i % kSwarms;
        std::memcpy(a.info_hash.data(), &swarm, sizeof swarm);
        a.info_hash[19] = 0x5a;
        std::memcpy(a.peer_id.data(), &i, sizeof i);
        a.port = static_cast<std::uint16_t>(30000 + i);
        a.left = i % 2 ? 0 : 1000;
        a.numwant = 50;
        std::uint8_t payload[256];
        const std::size_t n = proto::udp::encode_announce(payload, ids.issue(client_endpoint(i)), 7, a);
        frames.push_back(payload_only ? std::vector<std::uint8_t>(payload, payload + n) : frame_for(i, {payload, n}));
    }
    return frames;
}

void BM_Announce(benchmark::State& state) { feed(state, announces(false)); }
BENCHMARK(BM_Announce);

// The same announces straight into Worker::on_datagram: the request logic alone, the baseline the
// fast path's own cost is the difference from.
void BM_AnnounceWorkerOnly(benchmark::State& state) {
    Bench& b = bench();
    const auto payloads = announces(true);
    std::vector<std::uint8_t> out(io::kUdpReplyCapacity);
    std::size_t next = 0;
    for (auto _ : state) {
        b.worker->begin_batch(now_s());
        for (unsigned i = 0; i < io::dpdk::Loop::kBurst; ++i) {
            benchmark::DoNotOptimize(b.worker->on_datagram(payloads[next], client_endpoint(next), 0, out));
            next = next + 1 == payloads.size() ? 0 : next + 1;
        }
    }
    const double packets = static_cast<double>(state.iterations() * io::dpdk::Loop::kBurst);
    state.SetItemsProcessed(static_cast<std::int64_t>(packets));
    state.counters["ns_per_packet"] = benchmark::Counter(packets, benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}
BENCHMARK(BM_AnnounceWorkerOnly);

void BM_Connect(benchmark::State& state) {
    std::vector<std::vector<std::uint8_t>> frames;
    for (std::size_t i = 0; i < kClients; ++i) {
        std::uint8_t payload[16];
        const std::size_t n = proto::udp::encode_connect(payload, 9);
        frames.push_back(frame_for(i, {payload, n}));
    }
    feed(state, frames);
}
BENCHMARK(BM_Connect);

void BM_ArpRequest(benchmark::State& state) {
    std::vector<std::uint8_t> f(60, 0);
    std::memset(f.data(), 0xff, 6);
    std::memcpy(f.data() + 6, kClientMac.data(), 6);
    f[12] = 0x08;
    f[13] = 0x06;
    const std::uint8_t arp[28] = {0, 1, 8, 0, 6, 4, 0, 1, 2, 0, 0, 0, 0, 2, 10, 1, 0, 1, 0, 0, 0, 0, 0, 0, 10, 0, 0, 1};
    std::memcpy(f.data() + 14, arp, 28);
    feed(state, {f});
}
BENCHMARK(BM_ArpRequest);

// The packet layer alone on one buffer: classify a 140-byte announce frame and write a 320-byte
// reply's headers and checksum (what the fast path adds to the Worker's own cost).
void BM_PacketLayerOnly(benchmark::State& state) {
    Bench& b = bench();
    std::uint8_t payload[98] = {};
    auto f = frame_for(1, {payload, sizeof payload});
    f.resize(2048);
    for (auto _ : state) {
        const auto c = io::dpdk::classify({f.data(), 42 + sizeof payload}, *b.local);
        benchmark::DoNotOptimize(io::dpdk::finish_udp_reply(f, c, 320, *b.local, {}));
        // The reply swapped the addresses: swap them back so the next round classifies a request.
        io::dpdk::finish_udp_reply(f, c, sizeof payload, *b.local, {});
        f[14 + 2] = 0;
        f[14 + 3] = static_cast<std::uint8_t>(28 + sizeof payload);
    }
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_PacketLayerOnly);

}  // namespace

BENCHMARK_MAIN();
