// End to end: the real swarmline-dataplane answers real UDP announces (BEP 15 + BEP 41 passkey)
// while the SyncService, attached to its segment by path as `serve` runs it, loads the accounts
// from PostgreSQL and flushes the announces back:
//  - user_statistics holds exactly the bytes the clients announced;
//  - an account disabled in PostgreSQL is refused by the daemon within one second.
#include <gtest/gtest.h>

#include <chrono>
#include <cstring>
#include <thread>

#include "../dataplane/daemon_process.hpp"
#include "../dataplane/udp_client.hpp"
#include "support/test_database.hpp"
#include "sync/sync_service.hpp"
#include "sync_fixture.hpp"

namespace swarmline::control::sync {
namespace {

using Clock = std::chrono::steady_clock;
using swarmline::test::DaemonProcess;
using swarmline::test::UdpClient;

template <class F>
bool eventually(F&& ready, std::chrono::milliseconds cap = std::chrono::seconds(60)) {
    const auto end = Clock::now() + cap;
    while (!ready()) {
        if (Clock::now() > end) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return true;
}

proto::Announce announce_of(const testing::SeededTorrent& t, std::uint8_t peer, std::uint64_t up, std::uint64_t down,
                            std::uint64_t left, proto::Event event = proto::Event::none) {
    proto::Announce a;
    a.info_hash = t.info_hash;
    std::memcpy(a.peer_id.data(), "-qB4500-", 8);
    std::memset(a.peer_id.data() + 8, peer, 12);
    a.uploaded = up;
    a.downloaded = down;
    a.left = left;
    a.event = event;
    a.port = static_cast<std::uint16_t>(40000 + peer);
    return a;
}

class SyncEndToEnd : public swarmline::test::DatabaseTest {};

TEST_F(SyncEndToEnd, RealAnnouncesReachUserStatisticsAndADisabledAccountIsRefused) {
    auto conn = database().connect();
    auto alice = testing::seed_user(conn, "alice");
    auto bob = testing::seed_user(conn, "bob");
    auto movie = testing::seed_torrent(conn, "movie");
    // Announces of a test follow each other within seconds: no minimum interval.
    conn.exec("UPDATE site_settings SET value = '0' WHERE key = 'tracker.min_announce_interval'");

    DaemonProcess daemon;
    const std::string shm = DaemonProcess::fresh_shm_path();
    ASSERT_EQ(daemon.start({"--udp", "127.0.0.1:0", "--workers", "2"}, shm), "");

    SyncService service;
    SyncConfig config;
    config.database_url = database().url();
    config.shm_path = shm;
    config.flush_interval_ms = 20;
    ASSERT_EQ(service.start(config), "");
    ASSERT_TRUE(eventually([&] { return service.metrics().full_loads.load() >= 1; })) << daemon.log();

    UdpClient client(daemon.udp[0]);
    auto id = client.connect();
    ASSERT_TRUE(id);
    proto::udp::Response r;
    std::vector<std::uint8_t> storage;
    auto send = [&](const testing::SeededUser& u, const proto::Announce& a) {
        EXPECT_TRUE(client.announce(*id, a, r, storage, "/" + u.passkey + "/announce"));
        return r.action;
    };
    const auto ok = proto::udp::Action::announce;
    ASSERT_EQ(send(bob, announce_of(movie, 2, 0, 0, 0, proto::Event::started)), ok) << r.message;
    ASSERT_EQ(send(alice, announce_of(movie, 1, 0, 0, 1 << 20, proto::Event::started)), ok) << r.message;
    ASSERT_EQ(send(alice, announce_of(movie, 1, 4096, 300000, (1 << 20) - 300000)), ok) << r.message;
    ASSERT_EQ(send(bob, announce_of(movie, 2, 300000, 0, 0)), ok) << r.message;
    ASSERT_EQ(send(alice, announce_of(movie, 1, 8192, 1 << 20, 0, proto::Event::completed)), ok) << r.message;
    ASSERT_EQ(send(bob, announce_of(movie, 2, 1 << 20, 0, 0)), ok) << r.message;

    const testing::UserTotals want_alice{8192, 1 << 20, 8192, 1 << 20};
    const testing::UserTotals want_bob{1 << 20, 0, 1 << 20, 0};
    EXPECT_TRUE(eventually([&] {
        return testing::user_totals(conn, alice.tracker_id) == want_alice &&
               testing::user_totals(conn, bob.tracker_id) == want_bob;
    })) << "alice uploaded " << testing::user_totals(conn, alice.tracker_id).uploaded;
    EXPECT_EQ(conn.exec("SELECT count(*) FROM announces").get_int64(0, 0), 6);

    // Disabled in PostgreSQL: the running daemon refuses alice's next announces.
    conn.exec("UPDATE users SET status = 'disabled' WHERE username = 'alice'");
    const bool refused = eventually([&] { return send(alice, announce_of(movie, 1, 8192, 1 << 20, 0)) == proto::udp::Action::error; },
                                    std::chrono::seconds(10));
    EXPECT_TRUE(refused);
    EXPECT_EQ(send(bob, announce_of(movie, 2, 1 << 20, 0, 0)), ok) << "others keep announcing";

    service.stop();
    EXPECT_EQ(daemon.stop(SIGTERM), 0);
    EXPECT_EQ(testing::user_totals(conn, alice.tracker_id), want_alice) << "refused announces credit nothing";
}

}  // namespace
}  // namespace swarmline::control::sync
