// PostgreSQL -> segment tables through the TableLoader alone (no threads): what a notification
// reloads, and keys that move from one row to another.
#include "sync/table_loader.hpp"

#include <gtest/gtest.h>

#include "support/test_database.hpp"
#include "sync_fixture.hpp"

namespace swarmline::control::sync {
namespace {

class TableLoaderTest : public swarmline::test::DatabaseTest {
protected:
    static shm::Passkey key(const std::string& s) {
        shm::Passkey k{};
        std::copy(s.begin(), s.end(), k.begin());
        return k;
    }
    SyncMetrics metrics;
};

TEST_F(TableLoaderTest, TwoAccountsSwappingPasskeysKeepBoth) {
    testing::TestSegment seg;
    auto conn = database().connect();
    auto alice = testing::seed_user(conn, "alice");
    auto bob = testing::seed_user(conn, "bob");
    db::Connection pg(database().url());
    TableLoader loader(seg.segment(), metrics);
    ASSERT_EQ(loader.load_all(pg), "");
    auto& users = seg.segment().users();
    ASSERT_EQ(users.find(key(alice.passkey))->user_id, alice.tracker_id);

    conn.exec("BEGIN");
    conn.exec("UPDATE users SET passkey = repeat('t', 32) WHERE username = 'alice'");
    conn.exec_params("UPDATE users SET passkey = $1 WHERE username = 'bob'", {alice.passkey});
    conn.exec_params("UPDATE users SET passkey = $1 WHERE username = 'alice'", {bob.passkey});
    conn.exec("COMMIT");
    ChangeSet changes;
    changes.add("u:" + std::to_string(alice.tracker_id));
    changes.add("u:" + std::to_string(bob.tracker_id));
    ASSERT_EQ(loader.apply(pg, changes), "");

    ASSERT_TRUE(users.find(key(alice.passkey)));
    ASSERT_TRUE(users.find(key(bob.passkey)));
    EXPECT_EQ(users.find(key(alice.passkey))->user_id, bob.tracker_id);
    EXPECT_EQ(users.find(key(bob.passkey))->user_id, alice.tracker_id);
    EXPECT_EQ(users.size(), 2u);
}

TEST_F(TableLoaderTest, EntriesCarryTheGroupRightsAndTheTorrentPromotions) {
    testing::TestSegment seg;
    auto conn = database().connect();
    auto alice = testing::seed_user(conn, "alice");
    auto movie = testing::seed_torrent(conn, "movie");
    conn.exec("UPDATE users SET group_id = (SELECT id FROM user_groups WHERE slug = 'internal'), "
              "freeleech_until = now() + interval '1 hour'");
    conn.exec("UPDATE torrents SET freeleech_percentage = 50, double_upload = true");
    db::Connection pg(database().url());
    TableLoader loader(seg.segment(), metrics);
    ASSERT_EQ(loader.load_all(pg), "");

    auto u = seg.segment().users().find(key(alice.passkey));
    ASSERT_TRUE(u);
    EXPECT_TRUE(u->flags & shm::kUserGroupFreeleech);
    EXPECT_TRUE(u->flags & shm::kUserDoubleUpload);
    EXPECT_TRUE(u->flags & shm::kUserCanLeech);
    EXPECT_FALSE(u->flags & shm::kUserDisabled);
    EXPECT_GT(u->personal_freeleech_until, 0u);
    auto t = seg.segment().torrents().find(movie.info_hash);
    ASSERT_TRUE(t);
    EXPECT_EQ(t->torrent_id, movie.tracker_id);
    EXPECT_EQ(t->state, shm::TorrentState::active);
    EXPECT_EQ(t->freeleech_pct, 50);
    EXPECT_EQ(t->upload_factor_pct, 200);

    // Gone from PostgreSQL, gone from the segment at the next full load.
    conn.exec("DELETE FROM torrents");
    ASSERT_EQ(loader.load_all(pg), "");
    EXPECT_FALSE(seg.segment().torrents().find(movie.info_hash));
}

}  // namespace
}  // namespace swarmline::control::sync
