#include "support/test_database.hpp"

#include <unistd.h>

#include <atomic>
#include <iostream>
#include <random>

#include "db/migrator.hpp"

namespace swarmline::test {

namespace {

// 'value' quoted for a key=value connection string.
std::string quote(const char* value) {
    std::string out = "'";
    for (const char* p = value; *p; ++p) {
        if (*p == '\'' || *p == '\\') out.push_back('\\');
        out.push_back(*p);
    }
    return out + "'";
}

// The admin connection's parameters with another database name, as a key=value string.
std::string with_database(const std::string& admin_url, const std::string& database) {
    char* err = nullptr;
    PQconninfoOption* options = PQconninfoParse(admin_url.c_str(), &err);
    if (!options) {
        std::string reason = err ? err : "out of memory";
        PQfreemem(err);
        throw db::Error("SWARMLINE_TEST_DATABASE_URL is not a valid connection string: " + reason);
    }
    std::string out = "dbname=" + quote(database.c_str());
    for (PQconninfoOption* o = options; o->keyword; ++o) {
        if (!o->val || std::string_view(o->keyword) == "dbname") continue;
        out += " " + std::string(o->keyword) + "=" + quote(o->val);
    }
    PQconninfoFree(options);
    return out;
}

std::string unique_name() {
    static std::atomic<unsigned> counter{0};
    std::random_device rd;
    return "swarmline_test_" + std::to_string(::getpid()) + "_" + std::to_string(counter.fetch_add(1)) + "_" +
           std::to_string(rd() % 1000000);
}

}  // namespace

std::string admin_database_url() {
    const char* v = std::getenv("SWARMLINE_TEST_DATABASE_URL");
    return v ? v : "";
}

std::filesystem::path migrations_dir() { return SWARMLINE_MIGRATIONS_DIR; }

TestDatabase::TestDatabase(Schema schema) : name_(unique_name()) {
    const std::string admin = admin_database_url();
    if (admin.empty()) throw db::Error("SWARMLINE_TEST_DATABASE_URL is unset");
    db::Connection conn(admin);
    conn.exec("CREATE DATABASE " + conn.escape_identifier(name_));
    url_ = with_database(admin, name_);
    if (schema == Schema::migrated) {
        db::Connection target(url_);
        db::run_migrations(target, db::load_migrations(migrations_dir()));
    }
}

TestDatabase::~TestDatabase() {
    try {
        db::Connection conn(admin_database_url());
        conn.exec("DROP DATABASE IF EXISTS " + conn.escape_identifier(name_) + " WITH (FORCE)");
    } catch (const std::exception& e) {
        std::cerr << "TestDatabase: could not drop " << name_ << ": " << e.what() << "\n";
    }
}

void DatabaseTest::SetUp() {
    SWARMLINE_REQUIRE_TEST_DATABASE();
    db_.emplace(schema());
}

}  // namespace swarmline::test
