// End to end: the real swarmline-dataplane answers real UDP announces (BEP 15 + BEP 41 passkey)
// while the SyncService, attached to its segment by path as `serve` runs it, loads the accounts
// from PostgreSQL and flushes the announces back:
//  - user_statistics holds exactly the bytes the clients announced;
//  - an account disabled in PostgreSQL is refused by the daemon within one second;
//  - the real `swarmline-control serve` killed with SIGKILL again and again while announces flow,
//    and restarted each time: every byte is counted once.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <optional>
#include <thread>

#include "../dataplane/daemon_process.hpp"
#include "../dataplane/udp_client.hpp"
#include "../torrents/serve_process.hpp"
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

// Alice and bob, an approved movie, and a real daemon on a segment of its own; announces of a test
// follow each other within seconds, so there is no minimum interval.
class SyncEndToEnd : public swarmline::test::DatabaseTest {
protected:
    void SetUp() override {
        DatabaseTest::SetUp();
        if (IsSkipped()) return;
        conn_.emplace(database().connect());
        alice_ = testing::seed_user(*conn_, "alice");
        bob_ = testing::seed_user(*conn_, "bob");
        movie_ = testing::seed_torrent(*conn_, "movie");
        conn_->exec("UPDATE site_settings SET value = '0' WHERE key = 'tracker.min_announce_interval'");
        ASSERT_EQ(daemon_.start({"--udp", "127.0.0.1:0", "--workers", "2"}, shm_.path()), "");
    }

    std::optional<swarmline::db::Connection> conn_;
    testing::SeededUser alice_, bob_;
    testing::SeededTorrent movie_;
    swarmline::test::ScratchShm shm_;
    DaemonProcess daemon_;
};

TEST_F(SyncEndToEnd, RealAnnouncesReachUserStatisticsAndADisabledAccountIsRefused) {
    SyncService service;
    SyncConfig config;
    config.database_url = database().url();
    config.shm_path = shm_.path();
    config.flush_interval_ms = 20;
    ASSERT_EQ(service.start(config), "");
    ASSERT_TRUE(eventually([&] { return service.metrics().full_loads.load() >= 1; })) << daemon_.log();

    UdpClient client(daemon_.udp[0]);
    auto id = client.connect();
    ASSERT_TRUE(id);
    proto::udp::Response r;
    std::vector<std::uint8_t> storage;
    auto send = [&](const testing::SeededUser& u, const proto::Announce& a) {
        EXPECT_TRUE(client.announce(*id, a, r, storage, "/" + u.passkey + "/announce"));
        return r.action;
    };
    const auto ok = proto::udp::Action::announce;
    ASSERT_EQ(send(bob_, announce_of(movie_, 2, 0, 0, 0, proto::Event::started)), ok) << r.message;
    ASSERT_EQ(send(alice_, announce_of(movie_, 1, 0, 0, 1 << 20, proto::Event::started)), ok) << r.message;
    ASSERT_EQ(send(alice_, announce_of(movie_, 1, 4096, 300000, (1 << 20) - 300000)), ok) << r.message;
    ASSERT_EQ(send(bob_, announce_of(movie_, 2, 300000, 0, 0)), ok) << r.message;
    ASSERT_EQ(send(alice_, announce_of(movie_, 1, 8192, 1 << 20, 0, proto::Event::completed)), ok) << r.message;
    ASSERT_EQ(send(bob_, announce_of(movie_, 2, 1 << 20, 0, 0)), ok) << r.message;

    const testing::UserTotals want_alice{8192, 1 << 20, 8192, 1 << 20};
    const testing::UserTotals want_bob{1 << 20, 0, 1 << 20, 0};
    EXPECT_TRUE(eventually([&] {
        return testing::user_totals(*conn_, alice_.tracker_id) == want_alice &&
               testing::user_totals(*conn_, bob_.tracker_id) == want_bob;
    })) << "alice uploaded " << testing::user_totals(*conn_, alice_.tracker_id).uploaded;
    EXPECT_EQ(conn_->exec("SELECT count(*) FROM announces").get_int64(0, 0), 6);

    // Disabled in PostgreSQL: the running daemon refuses alice's next announces.
    conn_->exec("UPDATE users SET status = 'disabled' WHERE username = 'alice'");
    const bool refused = eventually([&] { return send(alice_, announce_of(movie_, 1, 8192, 1 << 20, 0)) == proto::udp::Action::error; },
                                    std::chrono::seconds(10));
    EXPECT_TRUE(refused);
    EXPECT_EQ(send(bob_, announce_of(movie_, 2, 1 << 20, 0, 0)), ok) << "others keep announcing";

    service.stop();
    EXPECT_EQ(daemon_.stop(SIGTERM), 0);
    EXPECT_EQ(testing::user_totals(*conn_, alice_.tracker_id), want_alice) << "refused announces credit nothing";
}

// A seeder (alice) and a leecher (bob) announce on one torrent, one after the other, as fast as
// the daemon answers (with a pause of a millisecond), each reporting more bytes every time, until
// stopped. Clients report running totals, so what a member must be credited is the totals of the
// last announce the daemon answered.
class Traffic {
public:
    Traffic(const io::net::Address& to, const testing::SeededUser& seeder, const testing::SeededUser& leecher,
            const testing::SeededTorrent& torrent)
        : client_(to), seeder_(seeder), leecher_(leecher), torrent_(torrent) {}

    void start() {
        thread_ = std::thread([this] {
            for (std::uint64_t n = 0; !stop_.load(); ++n) {
                // The first announce of a peer is its baseline: bytes count from there.
                const auto event = n == 0 ? proto::Event::started : proto::Event::none;
                if (!send(seeder_, announce_of(torrent_, 1, n * 1000, 0, 0, event)) ||
                    !send(leecher_, announce_of(torrent_, 2, 0, n * 700, 1u << 30, event)))
                    break;
                uploaded_ = n * 1000;
                downloaded_ = n * 700;
                answered_.fetch_add(2);
                std::this_thread::sleep_for(std::chrono::milliseconds(1));
            }
            failed_ = !stop_.load();
        });
    }
    void stop() {
        stop_ = true;
        thread_.join();
    }
    std::uint64_t answered() const { return answered_.load(); }
    // After stop(): false when an announce went unanswered (the totals are then unknown).
    bool all_answered() const { return !failed_; }
    std::uint64_t uploaded() const { return uploaded_; }
    std::uint64_t downloaded() const { return downloaded_; }

private:
    bool send(const testing::SeededUser& u, const proto::Announce& a) {
        if (!id_) id_ = client_.connect();
        return id_ && client_.announce(*id_, a, response_, storage_, "/" + u.passkey + "/announce") &&
               response_.action == proto::udp::Action::announce;
    }
    UdpClient client_;
    testing::SeededUser seeder_, leecher_;
    testing::SeededTorrent torrent_;
    std::optional<std::uint64_t> id_;
    proto::udp::Response response_;
    std::vector<std::uint8_t> storage_;
    std::thread thread_;
    std::atomic<bool> stop_{false};
    std::atomic<std::uint64_t> answered_{0};
    bool failed_ = false;
    std::uint64_t uploaded_ = 0, downloaded_ = 0;
};

TEST_F(SyncEndToEnd, KillNineOfServeWhileAnnouncesFlowThenRestartCountsEveryByteOnce) {
    // serve as deployed, its sync on and flushing every 20 ms, so that a kill lands in or between
    // flushes; a restarted flusher retries quickly while the killed one's session still holds the
    // segment's flush lock.
    const std::vector<std::string> args{"--shm", shm_.path(), "--sync-flush-interval-ms", "20", "--sync-retry-max-ms", "200"};
    auto started = [&](std::optional<control::test::ServeProcess>& serve) {
        serve.emplace();
        if (auto err = serve->start(database().url(), args); !err.empty()) return err;
        if (!serve->wait_for_log("sync: shm tables loaded") ||
            !serve->wait_for_log("sync: flusher resumed from the committed watermarks"))
            return "the sync did not start; serve's log:\n" + serve->log();
        return std::string();
    };
    std::optional<control::test::ServeProcess> serve;
    ASSERT_EQ(started(serve), "");

    Traffic traffic(daemon_.udp[0], alice_, bob_, movie_);
    traffic.start();
    auto uploaded = [&] { return testing::user_totals(*conn_, alice_.tracker_id).uploaded; };
    for (int round = 0; round < 3; ++round) {
        // Killed while it flushes what keeps coming: its last flush committed or not, at any point.
        const auto before = uploaded();
        ASSERT_TRUE(eventually([&] { return uploaded() > before; })) << serve->log();
        serve.reset();  // SIGKILL: ServeProcess kills its process when it goes away
        const auto answered = traffic.answered();
        ASSERT_TRUE(eventually([&] { return traffic.answered() > answered + 100; })) << "the daemon keeps answering";
        ASSERT_EQ(started(serve), "");
    }
    traffic.stop();
    ASSERT_TRUE(traffic.all_answered()) << daemon_.log();

    const testing::UserTotals want_alice{static_cast<std::int64_t>(traffic.uploaded()), 0,
                                         static_cast<std::int64_t>(traffic.uploaded()), 0};
    const testing::UserTotals want_bob{0, static_cast<std::int64_t>(traffic.downloaded()), 0,
                                       static_cast<std::int64_t>(traffic.downloaded())};
    // Drained: every answered announce has its row (and at most one).
    const auto records = static_cast<std::int64_t>(traffic.answered());
    EXPECT_TRUE(eventually([&] { return conn_->exec("SELECT count(*) FROM announces").get_int64(0, 0) >= records; },
                           std::chrono::seconds(120)))
        << serve->log();
    ASSERT_EQ(serve->stop(), 0) << serve->log();
    EXPECT_EQ(testing::user_totals(*conn_, alice_.tracker_id), want_alice);
    EXPECT_EQ(testing::user_totals(*conn_, bob_.tracker_id), want_bob);
    EXPECT_EQ(conn_->exec("SELECT count(*) FROM announces").get_int64(0, 0), records);
    EXPECT_EQ(conn_->exec("SELECT sum(last_seq) FROM sync_ring_watermarks").get_int64(0, 0), records);
    EXPECT_EQ(daemon_.stop(SIGTERM), 0);
}

}  // namespace
}  // namespace swarmline::control::sync
