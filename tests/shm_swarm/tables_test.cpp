// Control-written tables, the rules board, the event ring and the in-process SPSC ring.
#include <gtest/gtest.h>

#include <vector>

#include "fixture.hpp"
#include "shm/spsc_ring.hpp"

namespace swarmline::test {
namespace {

class Tables : public ::testing::Test {
protected:
    void SetUp() override {
        auto opened = shm::Segment::open(location_in(dir_), small_sizes(), shm::OpenMode::recreate);
        ASSERT_TRUE(opened.segment) << opened.error;
        seg_ = std::move(opened.segment);
    }
    TempDir dir_;
    std::unique_ptr<shm::Segment> seg_;
};

TEST_F(Tables, UpsertFindEraseUsers) {
    auto& users = seg_->users();
    EXPECT_FALSE(users.find(passkey_of(1)));
    shm::UserEntry u{};
    u.user_id = 1;
    u.flags = shm::kUserCanLeech;
    ASSERT_TRUE(users.upsert(passkey_of(1), u));
    u.flags |= shm::kUserDisabled;
    ASSERT_TRUE(users.upsert(passkey_of(1), u));  // replaces
    EXPECT_EQ(users.size(), 1u);
    auto found = users.find(passkey_of(1));
    ASSERT_TRUE(found);
    EXPECT_EQ(found->flags, shm::kUserCanLeech | shm::kUserDisabled);
    EXPECT_TRUE(users.erase(passkey_of(1)));
    EXPECT_FALSE(users.erase(passkey_of(1)));
    EXPECT_FALSE(users.find(passkey_of(1)));
    EXPECT_EQ(users.size(), 0u);
}

TEST_F(Tables, FullTableRefusesAndChurnKeepsWorking) {
    auto& users = seg_->users();
    const std::uint32_t cap = users.capacity();
    for (std::uint32_t i = 0; i < cap; ++i) {
        shm::UserEntry u{};
        u.user_id = i;
        ASSERT_TRUE(users.upsert(passkey_of(i), u)) << i;
    }
    shm::UserEntry extra{};
    EXPECT_FALSE(users.upsert(passkey_of(cap), extra));
    // Erase and insert many times over: tombstones must be reused or cleared, never fill the table.
    for (std::uint32_t round = 0; round < 20; ++round) {
        for (std::uint32_t i = 0; i < cap; i += 2) ASSERT_TRUE(users.erase(passkey_of(i)));
        for (std::uint32_t i = 0; i < cap; i += 2) {
            shm::UserEntry u{};
            u.user_id = i;
            ASSERT_TRUE(users.upsert(passkey_of(i), u)) << "round " << round << " key " << i;
        }
    }
    for (std::uint32_t i = 0; i < cap; ++i) {
        auto u = users.find(passkey_of(i));
        ASSERT_TRUE(u) << i;
        EXPECT_EQ(u->user_id, i);
    }
}

TEST_F(Tables, V2TorrentIsFoundUnderBothHashes) {
    shm::TorrentEntry t{};
    t.torrent_id = 99;
    proto::InfoHash v1 = hash_of(1), v2_truncated = hash_of(2);
    ASSERT_TRUE(seg_->torrents().upsert(v1, t));
    ASSERT_TRUE(seg_->torrents().upsert(v2_truncated, t));
    EXPECT_EQ(seg_->torrents().find(v1)->torrent_id, 99u);
    EXPECT_EQ(seg_->torrents().find(v2_truncated)->torrent_id, 99u);
}

TEST_F(Tables, Tokens) {
    ASSERT_TRUE(seg_->tokens().upsert(shm::TokenKey{1, 2}, shm::TokenEntry{5000}));
    EXPECT_EQ(seg_->tokens().find(shm::TokenKey{1, 2})->expires_at, 5000u);
    EXPECT_FALSE(seg_->tokens().find(shm::TokenKey{2, 1}));
}

TEST_F(Tables, RulesDefaultUntilPublishedThenMergedRanges) {
    auto rules = std::make_unique<shm::Rules>();
    EXPECT_EQ(seg_->rules().read(*rules), 0u);
    EXPECT_EQ(rules->numwant_default, 50);
    EXPECT_EQ(rules->numwant_max, 200);
    EXPECT_EQ(rules->max_locations, 3);
    EXPECT_TRUE(shm::port_blocked(*rules, 80));
    EXPECT_TRUE(shm::port_blocked(*rules, 6346));
    EXPECT_FALSE(shm::port_blocked(*rules, 51413));

    *rules = shm::default_rules();
    auto range = [](std::uint8_t a, std::uint8_t b) {
        shm::IpRange r{};
        r.first = v4(10, 0, a, 0, 0).ip;
        r.last = v4(10, 0, b, 255, 0).ip;
        return r;
    };
    rules->banned[0] = range(5, 6);
    rules->banned[1] = range(1, 2);
    rules->banned[2] = range(2, 3);  // overlaps the previous
    rules->banned[3] = range(4, 4);  // adjacent to it
    rules->banned_range_count = 4;
    rules->interval = 900;
    EXPECT_EQ(seg_->rules().publish(*rules), 1u);
    auto read = std::make_unique<shm::Rules>();
    EXPECT_EQ(seg_->rules().read(*read), 1u);
    EXPECT_EQ(read->interval, 900u);
    ASSERT_EQ(read->banned_range_count, 1u);  // 1..6 merged into one
    EXPECT_EQ(read->banned[0].first, v4(10, 0, 1, 0, 0).ip);
    EXPECT_EQ(read->banned[0].last, v4(10, 0, 6, 255, 0).ip);
    EXPECT_EQ(seg_->rules().publish(*rules), 2u);
    EXPECT_EQ(seg_->rules().version(), 2u);
}

TEST_F(Tables, EventRingPeekDoesNotConsumeAndSeqStartsAtOne) {
    shm::EventRing ring = seg_->event_ring(0);
    EXPECT_EQ(ring.capacity(), 1024u);
    for (std::uint32_t i = 0; i < 10; ++i) {
        shm::EventRecord r{};
        r.user_id = i;
        ASSERT_TRUE(ring.try_push(r));
        EXPECT_EQ(r.seq, i + 1);
    }
    std::vector<shm::EventRecord> out(16);
    ASSERT_EQ(ring.peek(out.data(), 4), 4u);
    EXPECT_EQ(out[0].seq, 1u);
    ASSERT_EQ(ring.peek(out.data(), 16), 10u);  // still there: peek consumed nothing
    ring.release_through(4);
    ASSERT_EQ(ring.peek(out.data(), 16), 6u);
    EXPECT_EQ(out[0].seq, 5u);
    EXPECT_EQ(out[0].user_id, 4u);
    ring.release_through(3);  // going back is a no-op
    EXPECT_EQ(ring.released(), 4u);
    ring.release_through(100);  // clamped to what was published
    EXPECT_EQ(ring.released(), 10u);
    EXPECT_EQ(ring.peek(out.data(), 16), 0u);
}

TEST_F(Tables, EventRingFullRefusesThenReleasesRoom) {
    shm::EventRing ring = seg_->event_ring(1);
    shm::EventRecord r{};
    for (std::uint32_t i = 0; i < ring.capacity(); ++i) ASSERT_TRUE(ring.try_push(r));
    EXPECT_TRUE(ring.full());
    EXPECT_FALSE(ring.try_push(r));
    ring.release_through(1);
    EXPECT_TRUE(ring.try_push(r));
    EXPECT_EQ(r.seq, ring.capacity() + 1);
}

TEST_F(Tables, EventRingSeqSurvivesReattach) {
    {
        shm::EventRing ring = seg_->event_ring(0);
        shm::EventRecord r{};
        for (int i = 0; i < 5; ++i) ring.try_push(r);
        ring.release_through(3);
    }
    seg_.reset();
    auto again = shm::Segment::open(location_in(dir_), small_sizes(), shm::OpenMode::attach_or_create);
    ASSERT_TRUE(again.segment);
    shm::EventRing ring = again.segment->event_ring(0);
    EXPECT_EQ(ring.published(), 5u);
    EXPECT_EQ(ring.released(), 3u);
    shm::EventRecord r{};
    ASSERT_TRUE(ring.try_push(r));
    EXPECT_EQ(r.seq, 6u);
}

TEST(SeqCell, AStoreAfterACrashMidStoreHealsTheCell) {
    shm::SeqCell<shm::UserEntry> cell{};
    shm::UserEntry u{};
    u.user_id = 5;
    cell.seq.store(3);  // what a writer killed between its two seq stores leaves
    shm::UserEntry out{};
    cell.store(u);
    ASSERT_TRUE(cell.load(out));
    EXPECT_EQ(out.user_id, 5u);
    EXPECT_EQ(cell.seq.load() % 2, 0u);
}

TEST(SpscRing, FifoAndFull) {
    shm::SpscRing<std::uint64_t> ring(4);
    for (std::uint64_t i = 0; i < 4; ++i) EXPECT_TRUE(ring.try_push(i));
    EXPECT_FALSE(ring.try_push(99));
    std::uint64_t v = 0;
    for (std::uint64_t i = 0; i < 4; ++i) {
        ASSERT_TRUE(ring.try_pop(v));
        EXPECT_EQ(v, i);
    }
    EXPECT_FALSE(ring.try_pop(v));
    EXPECT_TRUE(ring.try_push(5));
    EXPECT_EQ(ring.size(), 1u);
}

}  // namespace
}  // namespace swarmline::test
