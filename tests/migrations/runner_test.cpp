// The migration runner against a real PostgreSQL: applies everything once, records what SQLx
// records, refuses changed or missing migrations, rolls a failing one back, serialises concurrent
// runners, and the `swarmline-control migrate` command reports it.
#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <thread>

#include "db/migrator.hpp"
#include "support/test_database.hpp"

namespace fs = std::filesystem;
using namespace swarmline;
using swarmline::test::TestDatabase;

namespace {

class EmptyDatabaseTest : public test::DatabaseTest {
protected:
    TestDatabase::Schema schema() const override { return TestDatabase::Schema::empty; }
};

// Already migrated by the runner (TestDatabase's default): for what happens on the next run.
using MigratedDatabaseTest = test::DatabaseTest;

// A private copy of the project's migrations that a test may change.
class MigrationsCopy {
public:
    MigrationsCopy() : path_(fs::temp_directory_path() / ("swarmline_migcopy_" + std::to_string(::getpid()) + "_" +
                                                         std::to_string(counter_++))) {
        fs::remove_all(path_);
        fs::copy(test::migrations_dir(), path_);
    }
    ~MigrationsCopy() { fs::remove_all(path_); }
    const fs::path& path() const { return path_; }
    void write(const std::string& name, const std::string& text, bool append = false) const {
        std::ofstream(path_ / name, std::ios::binary | (append ? std::ios::app : std::ios::trunc)) << text;
    }

private:
    static inline int counter_ = 0;
    fs::path path_;
};

// An empty migrations folder for synthetic migrations.
class ScratchSource {
public:
    ScratchSource() : path_(fs::temp_directory_path() / ("swarmline_migsrc_" + std::to_string(::getpid()) + "_" +
                                                        std::to_string(counter_++))) {
        fs::remove_all(path_);
        fs::create_directories(path_);
    }
    ~ScratchSource() { fs::remove_all(path_); }
    const fs::path& path() const { return path_; }
    void write(const std::string& name, const std::string& text) const {
        std::ofstream(path_ / name, std::ios::binary) << text;
    }

private:
    static inline int counter_ = 0;
    fs::path path_;
};

std::int64_t count(db::Connection& conn, const std::string& sql) { return conn.exec(sql).get_int64(0, 0); }

}  // namespace

TEST_F(EmptyDatabaseTest, AppliesAllOnceThenNothing) {
    auto migrations = db::load_migrations(test::migrations_dir());
    auto conn = database().connect();

    auto first = db::run_migrations(conn, migrations);
    EXPECT_EQ(first.size(), migrations.size());
    auto second = db::run_migrations(conn, migrations);
    EXPECT_TRUE(second.empty()) << "a second run applied " << second.size() << " migrations";

    auto info = db::migration_info(conn, migrations);
    ASSERT_EQ(info.size(), migrations.size());
    for (const auto& s : info) {
        ASSERT_TRUE(s.applied) << s.version << " is not applied";
        EXPECT_TRUE(s.applied->success);
        EXPECT_FALSE(s.checksum_mismatch()) << s.version;
        EXPECT_GT(s.applied->execution_time_ns, 0) << "execution_time is recorded after commit, as SQLx does";
    }

    // The table SQLx creates, column for column.
    auto columns = conn.exec(
        "SELECT column_name || ' ' || data_type || ' ' || is_nullable FROM information_schema.columns "
        "WHERE table_name = '_sqlx_migrations' ORDER BY ordinal_position");
    std::vector<std::string> got;
    for (int i = 0; i < columns.rows(); ++i) got.emplace_back(columns.get(i, 0));
    EXPECT_EQ(got, (std::vector<std::string>{"version bigint NO", "description text NO",
                                             "installed_on timestamp with time zone NO", "success boolean NO",
                                             "checksum bytea NO", "execution_time bigint NO"}));

    auto row = conn.exec(
        "SELECT description, success, encode(checksum, 'hex') FROM _sqlx_migrations WHERE version = 20250105000000");
    ASSERT_EQ(row.rows(), 1);
    EXPECT_EQ(row.get(0, 0), "create user groups");
    EXPECT_TRUE(row.get_bool(0, 1));
    // The SHA-384 of the committed file (sha384sum migrations/20250105000000_create_user_groups.sql).
    // An applied migration must never change: a new checksum here means someone edited it; put the
    // change in a new migration instead.
    EXPECT_EQ(row.get(0, 2),
              "d1fe3ed1950eb96eaadeb610c3e6e9c9ef1593258827e567166dd2a15c0f345a85fbd8fdf12743a0df4fba7d95f1fc7d");
}

TEST_F(MigratedDatabaseTest, RefusesAChangedMigrationBeforeApplyingAnything) {
    MigrationsCopy copy;
    auto conn = database().connect();

    copy.write("20250105000003_create_user_privacy.sql", "\n-- an innocent-looking edit\n", true);
    copy.write("20990101000000_create_later.sql", "CREATE TABLE later_table (id int);\n");
    try {
        db::run_migrations(conn, db::load_migrations(copy.path()));
        FAIL() << "a changed migration was accepted";
    } catch (const db::MigrateError& e) {
        std::string msg = e.what();
        EXPECT_NE(msg.find("20250105000003_create_user_privacy.sql"), std::string::npos) << msg;
        EXPECT_NE(msg.find("checksum"), std::string::npos) << msg;
    }
    EXPECT_EQ(count(conn, "SELECT count(*) FROM pg_class WHERE relname = 'later_table'"), 0)
        << "the runner went on after finding the changed migration";
}

TEST_F(MigratedDatabaseTest, RefusesWhenAnAppliedFileIsMissing) {
    MigrationsCopy copy;
    copy.write("20990101000000_create_later.sql", "CREATE TABLE later_table (id int);\n");
    auto conn = database().connect();
    db::run_migrations(conn, db::load_migrations(copy.path()));
    fs::remove(copy.path() / "20990101000000_create_later.sql");
    try {
        db::run_migrations(conn, db::load_migrations(copy.path()));
        FAIL() << "a missing applied migration was accepted";
    } catch (const db::MigrateError& e) {
        EXPECT_NE(std::string(e.what()).find("20990101000000"), std::string::npos) << e.what();
    }
}

TEST_F(MigratedDatabaseTest, AFailingMigrationIsRolledBackAndNamed) {
    MigrationsCopy copy;
    copy.write("20990101000000_broken.sql", "CREATE TABLE half_done (id int);\nSELECT 1;\nSELEC oops;\n");
    auto conn = database().connect();
    try {
        db::run_migrations(conn, db::load_migrations(copy.path()));
        FAIL() << "a broken migration was applied";
    } catch (const db::MigrateError& e) {
        std::string msg = e.what();
        EXPECT_NE(msg.find("20990101000000_broken.sql:3"), std::string::npos) << "names file and line: " << msg;
        EXPECT_NE(msg.find("syntax error"), std::string::npos) << msg;
    }
    EXPECT_EQ(count(conn, "SELECT count(*) FROM pg_class WHERE relname = 'half_done'"), 0);
    EXPECT_EQ(count(conn, "SELECT count(*) FROM _sqlx_migrations WHERE version = 20990101000000"), 0);
    // Everything before it was applied and stays.
    EXPECT_EQ(count(conn, "SELECT count(*) FROM _sqlx_migrations"),
              static_cast<std::int64_t>(db::load_migrations(test::migrations_dir()).size()));
}

TEST_F(MigratedDatabaseTest, NoTransactionMigrationRunsOutsideATransaction) {
    MigrationsCopy copy;
    // CREATE INDEX CONCURRENTLY fails inside a transaction block: this passes only if the runner
    // honours the first line.
    copy.write("20990101000000_concurrent_index.sql",
               "-- no-transaction\nCREATE INDEX CONCURRENTLY users_created_at_brin ON users USING brin (created_at)");
    auto conn = database().connect();
    db::run_migrations(conn, db::load_migrations(copy.path()));
    EXPECT_EQ(count(conn, "SELECT count(*) FROM pg_class WHERE relname = 'users_created_at_brin'"), 1);
}

TEST_F(EmptyDatabaseTest, ConcurrentRunnersApplyEachMigrationOnce) {
    // Each migration takes 50 ms, so two runners started together overlap unless the advisory lock
    // serialises them; without it the second would fail on a duplicate table or version.
    ScratchSource source;
    for (int i = 1; i <= 10; ++i)
        source.write(std::to_string(i) + "_slow_" + std::to_string(i) + ".sql",
                     "CREATE TABLE slow_" + std::to_string(i) + " (id int); SELECT pg_sleep(0.05);\n");
    auto migrations = db::load_migrations(source.path());
    std::size_t applied[2] = {0, 0};
    std::string errors[2];
    auto runner = [&](int i) {
        try {
            db::Connection conn(database().url());
            applied[i] = db::run_migrations(conn, migrations).size();
        } catch (const std::exception& e) {
            errors[i] = e.what();
        }
    };
    std::thread a(runner, 0), b(runner, 1);
    a.join();
    b.join();
    EXPECT_EQ(errors[0], "");
    EXPECT_EQ(errors[1], "");
    EXPECT_EQ(applied[0] + applied[1], migrations.size()) << "the advisory lock lets one runner do all the work";
}

// --- the command line ---

namespace {

struct Output {
    int status;
    std::string text;
};

Output run_cli(const std::string& args, const std::string& database_url) {
    const char* bin = std::getenv("SWARMLINE_CONTROL_BIN");
    ::setenv("DATABASE_URL", database_url.c_str(), 1);
    std::string cmd = std::string(bin) + " migrate " + args + " 2>&1";
    Output out{-1, {}};
    FILE* p = ::popen(cmd.c_str(), "r");
    if (!p) return out;
    char buf[4096];
    while (std::size_t n = std::fread(buf, 1, sizeof buf, p)) out.text.append(buf, n);
    int status = ::pclose(p);
    out.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return out;
}

std::size_t lines_containing(const std::string& text, const std::string& needle) {
    std::size_t n = 0;
    for (std::size_t pos = text.find(needle); pos != std::string::npos; pos = text.find(needle, pos + 1)) ++n;
    return n;
}

}  // namespace

TEST_F(MigratedDatabaseTest, CommandRunInfoAndRefusal) {
    if (!std::getenv("SWARMLINE_CONTROL_BIN")) GTEST_SKIP() << "SWARMLINE_CONTROL_BIN is unset (meson sets it)";
    MigrationsCopy copy;
    copy.write("20990101000000_create_widgets.sql", "-- widgets\nCREATE TABLE widgets (id int);\n");
    const std::size_t n = db::load_migrations(copy.path()).size();
    const std::string source = " --source " + copy.path().string();

    Output run = run_cli("run" + source, database().url());
    EXPECT_EQ(run.status, 0) << run.text;
    EXPECT_EQ(lines_containing(run.text, "Applied 20990101000000/migrate create widgets ("), 1u) << run.text;
    EXPECT_EQ(lines_containing(run.text, "Applied 2025"), 0u) << "the applied ones are left alone: " << run.text;

    Output again = run_cli("run" + source, database().url());
    EXPECT_EQ(again.status, 0) << again.text;
    EXPECT_EQ(lines_containing(again.text, "Applied 2"), 0u) << again.text;
    EXPECT_NE(again.text.find("Nothing to apply"), std::string::npos) << again.text;

    Output info = run_cli("info" + source, database().url());
    EXPECT_EQ(info.status, 0) << info.text;
    EXPECT_EQ(lines_containing(info.text, "/installed "), n) << info.text;
    EXPECT_EQ(lines_containing(info.text, "/pending "), 0u) << info.text;

    copy.write("20250105000008_create_torrents.sql", " ", true);
    Output refused = run_cli("run" + source, database().url());
    EXPECT_EQ(refused.status, 1) << refused.text;
    EXPECT_NE(refused.text.find("20250105000008_create_torrents.sql was changed after it was applied"),
              std::string::npos)
        << refused.text;
    Output mismatch = run_cli("info" + source, database().url());
    EXPECT_EQ(mismatch.status, 1) << mismatch.text;
    EXPECT_NE(mismatch.text.find("20250105000008/installed (different checksum)"), std::string::npos) << mismatch.text;

    Output usage = run_cli("frobnicate", database().url());
    EXPECT_EQ(usage.status, 2) << usage.text;
}
