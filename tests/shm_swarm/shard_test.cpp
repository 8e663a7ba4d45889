// The swarm engine: peers, selection, accounting, events, reaping.
#include <gtest/gtest.h>

#include <set>
#include <vector>

#include "fixture.hpp"

namespace swarmline::test {
namespace {

using swarm::Outcome;
constexpr std::uint32_t kT0 = 1'000'000;

class ShardTest : public EngineTest {
protected:
    void SetUp() override {
        EngineTest::SetUp();
        for (std::uint32_t u = 1; u <= 8; ++u) add_user(u);
        add_torrent(1);
        shard_ = swarm::shard_of(swarm::swarm_key_of(1), 2);
    }
    // Every record the worker of torrent 1 published so far (and releases them).
    std::vector<shm::EventRecord> drain() {
        shm::EventRing ring = seg_->event_ring(shard_);
        std::vector<shm::EventRecord> out(ring.capacity());
        out.resize(ring.peek(out.data(), out.size()));
        if (!out.empty()) ring.release_through(out.back().seq);
        return out;
    }
    std::uint32_t min_interval() const { return shm::default_rules().min_interval; }
    std::uint32_t shard_ = 0;
};

TEST_F(ShardTest, NewPeerIsCountedAndItsFirstAnnounceCreditsNothing) {
    AnnounceBuilder b(1, hash_of(1), peer_id_of(1), 500);
    b.event(proto::Event::started).counters(1000, 2000);  // a client resuming with session totals
    const auto r = announce(b, v4(192, 0, 2, 1, 51413), kT0);
    EXPECT_EQ(r.outcome, Outcome::ok) << r.message;
    EXPECT_EQ(r.incomplete, 1u);
    EXPECT_EQ(r.complete, 0u);
    EXPECT_EQ(r.n4, 0u);  // nobody else
    EXPECT_GE(r.interval, shm::default_rules().interval);
    EXPECT_LE(r.interval, shm::default_rules().interval + shm::default_rules().interval_jitter);
    EXPECT_EQ(r.min_interval, min_interval());
    const auto ev = drain();
    ASSERT_EQ(ev.size(), 1u);
    EXPECT_EQ(ev[0].seq, 1u);
    EXPECT_EQ(ev[0].user_id, 1u);
    EXPECT_EQ(ev[0].torrent_id, 1u);
    EXPECT_EQ(ev[0].uploaded_delta, 0u);
    EXPECT_EQ(ev[0].downloaded_delta, 0u);
    EXPECT_EQ(ev[0].uploaded_total, 1000u);
    EXPECT_TRUE(ev[0].flags & shm::kEventNewPeer);
    EXPECT_EQ(ev[0].event, static_cast<std::uint8_t>(proto::Event::started));
    EXPECT_EQ(ev[0].port, 51413);
    EXPECT_EQ(ev[0].ip, v4(192, 0, 2, 1, 0).ip);
    EXPECT_EQ(ev[0].left, 500u);
}

// A hybrid torrent is announced under its v1 hash and its truncated v2 hash, each time with the
// client's whole totals: one peer in one swarm, its bytes credited once, counted under either hash.
// (With a swarm per hash it was two peers, and each credited the 5000 bytes.)
TEST_F(ShardTest, HybridTorrentUnderBothHashesIsOnePeerCreditedOnce) {
    shm::TorrentEntry t{};
    t.torrent_id = 1;
    t.state = shm::TorrentState::active;
    const proto::InfoHash v2 = hash_of(0x2001);
    ASSERT_TRUE(seg_->torrents().upsert(v2, t));
    const auto from = v4(192, 0, 2, 1, 51413);
    AnnounceBuilder by_v1(1, hash_of(1), peer_id_of(1), 0);
    AnnounceBuilder by_v2(1, v2, peer_id_of(1), 0);
    EXPECT_EQ(announce(by_v1.event(proto::Event::started).counters(100, 0), from, kT0).outcome, Outcome::ok);
    EXPECT_EQ(announce(by_v2.event(proto::Event::started).counters(100, 0), from, kT0).outcome, Outcome::ok);
    EXPECT_EQ(announce(by_v1.event(proto::Event::none).counters(5100, 0), from, kT0 + 1800).outcome, Outcome::ok);
    const auto r = announce(by_v2.event(proto::Event::none).counters(5100, 0), from, kT0 + 1800);
    EXPECT_EQ(r.outcome, Outcome::ok) << r.message;
    EXPECT_EQ(r.complete, 1u);
    // The last one, a regular announce right after the same peer's, is too early and records nothing.
    const auto ev = drain();
    ASSERT_EQ(ev.size(), 3u);
    std::uint64_t uploaded = 0;
    for (const auto& e : ev) {
        EXPECT_EQ(e.torrent_id, 1u);
        uploaded += e.uploaded_delta;
    }
    EXPECT_EQ(uploaded, 5000u);
    EXPECT_EQ(ev[1].flags & shm::kEventNewPeer, 0);
    EXPECT_EQ(swarm::scrape_counts(*seg_, hash_of(1), false).complete, 1u);
    EXPECT_EQ(swarm::scrape_counts(*seg_, v2, false).complete, 1u);
}

TEST_F(ShardTest, DeltasCreditedAndSeedtimeWhileSeeding) {
    shm::TorrentEntry t{};
    t.torrent_id = 1;
    t.freeleech_pct = 50;
    t.upload_factor_pct = 200;
    ASSERT_TRUE(seg_->torrents().upsert(hash_of(1), t));
    AnnounceBuilder b(1, hash_of(1), peer_id_of(1), 0);
    announce(b.counters(100, 100), v4(192, 0, 2, 1, 51413), kT0);
    announce(b.counters(1100, 300), v4(192, 0, 2, 1, 51413), kT0 + 1800);
    const auto ev = drain();
    ASSERT_EQ(ev.size(), 2u);
    EXPECT_EQ(ev[1].uploaded_delta, 1000u);
    EXPECT_EQ(ev[1].downloaded_delta, 200u);
    EXPECT_EQ(ev[1].uploaded_credited, 2000u);
    EXPECT_EQ(ev[1].downloaded_credited, 100u);
    EXPECT_EQ(ev[1].seedtime_delta, 1800u);
    EXPECT_TRUE(ev[1].flags & shm::kEventSeeder);
    EXPECT_FALSE(ev[1].flags & shm::kEventNewPeer);
}

TEST_F(ShardTest, NoSeedtimeWhileLeeching) {
    AnnounceBuilder b(1, hash_of(1), peer_id_of(1), 100);
    announce(b, v4(192, 0, 2, 1, 51413), kT0);
    announce(b.left(0), v4(192, 0, 2, 1, 51413), kT0 + 1800);  // became a seeder just now
    announce(b, v4(192, 0, 2, 1, 51413), kT0 + 3600);
    const auto ev = drain();
    ASSERT_EQ(ev.size(), 3u);
    EXPECT_EQ(ev[1].seedtime_delta, 0u);
    EXPECT_EQ(ev[2].seedtime_delta, 1800u);
}

TEST_F(ShardTest, ClientRestartWithLowerCountersIsRebasedWithNothingCredited) {
    AnnounceBuilder b(1, hash_of(1), peer_id_of(1), 100);
    announce(b.counters(5000, 5000), v4(192, 0, 2, 1, 51413), kT0);
    announce(b.counters(10, 6000), v4(192, 0, 2, 1, 51413), kT0 + 1800);  // uploaded went back
    announce(b.counters(110, 6100), v4(192, 0, 2, 1, 51413), kT0 + 3600);
    const auto ev = drain();
    ASSERT_EQ(ev.size(), 3u);
    EXPECT_TRUE(ev[1].flags & shm::kEventRebased);
    EXPECT_EQ(ev[1].uploaded_delta, 0u);
    EXPECT_EQ(ev[1].downloaded_delta, 0u);  // not a phantom 1000 either
    EXPECT_EQ(ev[1].uploaded_credited, 0u);
    EXPECT_FALSE(ev[2].flags & shm::kEventRebased);
    EXPECT_EQ(ev[2].uploaded_delta, 100u);
    EXPECT_EQ(ev[2].downloaded_delta, 100u);
}

TEST_F(ShardTest, CounterWrapIsARebaseNotAHugeDelta) {
    AnnounceBuilder b(1, hash_of(1), peer_id_of(1), 100);
    announce(b.counters(~std::uint64_t{0} - 10, 0), v4(192, 0, 2, 1, 51413), kT0);
    announce(b.counters(5, 0), v4(192, 0, 2, 1, 51413), kT0 + 1800);
    const auto ev = drain();
    ASSERT_EQ(ev.size(), 2u);
    EXPECT_TRUE(ev[1].flags & shm::kEventRebased);
    EXPECT_EQ(ev[1].uploaded_delta, 0u);
    EXPECT_EQ(ev[1].uploaded_credited, 0u);
}

TEST_F(ShardTest, TooEarlyChangesNothingAndGetsNoPeers) {
    announce(AnnounceBuilder(2, hash_of(1), peer_id_of(2), 100), v4(192, 0, 2, 2, 51413), kT0);
    AnnounceBuilder b(1, hash_of(1), peer_id_of(1), 100);
    announce(b.counters(0, 0), v4(192, 0, 2, 1, 51413), kT0);
    drain();
    Output o;
    const auto r = announce(b.counters(500, 500).left(0), v4(192, 0, 2, 1, 51413), kT0 + 10, o);
    EXPECT_EQ(r.outcome, Outcome::ok);
    EXPECT_EQ(r.interval, min_interval());
    EXPECT_EQ(r.n4, 0u);
    EXPECT_EQ(r.complete, 0u);  // still a leecher: no state change
    EXPECT_EQ(r.incomplete, 2u);
    EXPECT_TRUE(drain().empty());
    // After the min interval the delta since the last accepted announce counts in full.
    const auto later = announce(b, v4(192, 0, 2, 1, 51413), kT0 + min_interval());
    EXPECT_EQ(later.complete, 1u);
    const auto ev = drain();
    ASSERT_EQ(ev.size(), 1u);
    EXPECT_EQ(ev[0].uploaded_delta, 500u);
}

TEST_F(ShardTest, EventsAreNotHeldToTheMinInterval) {
    AnnounceBuilder b(1, hash_of(1), peer_id_of(1), 100);
    announce(b.event(proto::Event::started), v4(192, 0, 2, 1, 51413), kT0);
    const auto r = announce(b.event(proto::Event::stopped), v4(192, 0, 2, 1, 51413), kT0 + 5);
    EXPECT_EQ(r.outcome, Outcome::ok);
    EXPECT_EQ(r.incomplete, 0u);
    const auto ev = drain();
    ASSERT_EQ(ev.size(), 2u);
    EXPECT_TRUE(ev[1].flags & shm::kEventPeerRemoved);
}

TEST_F(ShardTest, StoppedCountsItsFinalDelta) {
    AnnounceBuilder b(1, hash_of(1), peer_id_of(1), 100);
    announce(b.counters(0, 0), v4(192, 0, 2, 1, 51413), kT0);
    announce(b.counters(700, 300).event(proto::Event::stopped), v4(192, 0, 2, 1, 51413), kT0 + 60);
    const auto ev = drain();
    ASSERT_EQ(ev.size(), 2u);
    EXPECT_EQ(ev[1].uploaded_delta, 700u);
    EXPECT_EQ(ev[1].downloaded_delta, 300u);
    EXPECT_EQ(swarm::scrape_counts(*seg_, hash_of(1), false).incomplete, 0u);
}

TEST_F(ShardTest, StoppedWithoutStartedIsAWarningNotAFailure) {
    AnnounceBuilder b(1, hash_of(1), peer_id_of(1), 100);
    const auto r = announce(b.event(proto::Event::stopped), v4(192, 0, 2, 1, 51413), kT0);
    EXPECT_EQ(r.outcome, Outcome::warning);
    EXPECT_FALSE(r.message.empty());
    EXPECT_EQ(r.interval, shm::default_rules().warning_interval);
    EXPECT_TRUE(drain().empty());
}

TEST_F(ShardTest, CompletedCountsOncePerUserAndTorrent) {
    AnnounceBuilder a(1, hash_of(1), peer_id_of(1), 0);
    announce(a.event(proto::Event::completed), v4(192, 0, 2, 1, 51413), kT0);
    auto r = announce(a.event(proto::Event::completed), v4(192, 0, 2, 1, 51413), kT0 + 5);  // twice
    EXPECT_EQ(r.downloaded, 1u);
    // The same user again from another client: no second snatch.
    AnnounceBuilder a2(1, hash_of(1), peer_id_of(11), 0);
    r = announce(a2.event(proto::Event::completed), v4(192, 0, 2, 11, 51413), kT0 + 10);
    EXPECT_EQ(r.downloaded, 1u);
    // Another user: a snatch.
    AnnounceBuilder b(2, hash_of(1), peer_id_of(2), 0);
    r = announce(b.event(proto::Event::completed), v4(192, 0, 2, 2, 51413), kT0 + 20);
    EXPECT_EQ(r.downloaded, 2u);
    const auto ev = drain();
    ASSERT_EQ(ev.size(), 4u);
    EXPECT_TRUE(ev[0].flags & shm::kEventFirstCompletion);
    EXPECT_FALSE(ev[1].flags & shm::kEventFirstCompletion);
    EXPECT_FALSE(ev[2].flags & shm::kEventFirstCompletion);
    EXPECT_TRUE(ev[3].flags & shm::kEventFirstCompletion);
    EXPECT_EQ(swarm::scrape_counts(*seg_, hash_of(1), false).downloaded, 2u);
}

TEST_F(ShardTest, PeerSelectionSeedersGetNoSeedersAndNobodyGetsThemselves) {
    // 3 seeders and 3 leechers, users 1..6.
    for (std::uint32_t u = 1; u <= 6; ++u) {
        announce(AnnounceBuilder(u, hash_of(1), peer_id_of(u), u <= 3 ? 0 : 100),
                 v4(192, 0, 2, static_cast<std::uint8_t>(u), 51413), kT0);
    }
    Output o;
    // A seeder (user 1) after the min interval: only the three leechers.
    auto r = announce(AnnounceBuilder(1, hash_of(1), peer_id_of(1), 0), v4(192, 0, 2, 1, 51413), kT0 + 600, o);
    EXPECT_EQ(r.complete, 3u);
    EXPECT_EQ(r.incomplete, 3u);
    ASSERT_EQ(r.n4, 3u);
    std::set<int> got;
    for (std::uint32_t i = 0; i < r.n4; ++i) {
        got.insert(o.b4[i * 6 + 3]);
        EXPECT_EQ(o.b4[i * 6 + 4], 51413 >> 8);
        EXPECT_EQ(o.b4[i * 6 + 5], 51413 & 0xff);
        EXPECT_EQ(0, std::memcmp(o.ids4.data() + i * 20, peer_id_of(o.b4[i * 6 + 3]).data(), 20));
    }
    EXPECT_EQ(got, (std::set<int>{4, 5, 6}));
    // A leecher (user 4): everyone but itself.
    r = announce(AnnounceBuilder(4, hash_of(1), peer_id_of(4), 100), v4(192, 0, 2, 4, 51413), kT0 + 600, o);
    ASSERT_EQ(r.n4, 5u);
    got.clear();
    for (std::uint32_t i = 0; i < r.n4; ++i) got.insert(o.b4[i * 6 + 3]);
    EXPECT_EQ(got, (std::set<int>{1, 2, 3, 5, 6}));
}

TEST_F(ShardTest, NumwantZeroNegativeAndAboveTheMaximum) {
    add_user(20, shm::kUserCanLeech | shm::kUserImmune);  // one seedbox account, no location limit
    for (std::uint32_t p = 0; p < 300; ++p) {
        AnnounceBuilder b(20, hash_of(1), peer_id_of(100 + p), 100);
        ASSERT_EQ(announce(b, v4(10, 1, static_cast<std::uint8_t>(p >> 8), static_cast<std::uint8_t>(p), 51413), kT0).outcome,
                  Outcome::ok);
    }
    AnnounceBuilder me(1, hash_of(1), peer_id_of(1), 100);
    Output o;
    EXPECT_EQ(announce(me.numwant(0), v4(192, 0, 2, 1, 51413), kT0, o).n4, 0u);
    EXPECT_EQ(announce(me.numwant(-1), v4(192, 0, 2, 1, 51413), kT0 + 600, o).n4, 50u);
    EXPECT_EQ(announce(me.numwant(-7), v4(192, 0, 2, 1, 51413), kT0 + 1200, o).n4, 50u);
    EXPECT_EQ(announce(me.numwant(500), v4(192, 0, 2, 1, 51413), kT0 + 1800, o).n4, 200u);
    EXPECT_EQ(announce(me.numwant(17), v4(192, 0, 2, 1, 51413), kT0 + 2400, o).n4, 17u);
    // A smaller reply buffer bounds the count too.
    o.out.v4_capacity = 5;
    EXPECT_EQ(announce(me.numwant(50), v4(192, 0, 2, 1, 51413), kT0 + 3000, o).n4, 5u);
}

TEST_F(ShardTest, SelectionRotatesOverTheWholeSwarm) {
    add_user(20, shm::kUserCanLeech | shm::kUserImmune);
    for (std::uint32_t p = 0; p < 100; ++p) {
        announce(AnnounceBuilder(20, hash_of(1), peer_id_of(100 + p), 100), v4(10, 1, 0, static_cast<std::uint8_t>(p), 51413), kT0);
    }
    std::set<int> seen;
    Output o;
    AnnounceBuilder me(1, hash_of(1), peer_id_of(1), 100);
    for (std::uint32_t i = 0; i < 200; ++i) {
        const auto r = announce(me.numwant(10), v4(192, 0, 2, 1, 51413), kT0 + i * 600, o);
        ASSERT_EQ(r.n4, 10u);
        for (std::uint32_t k = 0; k < r.n4; ++k) seen.insert(o.b4[k * 6 + 3]);
    }
    EXPECT_EQ(seen.size(), 100u);  // 200 windows of 10 at random starts miss a given peer with p = 0.9^200
}

TEST_F(ShardTest, Ipv6PeersAreListedSeparately) {
    announce(AnnounceBuilder(2, hash_of(1), peer_id_of(2), 100), v4(192, 0, 2, 2, 51413), kT0);
    announce(AnnounceBuilder(3, hash_of(1), peer_id_of(3), 100), v6(3, 6000), kT0);
    Output o;
    // An IPv6 announce gets IPv6 peers only.
    auto r = announce(AnnounceBuilder(4, hash_of(1), peer_id_of(4), 100), v6(4, 6001), kT0, o);
    EXPECT_EQ(r.incomplete, 3u);
    EXPECT_EQ(r.n4, 0u);
    ASSERT_EQ(r.n6, 1u);
    EXPECT_EQ(0, std::memcmp(o.b6.data(), v6(3, 0).ip.data(), 16));
    EXPECT_EQ(o.b6[16], 6000 >> 8);
    EXPECT_EQ(o.b6[17], 6000 & 0xff);
    // An IPv4 announce that claims an IPv6 address too (BEP 7) gets both lists.
    AnnounceBuilder b(5, hash_of(1), peer_id_of(5), 100);
    b.a.has_ipv6 = true;
    b.a.claimed_v6 = v6(5, 6002);
    r = announce(b, v4(192, 0, 2, 5, 51413), kT0, o);
    EXPECT_EQ(r.n4, 1u);
    EXPECT_EQ(r.n6, 2u);
    const auto ev = drain();
    ASSERT_EQ(ev.size(), 4u);
    EXPECT_TRUE(ev[1].flags & shm::kEventIpv6);
    EXPECT_EQ(ev[1].ip, v6(3, 0).ip);
}

TEST_F(ShardTest, DualStackClientIsCreditedOnce) {
    AnnounceBuilder b(1, hash_of(1), peer_id_of(1), 0);
    announce(b.counters(0, 0), v4(192, 0, 2, 1, 51413), kT0);
    announce(b.counters(0, 0), v6(1, 51413), kT0 + 1);
    announce(b.counters(1000, 0), v4(192, 0, 2, 1, 51413), kT0 + 1800);
    announce(b.counters(1000, 0), v6(1, 51413), kT0 + 1801);  // same totals over IPv6
    std::uint64_t up = 0, seedtime = 0;
    for (const auto& e : drain()) {
        up += e.uploaded_delta;
        seedtime += e.seedtime_delta;
    }
    EXPECT_EQ(up, 1000u);
    EXPECT_EQ(seedtime, 1800u);
}

TEST_F(ShardTest, PeerCannotBeHijackedFromAnotherAddress) {
    AnnounceBuilder b(1, hash_of(1), peer_id_of(1), 100);
    announce(b.key_param(0xabcdef), v4(192, 0, 2, 1, 51413), kT0);
    // Same peer_id from elsewhere without the key.
    AnnounceBuilder thief(1, hash_of(1), peer_id_of(1), 100);
    auto r = announce(thief, v4(203, 0, 113, 9, 51413), kT0 + 600);
    EXPECT_EQ(r.outcome, Outcome::failure);
    EXPECT_EQ(r.message, "This peer_id is in use from another address");
    r = announce(thief.key_param(0x123), v4(203, 0, 113, 9, 51413), kT0 + 600);
    EXPECT_EQ(r.outcome, Outcome::failure);
    // Another account reusing the peer_id.
    AnnounceBuilder other(2, hash_of(1), peer_id_of(1), 100);
    r = announce(other, v4(192, 0, 2, 1, 51413), kT0 + 600);
    EXPECT_EQ(r.message, "This peer_id is in use by another account");
    // The owner moving to a new address with its key: accepted, and listed at the new address.
    r = announce(b, v4(198, 18, 0, 1, 51413), kT0 + 600);
    EXPECT_EQ(r.outcome, Outcome::ok) << r.message;
    Output o;
    r = announce(AnnounceBuilder(3, hash_of(1), peer_id_of(3), 100), v4(192, 0, 2, 3, 51413), kT0 + 600, o);
    ASSERT_EQ(r.n4, 1u);
    EXPECT_EQ(o.b4[0], 198);
    // A port change from the same address needs no key.
    AnnounceBuilder nokey(4, hash_of(1), peer_id_of(4), 100);
    announce(nokey, v4(192, 0, 2, 4, 51413), kT0);
    EXPECT_EQ(announce(nokey, v4(192, 0, 2, 4, 40000), kT0 + 600).outcome, Outcome::ok);
}

TEST_F(ShardTest, TooManyLocations) {
    for (std::uint32_t i = 0; i < 3; ++i) {
        EXPECT_EQ(announce(AnnounceBuilder(1, hash_of(1), peer_id_of(10 + i), 100), v4(192, 0, 2, static_cast<std::uint8_t>(10 + i), 51413), kT0).outcome,
                  Outcome::ok);
    }
    AnnounceBuilder fourth(1, hash_of(1), peer_id_of(13), 100);
    auto r = announce(fourth, v4(192, 0, 2, 13, 51413), kT0);
    EXPECT_EQ(r.outcome, Outcome::failure);
    EXPECT_EQ(r.message, "Too many locations for this torrent: stop a client first");
    // Known peers keep announcing; a stopped one frees its location.
    EXPECT_EQ(announce(AnnounceBuilder(1, hash_of(1), peer_id_of(10), 100), v4(192, 0, 2, 10, 51413), kT0 + 600).outcome, Outcome::ok);
    announce(AnnounceBuilder(1, hash_of(1), peer_id_of(11), 100).event(proto::Event::stopped), v4(192, 0, 2, 11, 51413), kT0 + 600);
    EXPECT_EQ(announce(fourth, v4(192, 0, 2, 13, 51413), kT0 + 600).outcome, Outcome::ok);
    // Other users are not affected; immune users have no limit.
    add_user(9, shm::kUserCanLeech | shm::kUserImmune);
    for (std::uint32_t i = 0; i < 5; ++i) {
        EXPECT_EQ(announce(AnnounceBuilder(9, hash_of(1), peer_id_of(90 + i), 100), v4(192, 0, 3, static_cast<std::uint8_t>(i), 51413), kT0).outcome,
                  Outcome::ok);
    }
}

TEST_F(ShardTest, ReapingRemovesSilentPeersAndEmptySwarms) {
    const std::uint32_t timeout = shm::default_rules().peer_timeout;
    announce(AnnounceBuilder(1, hash_of(1), peer_id_of(1), 0), v4(192, 0, 2, 1, 51413), kT0);
    announce(AnnounceBuilder(2, hash_of(1), peer_id_of(2), 100), v4(192, 0, 2, 2, 51413), kT0 + 1000);
    drain();
    auto& shard = *shards_[shard_];
    EXPECT_EQ(shard.reap(kT0 + timeout, 1u << 20), 0u);
    EXPECT_EQ(shard.reap(kT0 + timeout + 1, 1u << 20), 1u);
    auto c = swarm::scrape_counts(*seg_, hash_of(1), false);
    EXPECT_EQ(c.complete, 0u);
    EXPECT_EQ(c.incomplete, 1u);
    const auto ev = drain();
    ASSERT_EQ(ev.size(), 1u);
    EXPECT_TRUE(ev[0].flags & shm::kEventReaped);
    EXPECT_TRUE(ev[0].flags & shm::kEventPeerRemoved);
    EXPECT_TRUE(ev[0].flags & shm::kEventSeeder);
    EXPECT_EQ(ev[0].user_id, 1u);
    EXPECT_EQ(ev[0].ip, v4(192, 0, 2, 1, 0).ip);
    EXPECT_EQ(ev[0].port, 51413);
    // Incremental: a budget of one slot at a time still gets there.
    std::size_t removed = 0;
    for (int i = 0; i < 4096 && removed == 0; ++i) removed += shard.reap(kT0 + 1000 + timeout + 1, 1);
    EXPECT_EQ(removed, 1u);
    EXPECT_EQ(swarm::scrape_counts(*seg_, hash_of(1), false).incomplete, 0u);
    // The peer that was reaped is unknown now: its stop is a warning.
    EXPECT_EQ(announce(AnnounceBuilder(2, hash_of(1), peer_id_of(2), 100).event(proto::Event::stopped),
                       v4(192, 0, 2, 2, 51413), kT0 + 5000).outcome,
              Outcome::warning);
}

TEST_F(ShardTest, FullRingFoldsIntoTheAccumulatorAndNothingIsDropped) {
    auto sizes = small_sizes(1);
    sizes.event_ring = 4;
    sizes.accumulator = 2;
    open(sizes);
    add_user(1);
    add_user(2);
    add_user(3);
    add_torrent(1);
    shm::EventRing ring = seg_->event_ring(0);
    shm::Accumulator acc = seg_->accumulator(0);
    // Four announces fill the ring.
    AnnounceBuilder a(1, hash_of(1), peer_id_of(1), 100);
    for (std::uint32_t i = 0; i < 4; ++i) announce(a.counters(i * 100, 0), v4(192, 0, 2, 1, 51413), kT0 + i * 600);
    EXPECT_TRUE(ring.full());
    // The next two fold; user 1's deltas add up in one slot.
    announce(a.counters(1000, 0), v4(192, 0, 2, 1, 51413), kT0 + 4 * 600);
    announce(a.counters(1500, 0).event(proto::Event::completed), v4(192, 0, 2, 1, 51413), kT0 + 5 * 600);
    shm::AccumulatorEntry e{};
    std::uint32_t slot = 0;
    while (slot < acc.capacity() && !(acc.read(slot, e) && e.user_id == 1)) ++slot;
    ASSERT_LT(slot, acc.capacity());
    EXPECT_EQ(e.torrent_id, 1u);
    EXPECT_EQ(e.announces, 2u);
    EXPECT_EQ(e.uploaded_raw, 1200u);
    EXPECT_EQ(e.uploaded_credited, 1200u);
    EXPECT_EQ(e.completions, 1u);
    // Another (user, torrent) takes the second slot; a third finds the accumulator full and is
    // refused whole, nothing changed: its client will announce again with the same totals.
    EXPECT_EQ(announce(AnnounceBuilder(2, hash_of(1), peer_id_of(2), 100), v4(192, 0, 2, 2, 51413), kT0).outcome, Outcome::ok);
    add_torrent(2);
    const auto busy = announce(AnnounceBuilder(3, hash_of(2), peer_id_of(3), 100), v4(192, 0, 2, 3, 51413), kT0);
    EXPECT_EQ(busy.outcome, Outcome::warning);
    EXPECT_EQ(busy.message, "Tracker is busy: announce again shortly");
    EXPECT_EQ(swarm::scrape_counts(*seg_, hash_of(2), false).incomplete, 0u);
    // Control commits user 1's slot and acks it: the slot is reused for the waiting key.
    acc.ack(slot, e);
    EXPECT_EQ(announce(AnnounceBuilder(3, hash_of(2), peer_id_of(3), 100), v4(192, 0, 2, 3, 51413), kT0).outcome, Outcome::ok);
    shm::AccumulatorEntry reused{};
    ASSERT_TRUE(acc.read(slot, reused));
    EXPECT_EQ(reused.user_id, 3u);
    EXPECT_EQ(reused.gen, e.gen + 1);
    // Once control drains the ring, records go there again.
    std::vector<shm::EventRecord> out(4);
    ASSERT_EQ(ring.peek(out.data(), 4), 4u);
    ring.release_through(out[3].seq);
    announce(a.counters(2000, 0), v4(192, 0, 2, 1, 51413), kT0 + 6 * 600);
    ASSERT_EQ(ring.peek(out.data(), 4), 1u);
    EXPECT_EQ(out[0].seq, 5u);
    EXPECT_EQ(out[0].uploaded_delta, 500u);
}

TEST_F(ShardTest, PeerListBudgetRunsDryThenRefills) {
    auto rules = std::make_unique<shm::Rules>(shm::default_rules());
    rules->peer_list_budget = 2;
    rules->peer_list_refill_per_hour = 6;  // one every 10 minutes
    seg_->rules().publish(*rules);
    AnnounceBuilder me(1, hash_of(1), peer_id_of(1), 100);
    Output o;
    // Alone in the swarm: an empty list costs nothing.
    for (std::uint32_t i = 0; i < 3; ++i) EXPECT_EQ(announce(me, v4(192, 0, 2, 1, 51413), kT0 - 3000 + i * 600, o).n4, 0u);
    announce(AnnounceBuilder(2, hash_of(1), peer_id_of(2), 100), v4(192, 0, 2, 2, 51413), kT0);
    EXPECT_EQ(announce(me, v4(192, 0, 2, 1, 51413), kT0, o).n4, 1u);
    EXPECT_EQ(announce(me.event(proto::Event::completed), v4(192, 0, 2, 1, 51413), kT0 + 1, o).n4, 1u);
    const auto dry = announce(me.event(proto::Event::none), v4(192, 0, 2, 1, 51413), kT0 + 300, o);
    EXPECT_EQ(dry.outcome, Outcome::ok);
    EXPECT_EQ(dry.n4, 0u);
    EXPECT_EQ(announce(me, v4(192, 0, 2, 1, 51413), kT0 + 300 + 600, o).n4, 1u);
}

TEST_F(ShardTest, OpenModeTracksAnyHash) {
    swarm::Gate open(*seg_, swarm::GateConfig{true, 2});
    AnnounceBuilder b(0, hash_of(777), peer_id_of(1), 0);
    b.a.passkey = {};
    const auto adm = open.admit(b.a, v4(192, 0, 2, 1, 51413), kT0);
    ASSERT_EQ(adm.outcome, Outcome::ok);
    Output o;
    auto r = shards_[adm.shard]->announce(adm, b.a, v4(192, 0, 2, 1, 51413), kT0, o.out);
    EXPECT_EQ(r.complete, 1u);
    b.event(proto::Event::completed);
    r = shards_[adm.shard]->announce(adm, b.a, v4(192, 0, 2, 1, 51413), kT0 + 1, o.out);
    EXPECT_EQ(r.downloaded, 1u);
    EXPECT_EQ(swarm::scrape_counts(*seg_, hash_of(777), true).complete, 1u);
}

TEST_F(ShardTest, OpenModeScrapesTheHashsSwarmEvenOfARegisteredTorrent) {
    swarm::Gate open(*seg_, swarm::GateConfig{true, 2});
    AnnounceBuilder b(0, hash_of(1), peer_id_of(1), 0);  // a seeder, on a torrent control registered
    b.a.passkey = {};
    const auto adm = open.admit(b.a, v4(192, 0, 2, 1, 51413), kT0);
    ASSERT_EQ(adm.outcome, Outcome::ok);
    Output o;
    shards_[adm.shard]->announce(adm, b.a, v4(192, 0, 2, 1, 51413), kT0, o.out);
    EXPECT_EQ(swarm::scrape_counts(*seg_, hash_of(1), true).complete, 1u);
    EXPECT_EQ(swarm::scrape_counts(*seg_, hash_of(1), false).complete, 0u) << "the torrent id's swarm is another";
}

TEST(ShardOf, SpreadsAndStaysInRange) {
    std::vector<int> per(4);
    for (std::uint32_t i = 0; i < 4000; ++i) {
        const std::uint32_t s = swarm::shard_of(hash_of(i), 4);
        ASSERT_LT(s, 4u);
        ++per[s];
    }
    for (int n : per) EXPECT_GT(n, 800);
    EXPECT_EQ(swarm::shard_of(hash_of(5), 1), 0u);
}

}  // namespace
}  // namespace swarmline::test
