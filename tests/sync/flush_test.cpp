// Announces through the dataplane's Gate and Shards, drained by the Flusher into a real PostgreSQL:
// user_statistics must hold exactly the bytes announced, whatever path they took (ring or
// accumulator) and however often the flush is interrupted.
#include <gtest/gtest.h>

#include <chrono>
#include <optional>
#include <thread>

#include "support/test_database.hpp"
#include "sync/flusher.hpp"
#include "sync/table_loader.hpp"
#include "sync_fixture.hpp"

namespace swarmline::control::sync {
namespace {

using testing::Announcer;
using testing::TestSegment;

class FlushTest : public swarmline::test::DatabaseTest {
protected:
    std::size_t flush_all(Flusher& f, db::Connection& pg) {
        std::size_t total = 0, n = 0;
        do {
            auto err = f.flush_once(pg, n);
            EXPECT_EQ(err, "");
            if (!err.empty()) break;
            total += n;
        } while (n > 0);
        return total;
    }
    SyncMetrics metrics;
};

TEST_F(FlushTest, UserStatisticsHoldExactlyTheAnnouncedBytes) {
    TestSegment seg;
    auto conn = database().connect();
    auto alice = testing::seed_user(conn, "alice");
    auto bob = testing::seed_user(conn, "bob");
    auto movie = testing::seed_torrent(conn, "movie");
    auto album = testing::seed_torrent(conn, "album");

    db::Connection pg(database().url());
    TableLoader loader(seg.segment(), metrics);
    ASSERT_EQ(loader.load_all(pg), "");

    Flusher flusher(seg.segment(), {}, metrics);
    ASSERT_EQ(flusher.resume(pg), "");
    auto member = [&](const testing::SeededUser& u) {
        return conn.exec_params("SELECT s.seeding_count, s.leeching_count, s.snatched_count, s.seedtime_seconds "
                                "FROM user_statistics s JOIN users u ON u.id = s.user_id WHERE u.tracker_id = $1",
                                {static_cast<std::int64_t>(u.tracker_id)});
    };
    auto torrent = [&](const testing::SeededTorrent& t) {
        return conn.exec_params(
            "SELECT s.seeders, s.leechers, s.snatches, s.peak_seeders, s.peak_leechers, s.total_uploaded, "
            "s.total_downloaded, s.is_dead, s.last_completed_at IS NOT NULL "
            "FROM torrent_statistics s JOIN torrents t ON t.id = s.torrent_id "
            "WHERE t.tracker_id = $1",
            {static_cast<std::int64_t>(t.tracker_id)});
    };

    Announcer an(seg.segment());
    // bob seeds the movie; alice downloads it from him (each announce is 1000 s after the one
    // before: a seeder's next announce accrues that much seedtime)...
    ASSERT_NE(an.announce(bob, movie, 2, 0, 0, 0, proto::Event::started), swarm::Outcome::failure);
    ASSERT_NE(an.announce(alice, movie, 1, 0, 0, 1000000, proto::Event::started), swarm::Outcome::failure);
    ASSERT_NE(an.announce(alice, movie, 1, 1234, 400000, 600000), swarm::Outcome::failure);
    EXPECT_EQ(flush_all(flusher, pg), 3u);
    auto leeching = member(alice);
    EXPECT_EQ(leeching.get_int64(0, 0), 0);
    EXPECT_EQ(leeching.get_int64(0, 1), 1);
    EXPECT_EQ(member(bob).get_int64(0, 0), 1);
    auto halfway = torrent(movie);
    EXPECT_EQ(halfway.get_int64(0, 0), 1);
    EXPECT_EQ(halfway.get_int64(0, 1), 1);
    EXPECT_EQ(halfway.get_int64(0, 2), 0);
    EXPECT_EQ(halfway.get_int64(0, 5), 1234);
    EXPECT_EQ(halfway.get_int64(0, 6), 400000);

    // ... completes, then stops.
    ASSERT_NE(an.announce(bob, movie, 2, 400000, 0, 0), swarm::Outcome::failure);
    ASSERT_NE(an.announce(alice, movie, 1, 5678, 1000000, 0, proto::Event::completed), swarm::Outcome::failure);
    ASSERT_NE(an.announce(bob, movie, 2, 1000000, 0, 0), swarm::Outcome::failure);
    ASSERT_NE(an.announce(alice, movie, 1, 9999, 1000000, 0, proto::Event::stopped), swarm::Outcome::failure);
    // alice also seeds the album
    ASSERT_NE(an.announce(alice, album, 3, 0, 0, 0, proto::Event::started), swarm::Outcome::failure);
    ASSERT_NE(an.announce(alice, album, 3, 777, 0, 0), swarm::Outcome::failure);

    EXPECT_EQ(flush_all(flusher, pg), 6u);

    EXPECT_EQ(testing::user_totals(conn, alice.tracker_id), (testing::UserTotals{9999 + 777, 1000000, 9999 + 777, 1000000}));
    EXPECT_EQ(testing::user_totals(conn, bob.tracker_id), (testing::UserTotals{1000000, 0, 1000000, 0}));

    // The swarm as the site sees it: bob seeds the movie, alice left it and seeds the album.
    auto counts = conn.exec_params("SELECT seeders, leechers, times_completed FROM torrents WHERE tracker_id = $1",
                                   {static_cast<std::int64_t>(movie.tracker_id)});
    EXPECT_EQ(counts.get_int64(0, 0), 1);
    EXPECT_EQ(counts.get_int64(0, 1), 0);
    EXPECT_EQ(counts.get_int64(0, 2), 1);
    auto snatch = conn.exec_params(
        "SELECT count(*) FROM snatches s JOIN users u ON u.id = s.user_id WHERE u.tracker_id = $1 AND completed_at IS NOT NULL",
        {static_cast<std::int64_t>(alice.tracker_id)});
    EXPECT_EQ(snatch.get_int64(0, 0), 1);
    EXPECT_EQ(conn.exec("SELECT count(*) FROM announces").get_int64(0, 0), 9);
    EXPECT_EQ(conn.exec("SELECT count(*) FROM peers").get_int64(0, 0), 2);
    // Seedtime: alice seeded the movie from her completion to her stop (2000 s) and the album
    // between its two announces (1000 s); bob from each of his announces to the next (3000 + 2000 s).
    auto stats = member(alice);
    EXPECT_EQ(stats.get_int64(0, 0), 1);
    EXPECT_EQ(stats.get_int64(0, 1), 0);
    EXPECT_EQ(stats.get_int64(0, 2), 1);
    EXPECT_EQ(stats.get_int64(0, 3), 3000);
    auto seeder = member(bob);
    EXPECT_EQ(seeder.get_int64(0, 0), 1);
    EXPECT_EQ(seeder.get_int64(0, 1), 0);
    EXPECT_EQ(seeder.get_int64(0, 3), 5000);
    // torrent_statistics: the swarm now, its peaks, and every byte moved on each torrent.
    auto film = torrent(movie);
    EXPECT_EQ(film.get_int64(0, 0), 1);
    EXPECT_EQ(film.get_int64(0, 1), 0);
    EXPECT_EQ(film.get_int64(0, 2), 1);
    EXPECT_EQ(film.get_int64(0, 3), 1);
    EXPECT_EQ(film.get_int64(0, 4), 1) << "alice leeched while the first batch was flushed";
    EXPECT_EQ(film.get_int64(0, 5), 9999 + 1000000);
    EXPECT_EQ(film.get_int64(0, 6), 1000000);
    EXPECT_FALSE(film.get_bool(0, 7));
    EXPECT_TRUE(film.get_bool(0, 8));
    auto record = torrent(album);
    EXPECT_EQ(record.get_int64(0, 0), 1);
    EXPECT_EQ(record.get_int64(0, 2), 0);
    EXPECT_EQ(record.get_int64(0, 5), 777);
    EXPECT_EQ(record.get_int64(0, 6), 0);
    EXPECT_FALSE(record.get_bool(0, 8));
    EXPECT_EQ(metrics.events_flushed.load(), 9u);

    ASSERT_EQ(flusher.snapshot_peers(pg), "");
    EXPECT_EQ(conn.exec("SELECT count(*) FROM peer_history").get_int64(0, 0), 2);
}

// A flush that dies after COMMIT but before the rings are released: the next run must skip what
// was committed, and still take what was not.
TEST_F(FlushTest, ACommittedButUnreleasedBatchIsNotCountedTwice) {
    TestSegment seg;
    auto conn = database().connect();
    auto alice = testing::seed_user(conn, "alice");
    auto movie = testing::seed_torrent(conn, "movie");
    db::Connection pg(database().url());
    TableLoader loader(seg.segment(), metrics);
    ASSERT_EQ(loader.load_all(pg), "");
    Announcer an(seg.segment());
    ASSERT_NE(an.announce(alice, movie, 1, 0, 0, 0, proto::Event::started), swarm::Outcome::failure);
    ASSERT_NE(an.announce(alice, movie, 1, 1000, 0, 0), swarm::Outcome::failure);

    struct Crash {};
    {
        Flusher doomed(seg.segment(), {}, metrics);
        ASSERT_EQ(doomed.resume(pg), "");
        doomed.probe = [](FlushStage s) {
            if (s == FlushStage::committed) throw Crash{};
        };
        std::size_t n = 0;
        EXPECT_THROW((void)doomed.flush_once(pg, n), Crash);
    }
    EXPECT_EQ(seg.segment().event_ring(0).released() + seg.segment().event_ring(1).released(), 0u);
    ASSERT_NE(an.announce(alice, movie, 1, 3000, 0, 0), swarm::Outcome::failure);

    Flusher next(seg.segment(), {}, metrics);
    ASSERT_EQ(next.resume(pg), "");
    EXPECT_EQ(flush_all(next, pg), 1u);  // only the announce made after the crash
    EXPECT_EQ(testing::user_totals(conn, alice.tracker_id).uploaded, 3000);
}

// A flush that fails before COMMIT leaves nothing behind and releases nothing.
TEST_F(FlushTest, ABatchThatFailsBeforeCommitIsRetriedWhole) {
    TestSegment seg;
    auto conn = database().connect();
    auto alice = testing::seed_user(conn, "alice");
    auto movie = testing::seed_torrent(conn, "movie");
    db::Connection pg(database().url());
    TableLoader loader(seg.segment(), metrics);
    ASSERT_EQ(loader.load_all(pg), "");
    Announcer an(seg.segment());
    ASSERT_NE(an.announce(alice, movie, 1, 0, 0, 0, proto::Event::started), swarm::Outcome::failure);
    ASSERT_NE(an.announce(alice, movie, 1, 1000, 0, 0), swarm::Outcome::failure);

    Flusher f(seg.segment(), {}, metrics);
    ASSERT_EQ(f.resume(pg), "");
    // Break the transaction from inside: the statement after the COPYs fails.
    conn.exec("ALTER TABLE user_statistics ADD CONSTRAINT test_refuse CHECK (uploaded < 1000)");
    std::size_t n = 0;
    EXPECT_NE(f.flush_once(pg, n), "");
    EXPECT_EQ(testing::user_totals(conn, alice.tracker_id).uploaded, 0);
    conn.exec("ALTER TABLE user_statistics DROP CONSTRAINT test_refuse");

    ASSERT_EQ(f.resume(pg), "");
    EXPECT_EQ(flush_all(f, pg), 2u);
    EXPECT_EQ(testing::user_totals(conn, alice.tracker_id).uploaded, 1000);
}

// With an event ring of 16 records, most announces overflow into the shard's accumulator: the
// totals must still be exact, and a second drain must add nothing.
TEST_F(FlushTest, AccumulatedOverflowIsCountedOnce) {
    TestSegment seg(1, 16);
    auto conn = database().connect();
    auto alice = testing::seed_user(conn, "alice");
    auto movie = testing::seed_torrent(conn, "movie");
    db::Connection pg(database().url());
    TableLoader loader(seg.segment(), metrics);
    ASSERT_EQ(loader.load_all(pg), "");
    Announcer an(seg.segment());
    std::uint64_t up = 0;
    ASSERT_NE(an.announce(alice, movie, 1, 0, 0, 0, proto::Event::started), swarm::Outcome::failure);
    for (int i = 0; i < 200; ++i) {
        up += 1000 + static_cast<std::uint64_t>(i);
        ASSERT_NE(an.announce(alice, movie, 1, up, 0, 0), swarm::Outcome::failure);
    }
    Flusher f(seg.segment(), {}, metrics);
    ASSERT_EQ(f.resume(pg), "");
    flush_all(f, pg);
    EXPECT_EQ(testing::user_totals(conn, alice.tracker_id).uploaded, static_cast<std::int64_t>(up));
    EXPECT_GT(metrics.accumulator_bytes.load(), 0u);

    // More announces after the drain, then a new Flusher (a restarted control) that must start
    // from the committed accumulator values, not from zero.
    for (int i = 0; i < 50; ++i) {
        up += 10;
        ASSERT_NE(an.announce(alice, movie, 1, up, 0, 0), swarm::Outcome::failure);
    }
    Flusher again(seg.segment(), {}, metrics);
    ASSERT_EQ(again.resume(pg), "");
    flush_all(again, pg);
    flush_all(again, pg);
    EXPECT_EQ(testing::user_totals(conn, alice.tracker_id).uploaded, static_cast<std::int64_t>(up));
}

// Two control processes on one segment: the second one's flusher waits for the first's session.
TEST_F(FlushTest, OneFlusherPerSegment) {
    TestSegment seg;
    std::optional<db::Connection> first(std::in_place, database().url());
    db::Connection second(database().url());
    Flusher a(seg.segment(), {}, metrics), b(seg.segment(), {}, metrics);
    ASSERT_EQ(a.resume(*first), "");
    EXPECT_NE(b.resume(second), "");
    first.reset();  // the first session ends; its backend lets go of the lock as it exits
    std::string err;
    for (int attempt = 0; attempt < 500 && !(err = b.resume(second)).empty(); ++attempt)
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    EXPECT_EQ(err, "");
}

}  // namespace
}  // namespace swarmline::control::sync
