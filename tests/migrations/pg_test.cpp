// control/db/pg.hpp, the libpq layer the whole control process uses: parameters of each kind,
// typed getters, errors that carry SQLSTATE / constraint / position, and transactions that roll
// back unless committed. Also checks that TestDatabase drops what it creates.
#include <gtest/gtest.h>

#include <optional>
#include <stdexcept>
#include <vector>

#include "db/pg.hpp"
#include "support/test_database.hpp"

using namespace swarmline;

namespace {

class PgTest : public test::DatabaseTest {
protected:
    test::TestDatabase::Schema schema() const override { return test::TestDatabase::Schema::empty; }
};

}  // namespace

TEST_F(PgTest, ParametersAndGetters) {
    auto conn = database().connect();
    const std::vector<unsigned char> bytes = {0x00, 0x01, 0x5c, 0xff};  // NUL and backslash survive binary
    std::optional<std::string> absent;
    auto r = conn.exec_params("SELECT $1::text AS t, $2::bigint AS n, $3::bytea AS b, $4::text IS NULL AS isnull, "
                              "$5::boolean AS flag, $6::int AS small, $7::text AS opt",
                              {"héllo 'quoted'", std::int64_t{-9007199254740993}, db::Param::bytea(bytes), nullptr,
                               true, 7, absent});
    ASSERT_EQ(r.rows(), 1);
    EXPECT_EQ(r.get(0, r.column("t")), "héllo 'quoted'");
    EXPECT_EQ(r.get_int64(0, r.column("n")), -9007199254740993);
    EXPECT_EQ(r.get_bytea(0, r.column("b")), bytes);
    EXPECT_TRUE(r.get_bool(0, r.column("isnull")));
    EXPECT_TRUE(r.get_bool(0, r.column("flag")));
    EXPECT_EQ(r.get_int64(0, r.column("small")), 7);
    EXPECT_TRUE(r.is_null(0, r.column("opt")));
    EXPECT_FALSE(r.get_optional(0, r.column("opt")).has_value());
    EXPECT_THROW(r.column("missing"), db::Error);
    EXPECT_THROW(r.get(1, 0), db::Error) << "out-of-range cells are an error, not a crash";
    EXPECT_THROW(r.get_int64(0, r.column("t")), db::Error);
}

TEST_F(PgTest, ErrorsCarrySqlstateConstraintAndPosition) {
    auto conn = database().connect();
    conn.exec("CREATE TABLE things (name text CONSTRAINT things_name_key UNIQUE, n int CHECK (n > 0))");
    conn.exec_params("INSERT INTO things VALUES ($1, 1)", {"a"});
    try {
        conn.exec_params("INSERT INTO things VALUES ($1, 1)", {"a"});
        FAIL() << "duplicate accepted";
    } catch (const db::Error& e) {
        EXPECT_EQ(e.sqlstate(), db::sqlstate::unique_violation);
        EXPECT_EQ(e.constraint(), "things_name_key");
        EXPECT_NE(std::string(e.what()).find("Key (name)=(a) already exists"), std::string::npos) << e.what();
    }
    try {
        conn.exec("SELECT 1;\nSELECT nonsense FROM things");
        FAIL() << "bad column accepted";
    } catch (const db::Error& e) {
        EXPECT_EQ(e.sqlstate(), "42703");
        EXPECT_EQ(e.position(), 18) << "1-based character offset of 'nonsense' in the text sent";
    }
    // The connection stays usable after an error.
    EXPECT_EQ(conn.exec("SELECT count(*) FROM things").get_int64(0, 0), 1);
}

TEST_F(PgTest, TransactionsRollBackUnlessCommitted) {
    auto conn = database().connect();
    conn.exec("CREATE TABLE t (id int)");
    {
        db::Transaction tx(conn);
        conn.exec("INSERT INTO t VALUES (1)");
    }
    EXPECT_EQ(conn.exec("SELECT count(*) FROM t").get_int64(0, 0), 0);
    try {
        db::Transaction tx(conn);
        conn.exec("INSERT INTO t VALUES (2)");
        throw std::runtime_error("caller failed");
    } catch (const std::runtime_error&) {
    }
    EXPECT_EQ(conn.exec("SELECT count(*) FROM t").get_int64(0, 0), 0);
    {
        db::Transaction tx(conn);
        conn.exec("INSERT INTO t VALUES (3)");
        tx.commit();
    }
    EXPECT_EQ(conn.exec("SELECT count(*) FROM t").get_int64(0, 0), 1);
    EXPECT_EQ(conn.exec("UPDATE t SET id = 4").affected_rows(), 1u);
}

TEST_F(PgTest, EscapesIdentifiersAndLiterals) {
    auto conn = database().connect();
    const std::string name = "odd \"table\"";
    conn.exec("CREATE TABLE " + conn.escape_identifier(name) + " (v text)");
    conn.exec("INSERT INTO " + conn.escape_identifier(name) + " VALUES (" + conn.escape_literal("it's") + ")");
    EXPECT_EQ(conn.exec("SELECT v FROM " + conn.escape_identifier(name)).get(0, 0), "it's");
}

TEST(PgConnect, RefusedConnectionIsAClearError) {
    try {
        db::Connection conn("host=/nonexistent/socket/dir port=1 dbname=x connect_timeout=2");
        FAIL() << "connected to nothing";
    } catch (const db::Error& e) {
        EXPECT_NE(std::string(e.what()).find("cannot connect to PostgreSQL"), std::string::npos) << e.what();
        EXPECT_EQ(e.sqlstate(), "");
    }
}

TEST(TestDatabaseFixture, DropsWhatItCreates) {
    SWARMLINE_REQUIRE_TEST_DATABASE();
    std::string name;
    {
        test::TestDatabase db;
        name = db.name();
        auto conn = db.connect();
        EXPECT_EQ(conn.exec("SELECT current_database()").get(0, 0), name);
        EXPECT_GE(conn.exec("SELECT count(*) FROM _sqlx_migrations WHERE success").get_int64(0, 0), 36)
            << "a migrated database has every migration applied";
    }
    db::Connection admin(test::admin_database_url());
    EXPECT_EQ(admin.exec_params("SELECT count(*) FROM pg_database WHERE datname = $1", {name}).get_int64(0, 0), 0);
}
