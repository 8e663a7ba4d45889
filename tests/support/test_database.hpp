// A throw-away PostgreSQL database per test: created with a unique name on the server that
// SWARMLINE_TEST_DATABASE_URL points at (a superuser URL), migrated with the project's migrations
// by the real runner, and dropped again (WITH (FORCE)) when the object goes away. Tests that use it
// run in parallel without seeing each other. A migrated database is a copy of a template database
// (swarmline_tpl_<month>_<digest of the migrations>) built once by the first test that needs it.
//
//   class MyTest : public swarmline::test::DatabaseTest {};     // skips when the variable is unset
//   TEST_F(MyTest, Works) { auto conn = database().connect(); ... database().url() ... }
//
// or, in a plain TEST: SWARMLINE_REQUIRE_TEST_DATABASE(); swarmline::test::TestDatabase db;
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <optional>
#include <string>

#include "db/pg.hpp"

namespace swarmline::test {

// SWARMLINE_TEST_DATABASE_URL, or empty when unset.
std::string admin_database_url();

// The source tree's migrations/ folder (fixed at build time).
std::filesystem::path migrations_dir();

class TestDatabase {
public:
    enum class Schema { migrated, empty };

    // Throws db::Error / db::MigrateError when the server is unreachable or a migration fails.
    explicit TestDatabase(Schema schema = Schema::migrated);
    ~TestDatabase();
    TestDatabase(const TestDatabase&) = delete;
    TestDatabase& operator=(const TestDatabase&) = delete;

    // A libpq key=value connection string for this database (accepted by PQconnectdb, psql, and
    // swarmline-control's --database-url).
    const std::string& url() const noexcept { return url_; }
    const std::string& name() const noexcept { return name_; }
    db::Connection connect() const { return db::Connection(url_); }

private:
    std::string name_;
    std::string url_;
};

// A fixture whose SetUp skips the test when SWARMLINE_TEST_DATABASE_URL is unset and otherwise
// creates a migrated TestDatabase (schema() chooses; override it for an empty one).
class DatabaseTest : public ::testing::Test {
protected:
    void SetUp() override;
    virtual TestDatabase::Schema schema() const { return TestDatabase::Schema::migrated; }
    TestDatabase& database() { return *db_; }

private:
    std::optional<TestDatabase> db_;
};

}  // namespace swarmline::test

#define SWARMLINE_REQUIRE_TEST_DATABASE()                                                         \
    do {                                                                                          \
        if (::swarmline::test::admin_database_url().empty())                                      \
            GTEST_SKIP() << "SWARMLINE_TEST_DATABASE_URL is unset (a PostgreSQL superuser URL); " \
                            "scripts/test.sh sets it";                                            \
    } while (0)
