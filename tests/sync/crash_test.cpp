// kill -9 of the process that flushes, at the two moments that matter (rows staged in an open
// transaction; transaction committed but rings not yet released), then a restart: every byte is
// counted exactly once.
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

#include "support/test_database.hpp"
#include "db/pg.hpp"
#include "sync/table_loader.hpp"
#include "sync_fixture.hpp"

extern char** environ;

namespace swarmline::control::sync {
namespace {

struct Child {
    pid_t pid = -1;
    FILE* out = nullptr;
};

// Starts the flusher process; its stdout comes back through a pipe.
Child spawn_child(const std::string& url, const std::string& dir, const std::string& stage) {
    const char* exe = std::getenv("SYNC_FLUSH_CHILD");
    EXPECT_NE(exe, nullptr) << "SYNC_FLUSH_CHILD is set by meson";
    int fds[2];
    EXPECT_EQ(pipe(fds), 0);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
    posix_spawn_file_actions_addclose(&fa, fds[0]);
    std::string a0 = exe, a1 = url, a2 = dir, a3 = stage;
    char* argv[] = {a0.data(), a1.data(), a2.data(), a3.data(), nullptr};
    Child c;
    EXPECT_EQ(posix_spawn(&c.pid, exe, &fa, nullptr, argv, environ), 0);
    posix_spawn_file_actions_destroy(&fa);
    close(fds[1]);
    c.out = fdopen(fds[0], "r");
    return c;
}

// The child's next line: its readiness signal ("at staged", "drained 7").
std::string next_line(Child& c) {
    char buf[256] = {};
    if (!std::fgets(buf, sizeof buf, c.out)) return "(eof)";
    std::string s(buf);
    if (!s.empty() && s.back() == '\n') s.pop_back();
    return s;
}

int finish(Child& c, bool kill_it) {
    if (kill_it) kill(c.pid, SIGKILL);
    int status = 0;
    waitpid(c.pid, &status, 0);
    std::fclose(c.out);
    return status;
}

class CrashTest : public swarmline::test::DatabaseTest {};

TEST_F(CrashTest, KillNineMidFlushThenRestartCountsEveryByteOnce) {
    testing::TestSegment seg;
    auto conn = database().connect();
    auto alice = testing::seed_user(conn, "alice");
    auto bob = testing::seed_user(conn, "bob");
    auto movie = testing::seed_torrent(conn, "movie");
    SyncMetrics metrics;
    db::Connection pg(database().url());
    TableLoader loader(seg.segment(), metrics);
    ASSERT_EQ(loader.load_all(pg), "");
    testing::Announcer an(seg.segment());
    ASSERT_NE(an.announce(alice, movie, 1, 0, 0, 0, proto::Event::started), swarm::Outcome::failure);
    ASSERT_NE(an.announce(bob, movie, 2, 0, 0, 500, proto::Event::started), swarm::Outcome::failure);
    ASSERT_NE(an.announce(alice, movie, 1, 300, 0, 0), swarm::Outcome::failure);
    ASSERT_NE(an.announce(bob, movie, 2, 0, 300, 200), swarm::Outcome::failure);

    // 1. Killed with the batch staged in an open transaction: nothing may be committed.
    auto c1 = spawn_child(database().url(), seg.dir().string(), "staged");
    ASSERT_EQ(next_line(c1), "at staged");
    finish(c1, true);
    EXPECT_EQ(testing::user_totals(conn, alice.tracker_id).uploaded, 0);
    EXPECT_EQ(conn.exec("SELECT count(*) FROM sync_ring_watermarks").get_int64(0, 0), 0);

    // 2. Killed right after COMMIT, before releasing the rings: committed, not released.
    auto c2 = spawn_child(database().url(), seg.dir().string(), "committed");
    ASSERT_EQ(next_line(c2), "at committed");
    finish(c2, true);
    EXPECT_EQ(testing::user_totals(conn, alice.tracker_id).uploaded, 300);
    EXPECT_EQ(testing::user_totals(conn, bob.tracker_id).downloaded, 300);
    EXPECT_EQ(seg.segment().event_ring(0).released() + seg.segment().event_ring(1).released(), 0u);

    // 3. More traffic, then a run to the end: the committed batch is skipped, the rest counted.
    ASSERT_NE(an.announce(alice, movie, 1, 800, 0, 0), swarm::Outcome::failure);
    ASSERT_NE(an.announce(bob, movie, 2, 0, 500, 0, proto::Event::completed), swarm::Outcome::failure);
    auto c3 = spawn_child(database().url(), seg.dir().string(), "none");
    EXPECT_EQ(next_line(c3), "drained 2");
    EXPECT_EQ(finish(c3, false), 0);
    EXPECT_EQ(seg.segment().event_ring(0).released() + seg.segment().event_ring(1).released(), 6u);

    EXPECT_EQ(testing::user_totals(conn, alice.tracker_id), (testing::UserTotals{800, 0, 800, 500 - 500}));
    EXPECT_EQ(testing::user_totals(conn, bob.tracker_id), (testing::UserTotals{0, 500, 0, 500}));
    EXPECT_EQ(conn.exec("SELECT count(*) FROM announces").get_int64(0, 0), 6);
    EXPECT_EQ(conn.exec("SELECT sum(last_seq) FROM sync_ring_watermarks").get_int64(0, 0), 6);
}

}  // namespace
}  // namespace swarmline::control::sync
