// Events flushed from the shared-memory event rings into PostgreSQL per second, sustained.
//
// A fresh database is created and migrated on the server the admin URL names, seeded with users and
// torrents; producers fill each worker's ring with announce records at --rate (0: as fast as the
// flusher frees slots, i.e. the flusher's ceiling) while the real SyncService flushes them. Each
// second prints the flushed rate and the backlog (records in the rings); at the end the producers
// stop, the backlog drains, and user_statistics must hold exactly the bytes produced.
//
//   sync_bench --admin-url URL [--seconds 20] [--rate 0] [--shards 2] [--users 20000]
//              [--torrents 5000] [--peers 0] [--batch 20000] [--announces true] [--completions 0]
//              [--description-bytes 0]
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "base/options.hpp"
#include "db/pg.hpp"
#include "proto/types.hpp"
#include "shm/segment.hpp"
#include "bench_setup.hpp"
#include "sync/sync_service.hpp"

using namespace swarmline;
using Clock = std::chrono::steady_clock;

namespace {

struct Produced {
    std::atomic<std::uint64_t> events{0};
    std::atomic<std::uint64_t> uploaded{0};
};

struct Workload {
    std::uint32_t users, torrents;
    std::uint64_t peers;  // 0: every event a random (user, torrent); else a fixed population re-announcing
    double rate;          // events per second per ring, 0: as fast as the flusher frees slots
    std::uint32_t completions;  // every n-th event of a ring is a first completion, 0: none
};

// One worker's producer: announces as a shard would record them. Without a population each event is
// a random (user, torrent), nearly always a peer never seen before (every peers/snatches row is an
// insert, every torrent's counts change). With one, peer k is a fixed (user, torrent, seeder or
// not) that announces again and again, as a tracker's steady state looks: one announce per peer
// per interval, counters growing, swarm counts stable.
void produce(shm::EventRing ring, std::uint32_t shard, std::uint32_t shards, Workload w, std::atomic<bool>& stop,
             Produced& produced) {
    std::mt19937_64 rng(shard + 1);
    std::uniform_int_distribution<std::uint32_t> user(1, w.users), torrent(1, w.torrents);
    // Peers are split between the rings as torrents are between shards: peer k belongs to ring k % shards.
    const std::uint64_t own = w.peers / shards + (shard < w.peers % shards ? 1 : 0);
    std::uniform_int_distribution<std::uint64_t> member(0, own ? own - 1 : 0);
    std::uniform_int_distribution<std::uint64_t> bytes(0, 1 << 24);
    const auto start = Clock::now();
    std::uint64_t made = 0, up = 0;
    while (!stop.load(std::memory_order_relaxed)) {
        if (w.rate > 0) {
            const double due = w.rate * std::chrono::duration<double>(Clock::now() - start).count();
            if (static_cast<double>(made) >= due) {
                std::this_thread::sleep_for(std::chrono::microseconds(200));
                continue;
            }
        }
        shm::EventRecord r{};
        bool seeder = made % 3 == 0;
        if (own) {
            // k < users * torrents: user k % users, torrent (k / users + k % users) % torrents is a
            // distinct pair for each k, and spreads a population of any size over all the torrents.
            const std::uint64_t k = member(rng) * shards + shard;
            r.user_id = static_cast<std::uint32_t>(1 + k % w.users);
            r.torrent_id = static_cast<std::uint32_t>(1 + (k / w.users + k % w.users) % w.torrents);
            seeder = k % 3 == 0;
        } else {
            r.user_id = user(rng);
            r.torrent_id = torrent(rng);
        }
        // A leecher finishing: its `completed` announce, the first of its (user, torrent) (a snatch),
        // after which it seeds.
        const bool completes = w.completions && made % w.completions == w.completions - 1;
        if (completes) seeder = true;
        r.event = static_cast<std::uint8_t>(completes ? proto::Event::completed : proto::Event::none);
        r.uploaded_delta = bytes(rng);
        r.downloaded_delta = seeder ? 0 : bytes(rng) / 4;
        r.uploaded_credited = r.uploaded_delta;
        r.downloaded_credited = r.downloaded_delta;
        r.uploaded_total = r.uploaded_delta;
        r.downloaded_total = r.downloaded_delta;
        r.left = seeder ? 0 : 1000;
        r.flags = static_cast<std::uint16_t>((seeder ? shm::kEventSeeder : 0) |
                                             (completes ? shm::kEventFirstCompletion : 0));
        r.time = static_cast<std::uint32_t>(std::time(nullptr));
        r.seedtime_delta = seeder ? 1800 : 0;
        r.port = 51413;
        r.ip = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 10, static_cast<std::uint8_t>(shard), 0, 1};
        std::memcpy(r.peer_id.data(), "-qB4500-", 8);
        std::memcpy(r.peer_id.data() + 8, &r.user_id, 4);  // one client per user and torrent
        if (!ring.try_push(r)) {
            std::this_thread::sleep_for(std::chrono::microseconds(200));  // full: the flusher is behind
            continue;
        }
        ++made;
        up += r.uploaded_delta;
    }
    produced.events.fetch_add(made);
    produced.uploaded.fetch_add(up);
}

}  // namespace

int main(int argc, char** argv) {
    std::string admin_url = std::getenv("SWARMLINE_TEST_DATABASE_URL") ? std::getenv("SWARMLINE_TEST_DATABASE_URL") : "";
    std::uint32_t seconds = 20, rate = 0, shards = 2, users = 20000, torrents = 5000, batch = 20000, completions = 0,
                  description_bytes = 0;
    std::uint64_t peers = 0;
    bool announces = true;
    options::Registry reg("sync-bench");
    reg.add("admin-url", "a PostgreSQL superuser URL (default: $SWARMLINE_TEST_DATABASE_URL)", &admin_url);
    reg.add("seconds", "measured seconds", &seconds);
    reg.add("rate", "events per second per worker ring (0: as fast as the flusher frees slots)", &rate);
    reg.add("shards", "worker rings", &shards);
    reg.add("users", "accounts seeded", &users);
    reg.add("torrents", "torrents seeded", &torrents);
    reg.add("peers", "a fixed population of peers that announce again and again (0: every event a new random peer)",
            &peers);
    reg.add("batch", "records per flush transaction", &batch);
    reg.add("announces", "also write every event to the announces table", &announces);
    reg.add("completions", "every n-th event of a ring is a leecher's first completion (0: none)", &completions);
    reg.add("description-bytes", "each torrent's description, in bytes of English text (the search vector's input)",
            &description_bytes);
    if (auto err = reg.parse_args(argc, argv, 1, nullptr); !err.empty() || admin_url.empty()) {
        std::fprintf(stderr, "sync_bench: %s\n", err.empty() ? "--admin-url is required" : err.c_str());
        reg.print_help(std::cerr);
        return 2;
    }
    if (peers > std::uint64_t{users} * torrents) {
        std::fprintf(stderr, "sync_bench: --peers is at most users x torrents (one client per user and torrent)\n");
        return 2;
    }

    int rc = 0;
    {
        perf::BenchSetup setup(admin_url, users, torrents, shards, 1u << 16, description_bytes);
        db::Connection conn(setup.url());
        auto& seg = setup.segment();

        control::sync::SyncConfig cfg;
        cfg.database_url = setup.url();
        cfg.flush_batch_events = batch;
        cfg.flush_interval_ms = 20;
        cfg.record_announces = announces;
        cfg.peer_history_interval_s = 0;
        control::sync::SyncService service;
        if (auto err = service.start(cfg, &seg); !err.empty()) {
            std::fprintf(stderr, "sync: %s\n", err.c_str());
            return 1;
        }
        const auto& m = service.metrics();

        std::atomic<bool> stop{false};
        Produced produced;
        std::vector<std::thread> producers;
        for (std::uint32_t s = 0; s < shards; ++s)
            producers.emplace_back(produce, seg.event_ring(s), s, shards,
                                   Workload{users, torrents, peers, static_cast<double>(rate), completions}, std::ref(stop),
                                   std::ref(produced));

        // Warm-up: the first batches meet empty tables (inserts only, no statistics yet); the measure
        // starts once three have been committed.
        while (m.batches_committed.load() < 3) std::this_thread::sleep_for(std::chrono::milliseconds(20));
        const auto t0 = Clock::now();
        const std::uint64_t f0 = m.events_flushed.load(), b0 = m.batches_committed.load();
        std::uint64_t prev = f0, backlog_max = 0, backlog_first = m.backlog_events.load();
        for (std::uint32_t s = 1; s <= seconds; ++s) {
            std::this_thread::sleep_until(t0 + std::chrono::seconds(s));
            const std::uint64_t now = m.events_flushed.load(), backlog = m.backlog_events.load();
            backlog_max = std::max(backlog_max, backlog);
            std::printf("t=%2us flushed/s=%7llu backlog=%llu\n", s, static_cast<unsigned long long>(now - prev),
                        static_cast<unsigned long long>(backlog));
            prev = now;
        }
        const double elapsed = std::chrono::duration<double>(Clock::now() - t0).count();
        const std::uint64_t flushed = m.events_flushed.load() - f0, batches = m.batches_committed.load() - b0;
        const std::uint64_t backlog_last = m.backlog_events.load();
        stop = true;
        for (auto& t : producers) t.join();

        // Drain, then check the totals: the flush may be fast, it must also be exact.
        while (m.events_flushed.load() < produced.events.load()) std::this_thread::sleep_for(std::chrono::milliseconds(20));
        service.stop();
        auto sum = conn.exec("SELECT coalesce(sum(uploaded), 0) FROM user_statistics").get_int64(0, 0);
        const bool exact = static_cast<std::uint64_t>(sum) == produced.uploaded.load();
        std::printf("sync_bench shards=%u batch=%u announces=%s peers=%s rate=%s: %.0f events/s flushed over %.1f s "
                    "(%llu batches, %.0f events/batch), backlog first=%llu last=%llu max=%llu (ring capacity %u "
                    "per worker); user_statistics %s (%lld of %llu bytes)\n",
                    shards, batch, announces ? "true" : "false", peers ? std::to_string(peers).c_str() : "new",
                    rate ? (std::to_string(rate) + "/s/ring").c_str() : "max", static_cast<double>(flushed) / elapsed,
                    elapsed, static_cast<unsigned long long>(batches),
                    batches ? static_cast<double>(flushed) / static_cast<double>(batches) : 0.0,
                    static_cast<unsigned long long>(backlog_first), static_cast<unsigned long long>(backlog_last),
                    static_cast<unsigned long long>(backlog_max), seg.sizes().event_ring, exact ? "exact" : "WRONG",
                    static_cast<long long>(sum), static_cast<unsigned long long>(produced.uploaded.load()));
        rc = exact ? 0 : 1;
    }
    return rc;
}
