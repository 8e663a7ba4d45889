// Runs the pgTAP checks in pgtap/schema.sql on a migrated database and reports every TAP line that
// is not "ok". Skips (with the reason) when the server lacks the pgtap extension.
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <string>

#include "support/test_database.hpp"

using namespace swarmline;

class PgTapTest : public test::DatabaseTest {};

TEST_F(PgTapTest, SchemaContract) {
    auto conn = database().connect();
    if (conn.exec("SELECT count(*) FROM pg_available_extensions WHERE name = 'pgtap'").get_int64(0, 0) == 0)
        GTEST_SKIP() << "the PostgreSQL server has no pgtap extension (Debian: postgresql-15-pgtap)";
    conn.exec("CREATE EXTENSION pgtap");

    std::ifstream in(PGTAP_SCHEMA_SQL);
    ASSERT_TRUE(in) << "cannot read " << PGTAP_SCHEMA_SQL;
    conn.exec(std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>()));

    auto tap = conn.exec("SELECT * FROM runtests('^test_')");
    int ok = 0;
    int planned = -1;
    for (int i = 0; i < tap.rows(); ++i) {
        std::string line(tap.get(i, 0));
        std::string body = line.substr(line.find_first_not_of(' '));
        if (body.starts_with("ok ")) ++ok;
        else if (body.starts_with("not ok")) ADD_FAILURE() << line;
        else if (body.starts_with("1..")) planned = std::stoi(body.substr(3));
        else if (body.starts_with("# ") && body.find("Looks like") != std::string::npos) ADD_FAILURE() << line;
    }
    // runtests() reports one "ok" per test function (with its assertions as sub-tests above it).
    EXPECT_EQ(planned, 3) << "three test_* functions";
    EXPECT_GE(ok, 50) << "every assertion and function passed";
}
