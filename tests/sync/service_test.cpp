// The SyncService as `serve` runs it (its own threads, LISTEN/NOTIFY, periodic flushes) against a
// segment the dataplane's Gate and Shards use at the same time:
//  - a change in PostgreSQL is enforced by the Gate within one second;
//  - PostgreSQL stopped while announces keep coming, then started: totals exact.
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <thread>

#include "support/test_database.hpp"
#include "sync/sync_service.hpp"
#include "sync_fixture.hpp"

namespace swarmline::control::sync {
namespace {

using Clock = std::chrono::steady_clock;

// Polls `ready` until it holds or `cap` passes (a cap against hanging, not a speed requirement).
template <class F>
bool eventually(F&& ready, std::chrono::milliseconds cap = std::chrono::seconds(60)) {
    const auto end = Clock::now() + cap;
    while (!ready()) {
        if (Clock::now() > end) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return true;
}

SyncConfig config_for(const std::string& url) {
    SyncConfig c;
    c.database_url = url;
    c.flush_interval_ms = 20;
    c.retry_max_ms = 500;
    return c;
}

class ServiceTest : public swarmline::test::DatabaseTest {};

TEST_F(ServiceTest, ChangesInPostgresAreEnforcedByTheRunningGate) {
    testing::TestSegment seg;
    auto conn = database().connect();
    auto alice = testing::seed_user(conn, "alice");
    auto movie = testing::seed_torrent(conn, "movie");
    SyncService service;
    ASSERT_EQ(service.start(config_for(database().url()), &seg.segment()), "");
    ASSERT_TRUE(eventually([&] { return service.metrics().full_loads.load() >= 1; }));

    testing::Announcer an(seg.segment());
    ASSERT_EQ(an.admit(alice, movie).outcome, swarm::Outcome::ok);

    // Each change below must reach the Gate while the service runs, through its notifications (the
    // reconcile interval is far longer than the wait). How fast is a figure for perf/, not a test:
    // a timed assertion fails on a loaded machine or under the sanitizers.
    auto enforced_while_running = [&](auto&& sql, swarm::Outcome want) {
        conn.exec(sql);
        EXPECT_TRUE(eventually([&] { return an.admit(alice, movie).outcome == want; }, std::chrono::seconds(10)))
            << sql;
    };
    enforced_while_running("UPDATE users SET status = 'disabled' WHERE username = 'alice'", swarm::Outcome::failure);
    enforced_while_running("UPDATE users SET status = 'active' WHERE username = 'alice'", swarm::Outcome::ok);
    enforced_while_running(
        "INSERT INTO bans (ban_type, user_id, reason) SELECT 'account', id, 'test' FROM users WHERE username = 'alice'",
        swarm::Outcome::failure);
    enforced_while_running("UPDATE bans SET lifted_at = now()", swarm::Outcome::ok);
    enforced_while_running("UPDATE user_groups SET can_login = false WHERE is_default", swarm::Outcome::failure);
    enforced_while_running("UPDATE user_groups SET can_login = true WHERE is_default", swarm::Outcome::ok);
    enforced_while_running("UPDATE torrents SET deleted_at = now(), deletion_reason = 'Dupe'", swarm::Outcome::failure);
    EXPECT_NE(an.admit(alice, movie).message.find("Dupe"), std::string_view::npos);
    enforced_while_running("UPDATE torrents SET deleted_at = NULL, deletion_reason = NULL", swarm::Outcome::ok);
    enforced_while_running("INSERT INTO bans (ban_type, ip_range, reason) VALUES ('ip', '127.0.0.0/8', 'test')",
                             swarm::Outcome::failure);
    enforced_while_running("DELETE FROM bans WHERE ban_type = 'ip'", swarm::Outcome::ok);
    enforced_while_running("DELETE FROM client_allowlist WHERE peer_id_prefix = '-qB'::bytea", swarm::Outcome::failure);
    enforced_while_running("INSERT INTO client_allowlist (peer_id_prefix, name) VALUES ('-qB'::bytea, 'qBittorrent')",
                             swarm::Outcome::ok);

    // A freeleech token spent on the torrent appears in the tokens table, and goes when revoked.
    const shm::TokenKey token{alice.tracker_id, movie.tracker_id};
    conn.exec("INSERT INTO freeleech_tokens (user_id, torrent_id, status, activated_at, expires_at) "
              "SELECT u.id, t.id, 'active', now(), now() + interval '1 day' FROM users u, torrents t");
    EXPECT_TRUE(eventually([&] { return seg.segment().tokens().find(token).has_value(); }, std::chrono::seconds(1)));
    conn.exec("UPDATE freeleech_tokens SET status = 'revoked', revoked_at = now()");
    EXPECT_TRUE(eventually([&] { return !seg.segment().tokens().find(token).has_value(); }, std::chrono::seconds(1)));

    enforced_while_running("UPDATE users SET passkey = repeat('z', 32) WHERE username = 'alice'",
                             swarm::Outcome::failure);  // the old passkey stops working
    service.stop();
}

// A change that sends no notification (here: triggers disabled for the session) is still enforced
// by the periodic reconcile.
TEST_F(ServiceTest, TheReconcileCatchesAChangeWithoutANotification) {
    testing::TestSegment seg;
    auto conn = database().connect();
    auto alice = testing::seed_user(conn, "alice");
    auto movie = testing::seed_torrent(conn, "movie");
    SyncService service;
    auto config = config_for(database().url());
    config.reconcile_interval_s = 1;
    ASSERT_EQ(service.start(config, &seg.segment()), "");
    ASSERT_TRUE(eventually([&] { return service.metrics().full_loads.load() >= 1; }));
    testing::Announcer an(seg.segment());
    ASSERT_EQ(an.admit(alice, movie).outcome, swarm::Outcome::ok);

    conn.exec("SET session_replication_role = replica");  // no triggers fire: no NOTIFY
    conn.exec("UPDATE users SET status = 'banned' WHERE username = 'alice'");
    const auto notified = service.metrics().notifications.load();
    EXPECT_TRUE(eventually([&] { return an.admit(alice, movie).outcome == swarm::Outcome::failure; }));
    EXPECT_EQ(service.metrics().notifications.load(), notified);
    service.stop();
}

TEST_F(ServiceTest, AnnouncesFlowIntoUserStatistics) {
    testing::TestSegment seg;
    auto conn = database().connect();
    auto alice = testing::seed_user(conn, "alice");
    auto movie = testing::seed_torrent(conn, "movie");
    SyncService service;
    ASSERT_EQ(service.start(config_for(database().url()), &seg.segment()), "");
    ASSERT_TRUE(eventually([&] { return service.metrics().full_loads.load() >= 1; }));
    testing::Announcer an(seg.segment());
    std::uint64_t up = 0;
    ASSERT_NE(an.announce(alice, movie, 1, 0, 0, 0, proto::Event::started), swarm::Outcome::failure);
    for (int i = 0; i < 100; ++i) {
        up += 12345;
        ASSERT_NE(an.announce(alice, movie, 1, up, 0, 0), swarm::Outcome::failure);
    }
    EXPECT_TRUE(eventually([&] { return testing::user_totals(conn, alice.tracker_id).uploaded == static_cast<std::int64_t>(up); }));
    service.stop();
    EXPECT_EQ(testing::user_totals(conn, alice.tracker_id).uploaded_adjusted, static_cast<std::int64_t>(up));
    EXPECT_EQ(service.metrics().events_flushed.load(), 101u);
}

// The partitions the flush writes into exist: made at start (here the current month's was dropped
// before), and again by the periodic check while the service runs (dropped once more under it), so
// announces land in their month and the DEFAULT partition stays empty.
TEST_F(ServiceTest, TheFlusherKeepsTheMonthsPartitionsMade) {
    testing::TestSegment seg;
    auto conn = database().connect();
    auto alice = testing::seed_user(conn, "alice");
    auto movie = testing::seed_torrent(conn, "movie");
    const std::string month = std::string(
        conn.exec("SELECT 'announces_p' || to_char(now() AT TIME ZONE 'UTC', 'YYYYMM')").get(0, 0));
    auto drop_month = [&] {
        conn.exec("ALTER TABLE announces DETACH PARTITION " + month);
        conn.exec("DROP TABLE " + month);
    };
    auto month_exists = [&] {
        return conn.exec_params("SELECT to_regclass($1) IS NOT NULL", {month}).get_bool(0, 0);
    };
    drop_month();
    ASSERT_FALSE(month_exists());

    SyncService service;
    auto config = config_for(database().url());
    config.partitions_interval_s = 1;
    ASSERT_EQ(service.start(config, &seg.segment()), "");
    ASSERT_TRUE(eventually([&] { return service.metrics().full_loads.load() >= 1; }));
    testing::Announcer an(seg.segment());
    ASSERT_NE(an.announce(alice, movie, 1, 0, 0, 0, proto::Event::started), swarm::Outcome::failure);
    ASSERT_NE(an.announce(alice, movie, 1, 100, 0, 0), swarm::Outcome::failure);
    ASSERT_TRUE(eventually([&] { return service.metrics().events_flushed.load() == 2; }));
    EXPECT_TRUE(month_exists());
    EXPECT_EQ(conn.exec("SELECT count(*) FROM " + month).get_int64(0, 0), 2);
    EXPECT_EQ(conn.exec("SELECT count(*) FROM announces_default").get_int64(0, 0), 0);

    // Dropped while the service runs: a check that starts after the drop makes it again. The first
    // check counted after the drop may have begun before it; the one after that began after it.
    drop_month();
    const auto checks = service.metrics().partition_checks.load();
    ASSERT_TRUE(eventually([&] { return service.metrics().partition_checks.load() >= checks + 2; }));
    EXPECT_TRUE(month_exists());
    service.stop();
}

// A private cluster this test may stop: scripts/pg.sh under a temporary directory.
class PrivateCluster {
public:
    PrivateCluster() {
        char tmpl[] = "/tmp/swarmline-sync-pg-XXXXXX";
        dir_ = ::mkdtemp(tmpl);
        port_ = std::to_string(20000 + ::getpid() % 20000);
        url_ = run("start");
    }
    ~PrivateCluster() {
        run("stop");
        std::error_code ec;
        std::filesystem::remove_all(dir_, ec);
    }
    const std::string& url() const { return url_; }
    void stop() { run("stop"); }
    void start() { run("start"); }

private:
    std::string run(const std::string& cmd) {
        const char* script = std::getenv("SWARMLINE_PG_SH");
        if (!script) throw std::runtime_error("SWARMLINE_PG_SH is set by meson");
        std::string line = std::string(script) + " " + cmd + " " + dir_.string() + " " + port_ + " 2>&1";
        FILE* p = ::popen(line.c_str(), "r");
        std::string out;
        char buf[512];
        while (std::fgets(buf, sizeof buf, p)) out = buf;  // the URL is the last line
        if (::pclose(p) != 0) throw std::runtime_error("scripts/pg.sh " + cmd + " failed: " + out);
        while (!out.empty() && out.back() == '\n') out.pop_back();
        return out;
    }
    std::filesystem::path dir_;
    std::string port_;
    std::string url_;
};

// What scripts/pg.sh needs to run a private cluster: a PostgreSQL server (scripts/lib.sh's
// pg_bindir takes any version) and, as root, the postgres account to run it as. Both come with
// scripts/deps.sh's postgresql-15 (Debian 12), so under scripts/test.sh this test runs; "" when it can.
std::string private_cluster_missing() {
    if (::geteuid() == 0 && std::system("id postgres >/dev/null 2>&1") != 0)
        return "running as root without a postgres account to run the private cluster";
    std::error_code ec;
    for (const auto& v : std::filesystem::directory_iterator("/usr/lib/postgresql", ec))
        if (std::filesystem::exists(v.path() / "bin" / "pg_ctl")) return {};
    return "no PostgreSQL server in /usr/lib/postgresql (scripts/deps.sh installs postgresql-15)";
}

// PostgreSQL down for a sustained while, long enough for many failed flushes and back-offs (the
// flusher's retry counter grows by ten, the back-off reaching its 2 s ceiling), with announces
// flowing all along; then started again: totals exact.
TEST(ServiceOutage, PostgresDownWhileAnnouncesFlowThenBackTotalsExact) {
    if (const auto missing = private_cluster_missing(); !missing.empty()) GTEST_SKIP() << missing;
    PrivateCluster cluster;
    // TestDatabase creates its database on the server this variable names; the other tests of this
    // process get theirs back at the end.
    struct RestoreEnv {
        std::string old = swarmline::test::admin_database_url();
        ~RestoreEnv() { ::setenv("SWARMLINE_TEST_DATABASE_URL", old.c_str(), 1); }
    } restore;
    ::setenv("SWARMLINE_TEST_DATABASE_URL", cluster.url().c_str(), 1);
    std::optional<swarmline::test::TestDatabase> db;
    db.emplace();
    testing::TestSegment seg(1, 16);  // a small ring: the outage overflows it into the accumulator
    std::uint32_t alice_id = 0;
    testing::SeededUser alice;
    testing::SeededTorrent movie;
    {
        auto conn = db->connect();
        alice = testing::seed_user(conn, "alice");
        movie = testing::seed_torrent(conn, "movie");
        alice_id = alice.tracker_id;
    }
    SyncService service;
    auto config = config_for(db->url());
    config.retry_max_ms = 2000;
    ASSERT_EQ(service.start(config, &seg.segment()), "");
    ASSERT_TRUE(eventually([&] { return service.metrics().full_loads.load() >= 1; }));
    testing::Announcer an(seg.segment());
    std::uint64_t up = 0, down = 0;
    auto traffic = [&](int n) {
        for (int i = 0; i < n; ++i) {
            up += 1000;
            down += 10;
            ASSERT_NE(an.announce(alice, movie, 1, up, down, 1u << 30), swarm::Outcome::failure);
        }
    };
    ASSERT_NE(an.announce(alice, movie, 1, 0, 0, 1u << 30, proto::Event::started), swarm::Outcome::failure);
    traffic(10);
    auto totals = [&] {
        auto conn = db->connect();
        return testing::user_totals(conn, alice_id);
    };
    ASSERT_TRUE(eventually([&] { return totals().uploaded == static_cast<std::int64_t>(up); }));

    cluster.stop();
    const auto failures = service.metrics().flush_failures.load();
    // The dataplane keeps serving all along; the ring fills, the rest folds into the accumulator.
    ASSERT_TRUE(eventually(
        [&] {
            traffic(5);
            return service.metrics().flush_failures.load() >= failures + 10;
        },
        std::chrono::seconds(120)));
    EXPECT_EQ(service.metrics().postgres_up.load(), 0u);
    traffic(100);
    cluster.start();

    ASSERT_TRUE(eventually([&] {
        try {
            return totals().uploaded == static_cast<std::int64_t>(up);
        } catch (const std::exception&) {
            return false;  // the server is still starting
        }
    }));
    service.stop();
    const auto t = totals();
    EXPECT_EQ(t, (testing::UserTotals{static_cast<std::int64_t>(up), static_cast<std::int64_t>(down),
                                      static_cast<std::int64_t>(up), static_cast<std::int64_t>(down)}));
    EXPECT_GT(service.metrics().accumulator_bytes.load(), 0u);
    db.reset();
}

}  // namespace
}  // namespace swarmline::control::sync
