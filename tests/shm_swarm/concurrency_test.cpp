// Readers hammering the tables while their one writer updates them. Each value is built so that a
// torn copy is detectable; run under ThreadSanitizer (-Dsanitizers=thread) to check the protocols.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "fixture.hpp"
#include "shm/spsc_ring.hpp"

namespace swarmline::test {
namespace {

constexpr int kReaders = 3;

class Concurrency : public ::testing::Test {
protected:
    void SetUp() override {
        auto opened = shm::Segment::open(location_in(dir_), small_sizes(1), shm::OpenMode::recreate);
        ASSERT_TRUE(opened.segment) << opened.error;
        seg_ = std::move(opened.segment);
    }
    TempDir dir_;
    std::unique_ptr<shm::Segment> seg_;
};

// A user entry whose every field derives from (key, version).
shm::UserEntry user_version(std::uint32_t key, std::uint32_t v) {
    shm::UserEntry u{};
    u.user_id = key;
    u.flags = v;
    u.personal_freeleech_until = v * 7 + key;
    u.max_locations = static_cast<std::uint16_t>(v);
    u.reserved1 = ~v;
    return u;
}

TEST_F(Concurrency, UsersTableReadersSeeWholeEntriesOnly) {
    constexpr std::uint32_t kKeys = 64;
    constexpr std::uint32_t kRounds = 1000;
    std::atomic<bool> done{false};
    std::atomic<std::uint64_t> torn{0}, hits{0};
    std::vector<std::thread> readers;
    for (int r = 0; r < kReaders; ++r) {
        readers.emplace_back([&, r] {
            std::uint32_t k = static_cast<std::uint32_t>(r);
            while (!done.load(std::memory_order_relaxed)) {
                k = (k + 7) % kKeys;
                const auto u = seg_->users().find(passkey_of(k));
                if (!u) continue;
                hits.fetch_add(1, std::memory_order_relaxed);
                const std::uint32_t v = u->flags;
                if (u->user_id != k || u->personal_freeleech_until != v * 7 + k ||
                    u->max_locations != static_cast<std::uint16_t>(v) || u->reserved1 != ~v) {
                    torn.fetch_add(1, std::memory_order_relaxed);
                }
            }
        });
    }
    for (std::uint32_t v = 1; v <= kRounds; ++v) {
        for (std::uint32_t k = 0; k < kKeys; ++k) {
            if ((k + v) % 5 == 0) {
                seg_->users().erase(passkey_of(k));
            } else {
                ASSERT_TRUE(seg_->users().upsert(passkey_of(k), user_version(k, v)));
            }
        }
    }
    done = true;
    for (auto& t : readers) t.join();
    EXPECT_EQ(torn.load(), 0u);
    EXPECT_GT(hits.load(), 0u);
}

TEST_F(Concurrency, RulesReadersSeeOnePublishedVersion) {
    constexpr std::uint32_t kVersions = 100;
    std::atomic<bool> done{false};
    std::atomic<std::uint64_t> torn{0};
    std::vector<std::thread> readers;
    for (int r = 0; r < kReaders; ++r) {
        readers.emplace_back([&] {
            auto rules = std::make_unique<shm::Rules>();
            std::uint64_t last = 0;
            while (!done.load(std::memory_order_relaxed)) {
                const std::uint64_t v = seg_->rules().read(*rules);
                if (v < last) torn.fetch_add(1, std::memory_order_relaxed);  // versions never go back
                last = v;
                if (v == 0) continue;
                if (rules->interval != v || rules->min_interval != v || rules->delete_reasons[31][0] != static_cast<char>('a' + v % 26) ||
                    rules->banned_range_count != 1 || rules->banned[0].last[15] != static_cast<std::uint8_t>(v)) {
                    torn.fetch_add(1, std::memory_order_relaxed);
                }
            }
        });
    }
    auto rules = std::make_unique<shm::Rules>(shm::default_rules());
    for (std::uint32_t v = 1; v <= kVersions; ++v) {
        rules->interval = v;
        rules->min_interval = v;
        rules->delete_reasons[31][0] = static_cast<char>('a' + v % 26);
        rules->banned_range_count = 1;
        rules->banned[0].first = {};
        rules->banned[0].last = {};
        rules->banned[0].last[15] = static_cast<std::uint8_t>(v);
        EXPECT_EQ(seg_->rules().publish(*rules), v);
    }
    done = true;
    for (auto& t : readers) t.join();
    EXPECT_EQ(torn.load(), 0u);
}

TEST_F(Concurrency, EventRingDeliversEveryRecordOnceInOrder) {
    constexpr std::uint64_t kRecords = 100'000;
    shm::EventRing producer = seg_->event_ring(0);
    std::thread consumer_thread([&] {
        shm::EventRing consumer = seg_->event_ring(0);
        std::vector<shm::EventRecord> batch(64);
        std::uint64_t expect = 1;
        while (expect <= kRecords) {
            const std::size_t n = consumer.peek(batch.data(), batch.size());
            for (std::size_t i = 0; i < n; ++i) {
                ASSERT_EQ(batch[i].seq, expect);
                ASSERT_EQ(batch[i].uploaded_delta, expect * 3);
                ASSERT_EQ(batch[i].downloaded_total, ~expect);
                ++expect;
            }
            if (n > 0) consumer.release_through(batch[n - 1].seq);
        }
    });
    for (std::uint64_t i = 1; i <= kRecords; ++i) {
        shm::EventRecord r{};
        r.uploaded_delta = i * 3;
        r.downloaded_total = ~i;
        while (!producer.try_push(r)) std::this_thread::yield();  // the consumer frees room
    }
    consumer_thread.join();
    EXPECT_EQ(producer.released(), kRecords);
}

TEST_F(Concurrency, SpscRingHandsOverInOrder) {
    constexpr std::uint64_t kItems = 100'000;
    shm::SpscRing<std::uint64_t> ring(256);
    std::thread consumer([&] {
        std::uint64_t expect = 0, v = 0;
        while (expect < kItems) {
            if (ring.try_pop(v)) {
                ASSERT_EQ(v, expect);
                ++expect;
            }
        }
    });
    for (std::uint64_t i = 0; i < kItems; ++i) {
        while (!ring.try_push(i)) std::this_thread::yield();
    }
    consumer.join();
}

TEST_F(Concurrency, ScrapeAndControlReadersWhileAWorkerAnnounces) {
    shm::UserEntry u{};
    u.user_id = 1;
    u.flags = shm::kUserCanLeech | shm::kUserImmune;
    ASSERT_TRUE(seg_->users().upsert(passkey_of(1), u));
    constexpr std::uint32_t kTorrents = 32;
    constexpr std::uint32_t kPeers = 16;
    for (std::uint32_t t = 1; t <= kTorrents; ++t) {
        shm::TorrentEntry e{};
        e.torrent_id = t;
        ASSERT_TRUE(seg_->torrents().upsert(hash_of(t), e));
    }
    std::atomic<bool> done{false};
    std::atomic<std::uint64_t> bad{0};
    std::vector<std::thread> readers;
    for (int r = 0; r < kReaders; ++r) {
        readers.emplace_back([&] {
            shm::Accumulator acc = seg_->accumulator(0);
            std::uint32_t t = 1;
            while (!done.load(std::memory_order_relaxed)) {
                t = t % kTorrents + 1;
                const auto c = swarm::scrape_counts(*seg_, hash_of(t), false);
                if (c.complete > kPeers || c.incomplete > kPeers) bad.fetch_add(1, std::memory_order_relaxed);
                shm::AccumulatorEntry e{};
                if (acc.read(t % acc.capacity(), e) && e.user_id != 1) bad.fetch_add(1, std::memory_order_relaxed);
            }
        });
    }
    swarm::Gate gate(*seg_, swarm::GateConfig{false, 1});
    swarm::Shard shard(*seg_, 0, 1);
    Output o;
    for (std::uint32_t round = 0; round < 12; ++round) {
        const std::uint32_t now = 1'000'000 + round * 600;
        for (std::uint32_t t = 1; t <= kTorrents; ++t) {
            for (std::uint32_t p = 0; p < kPeers; ++p) {
                AnnounceBuilder b(1, hash_of(t), peer_id_of(t * 100 + p), (p + round) % 3 == 0 ? 0 : 100);
                // Every fourth round the peers stop, so swarms empty and refill.
                if (round % 4 == 3) b.event(proto::Event::stopped);
                const auto from = v4(10, static_cast<std::uint8_t>(t), 0, static_cast<std::uint8_t>(p), 51413);
                shard.announce(gate.admit(b.a, from, now), b.a, from, now, o.out);
            }
        }
        shard.reap(now + 100000, 1u << 20);  // everything left is stale: swarms are erased and reused
    }
    done = true;
    for (auto& t : readers) t.join();
    EXPECT_EQ(bad.load(), 0u);
}

}  // namespace
}  // namespace swarmline::test
