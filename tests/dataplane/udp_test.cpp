// BEP 15 over real sockets against a running swarmline-dataplane (two workers, so requests also
// cross from the worker that received them to the worker owning the swarm).
#include <gtest/gtest.h>

#include <filesystem>
#include <random>

#include "daemon_process.hpp"
#include "shm/segment.hpp"
#include "udp_client.hpp"

namespace swarmline::test {
namespace {

namespace udp = proto::udp;

proto::InfoHash hash_of(std::uint8_t seed) {
    proto::InfoHash h;
    for (std::size_t i = 0; i < h.size(); ++i) h[i] = static_cast<std::uint8_t>(seed * 31 + i);
    return h;
}

proto::Announce announce_of(const proto::InfoHash& h, std::uint8_t peer, std::uint16_t port, std::uint64_t left) {
    proto::Announce a;
    a.info_hash = h;
    for (std::size_t i = 0; i < a.peer_id.size(); ++i) a.peer_id[i] = static_cast<std::uint8_t>('A' + peer);
    a.port = port;
    a.left = left;
    a.event = proto::Event::started;
    a.numwant = 50;
    a.key = peer;
    a.has_key = true;
    return a;
}

shm::Segment::Opened attach(const std::string& path) {
    std::filesystem::path p(path);
    shm::SegmentLocation where;
    where.name = p.filename().string();
    where.shm_dir = p.parent_path().string();
    return shm::Segment::open(where, shm::SegmentSizes{}, shm::OpenMode::attach_only);
}

class Daemon : public ::testing::Test {
protected:
    void start(std::vector<std::string> args) {
        args.insert(args.end(), {"--http", "127.0.0.1:0", "--admin", "127.0.0.1:0", "--workers", "2",
                                 "--peers-per-shard", "4096", "--v6-peers-per-shard", "1024", "--torrents-per-shard",
                                 "1024", "--users", "1024", "--torrents", "1024", "--tokens", "1024",
                                 "--event-ring", "1024", "--accumulator", "1024"});
        std::string err = daemon_.start(args, shm_.path());
        ASSERT_EQ(err, "");
        ASSERT_FALSE(daemon_.udp.empty());
    }
    void TearDown() override {
        if (HasFailure()) std::cerr << "daemon log:\n" << daemon_.log();
        if (daemon_.running()) daemon_.stop(SIGTERM);
    }
    DaemonProcess daemon_;
    ScratchShm shm_;
};

TEST_F(Daemon, ConnectAnnounceAndScrapeSeventyFourHashes) {
    start({"--open", "--udp", "127.0.0.1:0"});
    UdpClient leecher(daemon_.udp[0]);
    UdpClient seeder(daemon_.udp[0]);
    auto id_l = leecher.connect();
    auto id_s = seeder.connect();
    ASSERT_TRUE(id_l && id_s);

    const proto::InfoHash h = hash_of(7);
    udp::Response r;
    std::vector<std::uint8_t> storage;
    ASSERT_TRUE(leecher.announce(*id_l, announce_of(h, 1, 40001, 1000), r, storage));
    ASSERT_EQ(r.action, udp::Action::announce);
    EXPECT_GT(r.interval, 0u);
    EXPECT_EQ(r.leechers, 1u);
    EXPECT_EQ(r.seeders, 0u);
    EXPECT_EQ(r.peers.size(), 0u) << "a peer never gets itself";

    ASSERT_TRUE(seeder.announce(*id_s, announce_of(h, 2, 40002, 0), r, storage));
    ASSERT_EQ(r.action, udp::Action::announce);
    EXPECT_EQ(r.leechers, 1u);
    EXPECT_EQ(r.seeders, 1u);
    ASSERT_EQ(r.peers.size(), 6u);
    EXPECT_EQ(r.peers[0], 127);
    EXPECT_EQ(r.peers[3], 1);
    EXPECT_EQ((r.peers[4] << 8) | r.peers[5], 40001);

    // 74 hashes, the announced one among them; every other one is unknown (zeroes).
    std::vector<proto::InfoHash> hashes;
    for (int i = 0; i < 74; ++i) hashes.push_back(i == 37 ? h : hash_of(static_cast<std::uint8_t>(100 + i)));
    std::uint8_t req[2048];
    std::size_t n = udp::encode_scrape(req, *id_l, 4242, hashes);
    ASSERT_TRUE(leecher.exchange({req, n}, 4242, r, storage));
    ASSERT_EQ(r.action, udp::Action::scrape);
    ASSERT_EQ(r.scrape_count(), 74u);
    EXPECT_EQ(r.scrape_entry(37).seeders, 1u);
    EXPECT_EQ(r.scrape_entry(37).leechers, 1u);
    EXPECT_EQ(r.scrape_entry(0).seeders + r.scrape_entry(0).leechers, 0u);
}

TEST_F(Daemon, PlainRecvmsgFallbackServesToo) {
    start({"--open", "--udp", "127.0.0.1:0", "--udp-multishot=false"});
    UdpClient a(daemon_.udp[0]);
    UdpClient b(daemon_.udp[0]);
    auto ia = a.connect();
    auto ib = b.connect();
    ASSERT_TRUE(ia && ib);
    udp::Response r;
    std::vector<std::uint8_t> storage;
    for (int round = 0; round < 20; ++round) {
        ASSERT_TRUE(a.announce(*ia, announce_of(hash_of(11), 1, 40001, 5), r, storage)) << round;
        ASSERT_EQ(r.action, udp::Action::announce);
    }
    ASSERT_TRUE(b.announce(*ib, announce_of(hash_of(11), 2, 40002, 5), r, storage));
    ASSERT_EQ(r.action, udp::Action::announce);
    ASSERT_EQ(r.peers.size(), 6u);
    EXPECT_EQ((r.peers[4] << 8) | r.peers[5], 40001);
}

TEST_F(Daemon, ForgedConnectionIdIsRefused) {
    start({"--open", "--udp", "127.0.0.1:0"});
    UdpClient client(daemon_.udp[0]);
    auto id = client.connect();
    ASSERT_TRUE(id);
    udp::Response r;
    std::vector<std::uint8_t> storage;
    ASSERT_TRUE(client.announce(*id ^ 0x1, announce_of(hash_of(1), 1, 40001, 5), r, storage));
    EXPECT_EQ(r.action, udp::Action::error);
    EXPECT_NE(r.message.find("connection id"), std::string_view::npos) << r.message;
    // Nothing was stored: a genuine announce sees no other peer.
    ASSERT_TRUE(client.announce(*id, announce_of(hash_of(1), 2, 40002, 5), r, storage));
    EXPECT_EQ(r.action, udp::Action::announce);
    EXPECT_EQ(r.leechers, 1u);
}

TEST_F(Daemon, TruncatedAndRandomPacketsAreHarmless) {
    start({"--open", "--udp", "127.0.0.1:0"});
    UdpClient client(daemon_.udp[0]);
    auto id = client.connect();
    ASSERT_TRUE(id);
    std::uint8_t full[1024];
    std::size_t n = udp::encode_announce(full, *id, 99, announce_of(hash_of(3), 1, 40001, 5));
    for (std::size_t len = 0; len < n; ++len) client.send({full, len});
    std::mt19937 rng(12345);
    std::vector<std::uint8_t> junk(1500);
    for (int i = 0; i < 2000; ++i) {
        std::size_t len = rng() % junk.size();
        for (auto& b : junk) b = static_cast<std::uint8_t>(rng());
        client.send({junk.data(), len});
    }
    // Whatever came back for the junk is drained; then the daemon still answers a real request.
    while (client.receive(200)) {
    }
    auto again = client.connect();
    ASSERT_TRUE(again) << "the daemon stopped answering after junk";
    udp::Response r;
    std::vector<std::uint8_t> storage;
    ASSERT_TRUE(client.announce(*again, announce_of(hash_of(3), 1, 40001, 5), r, storage));
    EXPECT_EQ(r.action, udp::Action::announce);
    std::string metrics = http_get(daemon_.admin, "/metrics");
    const std::string counter = "protocol=\"udp\",request=\"any\",outcome=\"invalid\"}";
    ASSERT_NE(metrics.find(counter), std::string::npos) << metrics;
    EXPECT_EQ(metrics.find(counter + " 0\n"), std::string::npos) << "junk was not counted: " << metrics;
}

TEST_F(Daemon, Ipv6PeersComeBackIn18Bytes) {
    if (!io::net::ipv6_loopback_available()) GTEST_SKIP() << "no IPv6 loopback (::1) on this host";
    start({"--open", "--udp", "[::1]:0"});
    ASSERT_TRUE(daemon_.udp[0].v6());
    UdpClient a(daemon_.udp[0]);
    UdpClient b(daemon_.udp[0]);
    auto ia = a.connect();
    auto ib = b.connect();
    ASSERT_TRUE(ia && ib);
    udp::Response r;
    std::vector<std::uint8_t> storage;
    ASSERT_TRUE(a.announce(*ia, announce_of(hash_of(9), 1, 40001, 100), r, storage));
    ASSERT_TRUE(b.announce(*ib, announce_of(hash_of(9), 2, 40002, 100), r, storage));
    ASSERT_EQ(r.action, udp::Action::announce);
    ASSERT_EQ(r.peers.size(), 18u);
    EXPECT_EQ(r.peers[15], 1);  // ::1
    EXPECT_EQ((r.peers[16] << 8) | r.peers[17], 40001);
}

TEST_F(Daemon, PrivateModeTakesThePasskeyFromBep41UrlData) {
    // Users and torrents are written while the daemon runs, as control does.
    start({"--udp", "127.0.0.1:0"});
    const std::string key = "0123456789abcdef0123456789ABCDEF";
    {
        auto opened = attach(shm_.path());
        ASSERT_TRUE(opened.segment) << opened.error;
        shm::Segment& seg = *opened.segment;
        shm::Passkey passkey;
        std::copy(key.begin(), key.end(), passkey.begin());
        shm::UserEntry user{};
        user.user_id = 501;
        user.flags = shm::kUserCanLeech;
        user.download_factor_pct = user.upload_factor_pct = 100;
        ASSERT_TRUE(seg.users().upsert(passkey, user));
        shm::TorrentEntry torrent{};
        torrent.torrent_id = 77;
        torrent.state = shm::TorrentState::active;
        torrent.upload_factor_pct = 100;
        ASSERT_TRUE(seg.torrents().upsert(hash_of(5), torrent));
    }

    UdpClient client(daemon_.udp[0]);
    auto id = client.connect();
    ASSERT_TRUE(id);
    udp::Response r;
    std::vector<std::uint8_t> storage;
    ASSERT_TRUE(client.announce(*id, announce_of(hash_of(5), 1, 40001, 10), r, storage, "/announce"));
    EXPECT_EQ(r.action, udp::Action::error) << "no passkey in a private tracker";
    ASSERT_TRUE(client.announce(*id, announce_of(hash_of(5), 1, 40001, 10), r, storage,
                                "/announce/ffffffffffffffffffffffffffffffff"));
    EXPECT_EQ(r.action, udp::Action::error) << "unknown passkey";
    ASSERT_TRUE(client.announce(*id, announce_of(hash_of(6), 1, 40001, 10), r, storage, "/" + key + "/announce"));
    EXPECT_EQ(r.action, udp::Action::error) << "unregistered torrent";
    ASSERT_TRUE(client.announce(*id, announce_of(hash_of(5), 1, 40001, 10), r, storage, "/announce/" + key));
    ASSERT_EQ(r.action, udp::Action::announce) << r.message;
    EXPECT_EQ(r.leechers, 1u);

    // The announce reached the owning shard's event ring with the user and the torrent (read while
    // the daemon runs, as control drains the rings).
    auto opened = attach(shm_.path());
    ASSERT_TRUE(opened.segment) << opened.error;
    shm::Segment& seg = *opened.segment;
    bool found = false;
    for (std::uint32_t s = 0; s < seg.sizes().shards && !found; ++s) {
        shm::EventRing ring = seg.event_ring(s);
        shm::EventRecord recs[16];
        std::size_t n = ring.peek(recs, 16);
        for (std::size_t i = 0; i < n; ++i)
            if (recs[i].user_id == 501 && recs[i].torrent_id == 77 && recs[i].left == 10) found = true;
    }
    EXPECT_TRUE(found) << "no event record for user 501 on torrent 77";
}

}  // namespace
}  // namespace swarmline::test
