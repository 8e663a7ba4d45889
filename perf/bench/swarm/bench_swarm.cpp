// Announce-handling cost on one core with 1M peers over 100k torrents, and the memory each peer and
// each torrent takes. Run: build/perf/bench/swarm/bench_swarm
//
// The swarms are filled once (100k users, 10 peers each on 10 different torrents, a quarter seeders);
// then each iteration re-announces the next peer in turn (its torrent is a random-looking one of the
// 100k), a pass later than its previous announce so that the min interval is respected: the full path
// of a regular announce (Gate lookups + swarm update + 50-peer selection + event record).
#include <benchmark/benchmark.h>
#include <stdlib.h>

#include <cstdlib>

#include <bit>
#include <cstring>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "proto/types.hpp"
#include "shm/segment.hpp"
#include "shm/swarm_layout.hpp"
#include "swarm/engine.hpp"

namespace {

using namespace swarmline;

constexpr std::uint32_t kTorrents = 100'000;
constexpr std::uint32_t kPeers = 1'000'000;
constexpr std::uint32_t kUsers = kPeers / 10;
constexpr std::uint32_t kT0 = 1'000'000;

proto::InfoHash hash_of(std::uint32_t n) {
    proto::InfoHash h{};
    std::uint64_t x = n * 0x9e3779b97f4a7c15ULL + 1;
    for (std::size_t i = 0; i < h.size(); ++i) {
        x ^= x >> 29;
        x *= 0xbf58476d1ce4e5b9ULL;
        h[i] = static_cast<std::uint8_t>(x >> 56);
    }
    return h;
}

shm::Passkey passkey_of(std::uint32_t n) {
    shm::Passkey k{};
    const std::string s = std::string(22, 'p') + std::to_string(1'000'000'000 + n);
    std::memcpy(k.data(), s.data(), k.size());
    return k;
}

struct World {
    std::string dir;
    std::unique_ptr<shm::Segment> seg;
    std::unique_ptr<swarm::Gate> gate;
    std::unique_ptr<swarm::Shard> shard;
    std::vector<shm::Passkey> keys;
    std::vector<proto::InfoHash> hashes;
    std::array<std::uint8_t, 6 * 200> b4{};
    std::array<std::uint8_t, 18 * 200> b6{};
    swarm::PeerOutput out;
    std::uint64_t done = 0;  // announces made after the fill

    World() {
        char tmpl[] = "/dev/shm/swarmline-bench-XXXXXX";
        dir = mkdtemp(tmpl);
        shm::SegmentSizes s = shm::Segment::default_sizes(1, kPeers);
        s.torrents_per_shard = kTorrents;
        s.users = kUsers;
        s.torrents = kTorrents;
        shm::SegmentLocation where;
        where.shm_dir = dir;
        auto opened = shm::Segment::open(where, s, shm::OpenMode::recreate);
        if (!opened.segment) std::abort();
        seg = std::move(opened.segment);
        for (std::uint32_t u = 0; u < kUsers; ++u) {
            keys.push_back(passkey_of(u));
            shm::UserEntry e{};
            e.user_id = u + 1;
            e.flags = shm::kUserCanLeech;
            seg->users().upsert(keys.back(), e);
        }
        for (std::uint32_t t = 0; t < kTorrents; ++t) {
            hashes.push_back(hash_of(t));
            shm::TorrentEntry e{};
            e.torrent_id = t + 1;
            seg->torrents().upsert(hashes.back(), e);
        }
        gate = std::make_unique<swarm::Gate>(*seg, swarm::GateConfig{false, 1});
        shard = std::make_unique<swarm::Shard>(*seg, 0, 1);
        out.v4 = b4.data();
        out.v4_capacity = 200;
        out.v6 = b6.data();
        out.v6_capacity = 200;
        for (std::uint32_t p = 0; p < kPeers; ++p) announce(p, kT0);
    }
    ~World() {
        seg.reset();
        std::error_code ec;
        std::filesystem::remove_all(dir, ec);
    }

    // Peer p: user p / 10, torrent spread by a multiplicative step (adjacent peers hit far-apart
    // swarms), one seeder in four.
    proto::Announce request(std::uint32_t p, std::uint32_t now) const {
        proto::Announce a;
        const std::uint32_t t = static_cast<std::uint32_t>((std::uint64_t{p} * 2654435761u) % kTorrents);
        a.info_hash = hashes[t];
        std::memcpy(a.peer_id.data(), "-qB4630-", 8);
        std::memcpy(a.peer_id.data() + 8, &p, 4);
        a.left = p % 4 == 0 ? 0 : 1000;
        a.uploaded = std::uint64_t{now} * 1000;
        a.port = 51413;
        const shm::Passkey& k = keys[p / 10];
        a.passkey = std::string_view(k.data(), k.size());
        return a;
    }
    static proto::Endpoint source(std::uint32_t p) { return proto::Endpoint::from_v4(0x0a000000u + p, 51413); }

    // Control's part, kept cheap: drain the ring as fast as it fills.
    void drain() {
        if ((++done & 1023) == 0) {
            shm::EventRing ring = seg->event_ring(0);
            ring.release_through(ring.published());
        }
    }

    swarm::AnnounceResult announce(std::uint32_t p, std::uint32_t now) {
        const proto::Announce a = request(p, now);
        const auto from = source(p);
        const swarm::Admission adm = gate->admit(a, from, now);
        auto r = shard->announce(adm, a, from, now, out);
        drain();
        return r;
    }

    // The next peer to re-announce, and a time one pass after its previous announce.
    std::uint64_t next = 0;
    std::uint32_t now_of(std::uint64_t i) const { return kT0 + 600 * static_cast<std::uint32_t>(1 + i / kPeers); }
};

World& world() {
    static World w;
    return w;
}

void BM_Announce(benchmark::State& state) {
    World& w = world();
    std::uint64_t n = 0, peers_out = 0;
    for (auto _ : state) {
        const std::uint64_t i = w.next++;
        const auto r = w.announce(static_cast<std::uint32_t>(i % kPeers), w.now_of(i));
        peers_out += r.n4;
        benchmark::DoNotOptimize(r);
        ++n;
    }
    state.counters["peers_per_reply"] = benchmark::Counter(static_cast<double>(peers_out) / static_cast<double>(n));
}
BENCHMARK(BM_Announce)->Unit(benchmark::kNanosecond)->Iterations(2'000'000);

// The same announces in batches of 16, as a worker draining its receive queue would: prefetch
// every request's entries first, then handle each. Time is per announce.
void BM_AnnounceBatched(benchmark::State& state) {
    constexpr int kBatch = 16;
    World& w = world();
    std::array<proto::Announce, kBatch> a;
    std::array<proto::Endpoint, kBatch> from;
    std::array<swarm::Admission, kBatch> adm;
    std::array<std::uint32_t, kBatch> now{};
    while (state.KeepRunningBatch(kBatch)) {
        for (int k = 0; k < kBatch; ++k) {
            const std::uint64_t i = w.next++;
            const auto p = static_cast<std::uint32_t>(i % kPeers);
            now[k] = w.now_of(i);
            a[k] = w.request(p, now[k]);
            from[k] = World::source(p);
            w.gate->prefetch(a[k]);
        }
        for (int k = 0; k < kBatch; ++k) {
            adm[k] = w.gate->admit(a[k], from[k], now[k]);
            w.shard->prefetch(adm[k], a[k], from[k]);
        }
        for (int k = 0; k < kBatch; ++k) {
            benchmark::DoNotOptimize(w.shard->announce(adm[k], a[k], from[k], now[k], w.out));
            w.drain();
        }
    }
}
BENCHMARK(BM_AnnounceBatched)->Unit(benchmark::kNanosecond)->Iterations(2'000'000);

void BM_Memory(benchmark::State& state) {
    World& w = world();
    for (auto _ : state) benchmark::DoNotOptimize(w.seg.get());
    const shm::SegmentSizes& s = w.seg->sizes();
    const shm::ShardLayout l = shm::shard_layout(s);
    const auto* h = static_cast<const shm::ShardHeader*>(w.seg->shard_region(0));
    const double peers = h->peers4.load();
    const double swarms = h->swarms.load();
    // Shared memory actually handed out to peer records (blocks are powers of two).
    state.counters["peers"] = peers;
    state.counters["swarms"] = swarms;
    state.counters["peer_record_B"] = sizeof(shm::PeerRecord4);
    state.counters["pool_B_per_peer_used"] = h->pool4.bump * double(sizeof(shm::PeerRecord4)) / peers;
    // The worker's private peer index and location counts (16-byte slots, load <= 2/3), by capacity.
    const std::uint64_t items = std::uint64_t{s.peers_per_shard} + s.v6_peers_per_shard;
    const double index_slots = double(std::bit_ceil(items + items / 2));
    state.counters["index_B_per_peer"] = 2 * index_slots * 16 / peers;
    state.counters["swarm_B_per_torrent"] = double(l.swarm_slots) * sizeof(shm::SwarmSlot) / swarms;
    state.counters["snatch_B_per_torrent"] = double(l.snatch_slots) * sizeof(shm::SnatchKey) / swarms;
    state.counters["segment_MiB"] = double(shm::Segment::bytes_for(s)) / (1 << 20);
    // The segment a 10-million-peer tracker maps (two workers); pages are touched only as used.
    state.counters["segment_10M_peers_MiB"] = double(shm::Segment::bytes_for(shm::Segment::default_sizes(2, 10'000'000))) / (1 << 20);
}
BENCHMARK(BM_Memory)->Iterations(1);

// Opt-in (SWARMLINE_BENCH_10M=1; about 3 GB of memory): ten million IPv4 peers over a million
// torrents in two shards, filled through the Gate and the Shards. Shows the capacity holds and what
// it costs in resident memory.
void BM_TenMillionPeers(benchmark::State& state) {
    constexpr std::uint32_t kBig = 10'000'000, kBigTorrents = 1'000'000, kShards = 2;
    char tmpl[] = "/dev/shm/swarmline-bench10m-XXXXXX";
    const std::string dir = mkdtemp(tmpl);
    shm::SegmentSizes s = shm::Segment::default_sizes(kShards, kBig);
    s.torrents_per_shard = kBigTorrents / kShards + kBigTorrents / 8;
    s.users = kBig / 10;
    s.torrents = kBigTorrents;
    shm::SegmentLocation where;
    where.shm_dir = dir;
    std::uint64_t added = 0;
    for (auto _ : state) {
        auto opened = shm::Segment::open(where, s, shm::OpenMode::recreate);
        if (!opened.segment) {
            state.SkipWithError(opened.error.c_str());
            break;
        }
        shm::Segment& seg = *opened.segment;
        std::vector<proto::InfoHash> hashes(kBigTorrents);
        for (std::uint32_t t = 0; t < kBigTorrents; ++t) {
            hashes[t] = hash_of(t);
            shm::TorrentEntry e{};
            e.torrent_id = t + 1;
            seg.torrents().upsert(hashes[t], e);
        }
        shm::UserEntry u{};
        u.flags = shm::kUserCanLeech;
        for (std::uint32_t i = 0; i < s.users; ++i) {
            u.user_id = i + 1;
            seg.users().upsert(passkey_of(i), u);
        }
        swarm::Gate gate(seg, swarm::GateConfig{false, kShards});
        std::vector<std::unique_ptr<swarm::Shard>> shards;
        for (std::uint32_t i = 0; i < kShards; ++i) shards.push_back(std::make_unique<swarm::Shard>(seg, i, i + 1));
        std::array<std::uint8_t, 6 * 200> b4{};
        swarm::PeerOutput out;
        out.v4 = b4.data();
        out.v4_capacity = 200;
        for (std::uint32_t p = 0; p < kBig; ++p) {
            proto::Announce a;
            a.info_hash = hashes[static_cast<std::uint32_t>((std::uint64_t{p} * 2654435761u) % kBigTorrents)];
            std::memcpy(a.peer_id.data(), "-qB4630-", 8);
            std::memcpy(a.peer_id.data() + 8, &p, 4);
            a.left = p % 4 == 0 ? 0 : 1000;
            a.port = 51413;
            const shm::Passkey k = passkey_of(p / 10);
            a.passkey = std::string_view(k.data(), k.size());
            const auto from = proto::Endpoint::from_v4(0x0a000000u + p, 51413);
            const swarm::Admission adm = gate.admit(a, from, kT0);
            if (shards[adm.shard]->announce(adm, a, from, kT0, out).outcome == swarm::Outcome::ok) ++added;
            if ((p & 1023) == 0) {
                for (std::uint32_t i = 0; i < kShards; ++i) seg.event_ring(i).release_through(seg.event_ring(i).published());
            }
        }
        std::uint64_t peers = 0;
        for (std::uint32_t i = 0; i < kShards; ++i) {
            peers += static_cast<const shm::ShardHeader*>(seg.shard_region(i))->peers4.load();
        }
        state.counters["peers"] = double(peers);
    }
    state.counters["announces_ok"] = double(added);
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
}

}  // namespace

int main(int argc, char** argv) {
    if (const char* big = std::getenv("SWARMLINE_BENCH_10M"); big != nullptr && big[0] == '1') {
        benchmark::RegisterBenchmark("BM_TenMillionPeers", BM_TenMillionPeers)->Iterations(1)->Unit(benchmark::kSecond);
    }
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
