// The migrated schema: the Statistics section's counts, the default rows, constraints that refuse
// bad rows, the triggers other parts rely on, and the time partitions.
#include <gtest/gtest.h>

#include <cstdio>
#include <string>

#include "db/pg.hpp"
#include "support/test_database.hpp"

using namespace swarmline;

namespace {

class SchemaTest : public test::DatabaseTest {
protected:
    void SetUp() override {
        test::DatabaseTest::SetUp();
        if (IsSkipped()) return;
        conn_.emplace(database().connect());
    }
    db::Connection& conn() { return *conn_; }
    std::int64_t count(const std::string& sql) { return conn().exec(sql).get_int64(0, 0); }

    // Inserts a user and returns its id.
    std::string add_user(const std::string& name, const std::string& passkey) {
        return std::string(conn()
                               .exec_params("INSERT INTO users (username, email, password_hash, passkey, rss_key, group_id) "
                                            "SELECT $1, $1 || '@example.org', 'argon2id-hash', $2, md5($1), id "
                                            "FROM user_groups WHERE slug = 'member' RETURNING id",
                                            {name, passkey})
                               .get(0, 0));
    }
    std::string add_torrent(const std::string& name, const std::string& info_hash_hex) {
        return std::string(conn()
                               .exec_params("INSERT INTO torrents (info_hash, name, category_id, size) "
                                            "SELECT decode($2, 'hex'), $1, id, 1024 FROM torrent_categories "
                                            "WHERE slug = 'movies-hd' RETURNING id",
                                            {name, info_hash_hex})
                               .get(0, 0));
    }

    // Runs `sql` and returns the SQLSTATE it failed with ("" when it succeeded), recording the
    // constraint it named.
    std::string failure(const std::string& sql, std::string* constraint = nullptr) {
        try {
            conn().exec("SAVEPOINT attempt; " + sql + "; RELEASE SAVEPOINT attempt");
            return "";
        } catch (const db::Error& e) {
            conn().exec("ROLLBACK TO SAVEPOINT attempt; RELEASE SAVEPOINT attempt");
            if (constraint) *constraint = e.constraint();
            return e.sqlstate();
        }
    }

private:
    std::optional<db::Connection> conn_;
};

constexpr const char* kPasskey = "abcdefghijklmnopqrstuvwxyz012345";
constexpr const char* kHashA = "0123456789abcdef0123456789abcdef01234567";

}  // namespace

TEST_F(SchemaTest, MeetsTheStatisticsSection) {
    // Partitions and their cloned indexes and keys are not counted: each is declared once.
    const std::int64_t tables = count(
        "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND NOT c.relispartition "
        "AND c.relname <> '_sqlx_migrations'");
    const std::int64_t indexes = count(
        "SELECT count(*) FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid "
        "JOIN pg_namespace n ON n.oid = t.relnamespace "
        "WHERE n.nspname = 'public' AND NOT t.relispartition AND t.relname <> '_sqlx_migrations'");
    const std::int64_t foreign_keys = count(
        "SELECT count(*) FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid "
        "JOIN pg_namespace n ON n.oid = t.relnamespace "
        "WHERE c.contype = 'f' AND n.nspname = 'public' AND NOT t.relispartition");
    // Every row of every table right after migrating is a default row.
    const std::int64_t default_rows = count(
        "SELECT sum((xpath('/row/n/text()', query_to_xml(format('SELECT count(*) AS n FROM %I.%I', "
        "n.nspname, c.relname), false, true, '')))[1]::text::bigint) "
        "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND NOT c.relispartition "
        "AND c.relname <> '_sqlx_migrations'");
    std::printf("schema: %lld tables, %lld indexes, %lld foreign keys, %lld default rows\n",
                static_cast<long long>(tables), static_cast<long long>(indexes),
                static_cast<long long>(foreign_keys), static_cast<long long>(default_rows));
    EXPECT_GE(tables, 44);
    EXPECT_GE(indexes, 300);
    EXPECT_GE(foreign_keys, 100);
    EXPECT_GE(default_rows, 30);
    EXPECT_EQ(count("SELECT count(*) FROM pg_extension WHERE extname IN ('uuid-ossp', 'pg_trgm', 'btree_gin')"), 3);
}

TEST_F(SchemaTest, EveryForeignKeyHasAnIndex) {
    // Without one, deleting or re-keying a referenced row scans the referencing table.
    auto missing = conn().exec(
        "SELECT c.conrelid::regclass || '(' || string_agg(a.attname, ',') || ')' "
        "FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid "
        "JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = ANY (c.conkey) "
        "WHERE c.contype = 'f' AND NOT t.relispartition AND NOT EXISTS ("
        "  SELECT 1 FROM pg_index i WHERE i.indrelid = c.conrelid "
        "  AND (i.indkey::int2[])[0:cardinality(c.conkey) - 1] @> c.conkey) "
        "GROUP BY c.conrelid, c.conname ORDER BY 1");
    for (int i = 0; i < missing.rows(); ++i) ADD_FAILURE() << "foreign key without an index: " << missing.get(i, 0);
}

TEST_F(SchemaTest, DefaultRows) {
    EXPECT_EQ(count("SELECT count(*) FROM user_groups"), 13);
    EXPECT_EQ(count("SELECT count(*) FROM user_groups WHERE name IN ('Banned', 'Member', 'Power User', 'Elite', "
                    "'Torrent Master', 'VIP', 'Uploader', 'Moderator', 'Administrator', 'Sysop')"),
              10);
    EXPECT_EQ(conn().exec("SELECT name FROM user_groups ORDER BY level DESC LIMIT 1").get(0, 0), "Sysop");
    EXPECT_EQ(conn().exec("SELECT slug FROM user_groups WHERE is_default").get(0, 0), "member");
    EXPECT_TRUE(conn().exec("SELECT is_admin AND is_staff AND can_manage_site FROM user_groups WHERE slug = 'sysop'").get_bool(0, 0));
    EXPECT_FALSE(conn().exec("SELECT can_login OR can_download FROM user_groups WHERE slug = 'banned'").get_bool(0, 0));
    EXPECT_GE(count("SELECT count(*) FROM torrent_categories WHERE parent_id IS NULL"), 6);
    EXPECT_GE(count("SELECT count(*) FROM torrent_categories WHERE parent_id IS NOT NULL"), 10);
    EXPECT_GE(count("SELECT count(*) FROM forums"), 5);
    EXPECT_GE(count("SELECT count(*) FROM bonus_rules WHERE is_active"), 5);
}

TEST_F(SchemaTest, AccountConstraints) {
    conn().exec("BEGIN");
    add_user("alice", kPasskey);
    std::string constraint;
    EXPECT_EQ(failure("INSERT INTO users (username, email, password_hash, passkey, rss_key, group_id) "
                      "VALUES ('bob', 'bob@example.org', 'h', 'abcdefghijklmnopqrstuvwxyz012345', md5('bob'), 4)",
                      &constraint),
              db::sqlstate::unique_violation);
    EXPECT_EQ(constraint, "users_passkey_key");
    EXPECT_EQ(failure("INSERT INTO users (username, email, password_hash, passkey, rss_key, group_id) "
                      "VALUES ('bob', 'bob@example.org', 'h', 'short', md5('bob'), 4)", &constraint),
              db::sqlstate::check_violation);
    EXPECT_EQ(constraint, "users_passkey_format");
    EXPECT_EQ(failure("INSERT INTO users (username, email, password_hash, passkey, rss_key, group_id) "
                      "VALUES ('bob', 'bob@example.org', 'h', 'abcdefghijklmnopqrstuvwxyz01234!', md5('bob'), 4)"),
              db::sqlstate::check_violation)
        << "a passkey is 32 characters of [0-9a-zA-Z]";
    EXPECT_EQ(failure("INSERT INTO users (username, email, password_hash, passkey, rss_key, group_id) "
                      "VALUES ('ALICE', 'other@example.org', 'h', md5('x'), md5('y'), 4)", &constraint),
              db::sqlstate::unique_violation);
    EXPECT_EQ(constraint, "users_username_key") << "usernames are unique regardless of case";
    EXPECT_EQ(failure("INSERT INTO users (username, email, password_hash, passkey, rss_key, group_id) "
                      "VALUES ('carol', 'carol@example.org', 'h', md5('c'), md5('d'), 9999)"),
              db::sqlstate::foreign_key_violation);
    EXPECT_EQ(failure("UPDATE user_statistics SET bonus_points = -1"), db::sqlstate::check_violation);
    EXPECT_EQ(failure("UPDATE user_statistics SET uploaded = -5"), db::sqlstate::check_violation);
    EXPECT_EQ(failure("UPDATE users SET is_enabled = true"), "428C9") << "is_enabled is generated from status";
    conn().exec("ROLLBACK");
}

TEST_F(SchemaTest, TorrentConstraints) {
    conn().exec("BEGIN");
    add_torrent("first", kHashA);
    std::string constraint;
    EXPECT_EQ(failure("INSERT INTO torrents (info_hash, name, category_id, size) VALUES (decode('0123', 'hex'), 'x', 1, 1)"),
              db::sqlstate::check_violation)
        << "a v1 info_hash is 20 bytes";
    EXPECT_EQ(failure(std::string("INSERT INTO torrents (info_hash, name, category_id, size) VALUES (decode('") + kHashA +
                          "', 'hex'), 'dup', 1, 1)", &constraint),
              db::sqlstate::unique_violation);
    EXPECT_EQ(constraint, "torrents_info_hash_key");
    EXPECT_EQ(failure("INSERT INTO torrents (info_hash, info_hash_v2, name, category_id, size) VALUES "
                      "(decode(repeat('11', 20), 'hex'), decode(repeat('22', 20), 'hex'), 'x', 1, 1)"),
              db::sqlstate::check_violation)
        << "a v2 info_hash is 32 bytes";
    EXPECT_EQ(failure("UPDATE torrents SET freeleech_percentage = 101"), db::sqlstate::check_violation);
    EXPECT_EQ(failure("UPDATE torrents SET status = 'published'"), db::sqlstate::check_violation);
    EXPECT_EQ(failure("UPDATE torrents SET seeders = -1"), db::sqlstate::check_violation);
    EXPECT_EQ(conn().exec("SELECT status FROM torrents").get(0, 0), "pending") << "uploads start pending";
    EXPECT_EQ(count("SELECT count(*) FROM torrents WHERE search_vector @@ plainto_tsquery('simple', 'first')"), 1)
        << "the search vector is maintained";
    conn().exec("ROLLBACK");
}

TEST_F(SchemaTest, PeerAndBonusConstraints) {
    conn().exec("BEGIN");
    std::string user = add_user("alice", kPasskey);
    std::string torrent = add_torrent("first", kHashA);
    auto insert_peer = [&](const std::string& peer_id_hex, const std::string& port) {
        return failure("INSERT INTO peers (torrent_id, user_id, peer_id, ip, port) VALUES ('" + torrent + "', '" + user +
                       "', decode('" + peer_id_hex + "', 'hex'), '192.0.2.1', " + port + ")");
    };
    const std::string peer = "2d71423436303041" "2d2d2d2d2d2d2d2d2d2d2d2d";  // 20 bytes
    EXPECT_EQ(insert_peer(peer, "6881"), "");
    EXPECT_EQ(insert_peer(peer, "6882"), db::sqlstate::unique_violation) << "one row per (torrent, user, peer_id)";
    EXPECT_EQ(insert_peer("2d7142", "6881"), db::sqlstate::check_violation) << "peer_id is 20 bytes";
    EXPECT_EQ(insert_peer("2d71423436303041" "2d2d2d2d2d2d2d2d2d2d2d2e", "0"), db::sqlstate::check_violation);
    EXPECT_EQ(failure("INSERT INTO bonus_transactions (user_id, amount, balance_after, transaction_type) VALUES ('" + user +
                      "', 10, -1, 'earned')"),
              db::sqlstate::check_violation)
        << "a balance never goes negative";
    EXPECT_EQ(failure("INSERT INTO bonus_transactions (user_id, amount, balance_after, transaction_type) VALUES ('" + user +
                      "', 10, 10, 'spent')"),
              db::sqlstate::check_violation)
        << "spending is a negative amount";
    conn().exec("ROLLBACK");
}

TEST_F(SchemaTest, TriggersKeepDerivedRows) {
    conn().exec("BEGIN");
    std::string alice = add_user("alice", kPasskey);
    std::string bob = std::string(conn()
                                      .exec_params("INSERT INTO users (username, email, password_hash, passkey, rss_key, group_id, invited_by) "
                                                   "VALUES ('bob', 'bob@example.org', 'h', md5('b'), md5('bb'), 4, $1) RETURNING id",
                                                   {alice})
                                      .get(0, 0));
    EXPECT_EQ(count("SELECT count(*) FROM user_statistics"), 2) << "one statistics row per user";
    EXPECT_EQ(count("SELECT count(*) FROM user_privacy"), 2) << "one privacy row per user";
    EXPECT_EQ(conn().exec_params("SELECT depth FROM invite_tree WHERE ancestor_id = $1 AND descendant_id = $2",
                                 {alice, bob}).get_int64(0, 0), 1);
    EXPECT_GT(conn().exec_params("SELECT tracker_id FROM users WHERE id = $1", {bob}).get_int64(0, 0),
              conn().exec_params("SELECT tracker_id FROM users WHERE id = $1", {alice}).get_int64(0, 0));
    conn().exec("ROLLBACK");
}

TEST_F(SchemaTest, TimePartitions) {
    // The migrations made the current and next month and a DEFAULT partition for each table.
    for (const char* table : {"announces", "peer_history", "audit_logs"}) {
        auto parts = conn().exec_params(
            "SELECT count(*) FILTER (WHERE pg_get_expr(c.relpartbound, c.oid) = 'DEFAULT'), "
            "       count(*) FILTER (WHERE c.relname = $1 || '_p' || to_char(now() AT TIME ZONE 'UTC', 'YYYYMM')), "
            "       count(*) FILTER (WHERE c.relname = $1 || '_p' || to_char((now() AT TIME ZONE 'UTC') + interval '1 month', 'YYYYMM')) "
            "FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = $1::regclass",
            {table});
        EXPECT_EQ(parts.get_int64(0, 0), 1) << table << " has a DEFAULT partition";
        EXPECT_EQ(parts.get_int64(0, 1), 1) << table << " has this month's partition";
        EXPECT_EQ(parts.get_int64(0, 2), 1) << table << " has next month's partition";
    }
    EXPECT_EQ(count("SELECT create_upcoming_partitions()"), 0) << "they exist already";

    // A row for a month without a partition lands in DEFAULT; making its partition moves it there.
    conn().exec("INSERT INTO audit_logs (action, created_at) VALUES ('test.far_future', '2031-07-15T12:00:00Z')");
    EXPECT_EQ(conn().exec("SELECT tableoid::regclass::text FROM audit_logs WHERE action = 'test.far_future'").get(0, 0),
              "audit_logs_default");
    EXPECT_EQ(count("SELECT create_monthly_partitions('audit_logs', '2031-06-01', 3)"), 3);
    EXPECT_EQ(conn().exec("SELECT tableoid::regclass::text FROM audit_logs WHERE action = 'test.far_future'").get(0, 0),
              "audit_logs_p203107");
    EXPECT_EQ(count("SELECT count(*) FROM audit_logs_default"), 0);
    EXPECT_EQ(count("SELECT create_monthly_partitions('audit_logs', '2031-06-01', 3)"), 0) << "idempotent";
    // Partitions made later carry the parent's indexes and constraints.
    EXPECT_EQ(count("SELECT count(*) FROM pg_indexes WHERE tablename = 'audit_logs_p203107'"),
              count("SELECT count(*) FROM pg_indexes WHERE tablename = 'audit_logs_default'"));
    // Retention drops whole months that ended by the cut-off, and nothing else.
    const std::string partitions = "SELECT count(*) FROM pg_inherits WHERE inhparent = 'audit_logs'::regclass";
    const std::int64_t before = count(partitions);
    const std::int64_t dropped = count("SELECT drop_monthly_partitions_before('audit_logs', '2031-07-01')");
    EXPECT_EQ(count(partitions), before - dropped);
    EXPECT_EQ(count("SELECT count(*) FROM pg_class WHERE relname = 'audit_logs_p203106'"), 0) << "June ended";
    EXPECT_EQ(count("SELECT count(*) FROM pg_class WHERE relname = 'audit_logs_p203107'"), 1) << "July has not";
    EXPECT_EQ(count("SELECT count(*) FROM audit_logs WHERE action = 'test.far_future'"), 1);
    EXPECT_EQ(count("SELECT drop_monthly_partitions_before('audit_logs', '2031-07-31')"), 0) << "July ends on Aug 1";
    EXPECT_EQ(count("SELECT count(*) FROM pg_class WHERE relname = 'audit_logs_default'"), 1);

    conn().exec("BEGIN");
    EXPECT_EQ(failure("INSERT INTO audit_logs (action, created_at) VALUES ('Not A Valid Action', '2031-07-16')"),
              db::sqlstate::check_violation);
    conn().exec("ROLLBACK");
}
