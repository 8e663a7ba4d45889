// The arithmetic of a flush: what each user is credited and what each peer's row becomes.
#include "sync/event_batch.hpp"

#include <gtest/gtest.h>

#include "proto/types.hpp"

namespace swarmline::control::sync {
namespace {

shm::EventRecord record(std::uint64_t seq, shm::UserId u, shm::TorrentId t, std::uint8_t peer) {
    shm::EventRecord r{};
    r.seq = seq;
    r.user_id = u;
    r.torrent_id = t;
    r.peer_id.fill(peer);
    r.time = 1700000000 + static_cast<std::uint32_t>(seq);
    return r;
}

TEST(EventBatch, SumsRawAndCreditedPerUser) {
    auto a = record(1, 7, 1, 'a');
    a.uploaded_delta = 1000;
    a.uploaded_credited = 2000;  // double upload
    a.downloaded_delta = 500;
    a.downloaded_credited = 0;   // freeleech
    a.seedtime_delta = 30;
    auto b = record(2, 7, 2, 'b');
    b.uploaded_delta = 1;
    b.uploaded_credited = 1;
    b.downloaded_delta = 3;
    b.downloaded_credited = 3;
    auto c = record(3, 8, 1, 'c');
    c.downloaded_delta = 10;
    c.downloaded_credited = 10;
    shm::EventRecord rs[] = {a, b, c};
    EventBatch batch;
    batch.add(rs);

    auto users = batch.users();
    ASSERT_EQ(users.size(), 2u);
    for (const auto& u : users) {
        if (u.user_id == 7) {
            EXPECT_EQ(u.uploaded_raw, 1001u);
            EXPECT_EQ(u.uploaded, 2001u);
            EXPECT_EQ(u.downloaded_raw, 503u);
            EXPECT_EQ(u.downloaded, 3u);
            EXPECT_EQ(u.seedtime, 30u);
        } else {
            EXPECT_EQ(u.user_id, 8u);
            EXPECT_EQ(u.downloaded, 10u);
        }
    }
    EXPECT_EQ(batch.events(), 3u);
    EXPECT_EQ(batch.oldest_time(), 1700000001u);
}

// A member's snatch row sums all of its clients on the torrent, spans their first to last event and
// keeps the latest client's address; a completion that came through an accumulator alone gives a
// row with only its time.
TEST(EventBatch, PairsSumTheClientsOfAMemberOnATorrent) {
    auto home = record(1, 7, 1, 'a');
    home.uploaded_delta = 100;
    home.uploaded_credited = 200;
    home.seedtime_delta = 60;
    home.ip[15] = 1;
    auto box = record(2, 7, 1, 'b');
    box.downloaded_delta = 50;
    box.downloaded_credited = 25;
    box.ip[15] = 2;
    auto other = record(3, 7, 2, 'a');
    other.uploaded_delta = 1;
    shm::EventRecord rs[] = {home, box, other};
    EventBatch batch;
    batch.add(rs);
    shm::AccumulatorEntry done{};
    done.user_id = 9;
    done.torrent_id = 1;
    done.completions = 1;
    batch.add_accumulated(done, 1800000000);

    auto pairs = batch.pairs();
    ASSERT_EQ(pairs.size(), 3u);
    for (const auto& p : pairs) {
        if (p.user_id == 7 && p.torrent_id == 1) {
            EXPECT_EQ(p.uploaded, 100u);
            EXPECT_EQ(p.uploaded_credited, 200u);
            EXPECT_EQ(p.downloaded, 50u);
            EXPECT_EQ(p.downloaded_credited, 25u);
            EXPECT_EQ(p.seedtime, 60u);
            EXPECT_EQ(p.first_time, home.time);
            EXPECT_EQ(p.last_time, box.time);
            EXPECT_TRUE(p.has_ip);
            EXPECT_EQ(p.ip, box.ip);
        } else if (p.user_id == 7) {
            EXPECT_EQ(p.torrent_id, 2u);
            EXPECT_EQ(p.uploaded, 1u);
        } else {
            EXPECT_EQ(p.user_id, 9u);
            EXPECT_FALSE(p.has_ip);
            EXPECT_EQ(p.first_time, 1800000000u);
            EXPECT_EQ(p.last_time, 1800000000u);
            EXPECT_EQ(p.uploaded, 0u);
        }
    }
}

TEST(EventBatch, PeerTakesItsLastStateAndSumsItsDeltas) {
    auto start = record(1, 7, 1, 'a');
    start.event = static_cast<std::uint8_t>(proto::Event::started);
    start.flags = shm::kEventNewPeer;
    start.left = 100;
    start.downloaded_delta = 0;
    auto done = record(2, 7, 1, 'a');
    done.event = static_cast<std::uint8_t>(proto::Event::completed);
    done.flags = shm::kEventSeeder | shm::kEventFirstCompletion;
    done.left = 0;
    done.downloaded_delta = 100;
    done.downloaded_total = 100;
    done.port = 6881;
    shm::EventRecord rs[] = {start, done};
    EventBatch batch;
    batch.add(rs);

    auto peers = batch.peers();
    ASSERT_EQ(peers.size(), 1u);
    EXPECT_TRUE(peers[0].seeder);
    EXPECT_FALSE(peers[0].removed);
    EXPECT_EQ(peers[0].left, 0u);
    EXPECT_EQ(peers[0].downloaded_delta, 100u);
    EXPECT_EQ(peers[0].downloaded_total, 100u);
    EXPECT_EQ(peers[0].port, 6881);
    EXPECT_EQ(peers[0].first_time, start.time);
    EXPECT_EQ(peers[0].last_time, done.time);

    auto torrents = batch.torrents();
    ASSERT_EQ(torrents.size(), 1u);
    EXPECT_EQ(torrents[0].completed, 1u);
    EXPECT_EQ(torrents[0].announces, 2u);
    ASSERT_EQ(batch.snatches().size(), 1u);
    EXPECT_EQ(batch.snatches()[0].user_id, 7u);
}

TEST(EventBatch, TwoClientsOfOneUserAreTwoPeers) {
    auto a = record(1, 7, 1, 'a');
    auto b = record(2, 7, 1, 'b');
    b.flags = shm::kEventPeerRemoved;
    shm::EventRecord rs[] = {a, b};
    EventBatch batch;
    batch.add(rs);
    auto peers = batch.peers();
    ASSERT_EQ(peers.size(), 2u);
    EXPECT_NE(peers[0].removed, peers[1].removed);
}

TEST(EventBatch, AccumulatorGrowthAddsToTheUserAndTheTorrent) {
    shm::AccumulatorEntry d{};
    d.user_id = 7;
    d.torrent_id = 3;
    d.announces = 2;
    d.uploaded_raw = 10;
    d.downloaded_raw = 20;
    d.uploaded_credited = 30;
    d.downloaded_credited = 40;
    d.seedtime = 50;
    EventBatch batch;
    batch.add_accumulated(d, 1000);
    d.completions = 1;
    batch.add_accumulated(d, 1001);
    auto users = batch.users();
    ASSERT_EQ(users.size(), 1u);
    EXPECT_EQ(users[0].uploaded_raw, 20u);
    EXPECT_EQ(users[0].uploaded, 60u);
    EXPECT_EQ(users[0].downloaded, 80u);
    EXPECT_EQ(users[0].seedtime, 100u);
    auto torrents = batch.torrents();
    ASSERT_EQ(torrents.size(), 1u);
    EXPECT_EQ(torrents[0].snatches, 1u);
    EXPECT_EQ(torrents[0].announces, 4u);
    ASSERT_EQ(batch.snatches().size(), 1u);
    EXPECT_EQ(batch.snatches()[0].time, 1001u);
    batch.clear();
    EXPECT_TRUE(batch.empty());
}

}  // namespace
}  // namespace swarmline::control::sync
