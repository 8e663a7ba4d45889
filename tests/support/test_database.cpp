#include "support/test_database.hpp"

#include <unistd.h>

#include <atomic>
#include <ctime>
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

// Migrating takes about a second; cloning a migrated template takes a fraction of that, and most
// integration tests want a migrated database. The template's name carries a digest of every
// migration's checksum (a changed or new migration makes a new template) and the UTC month (its
// time partitions are "this month and next").
std::string template_name(const std::vector<db::Migration>& migrations) {
    std::string all;
    for (const auto& m : migrations) all.append(reinterpret_cast<const char*>(m.checksum.data()), m.checksum.size());
    db::Checksum digest = db::sha384(all);
    std::time_t now = std::time(nullptr);
    std::tm utc{};
    gmtime_r(&now, &utc);
    char month[8];
    std::strftime(month, sizeof month, "%Y%m", &utc);
    return "swarmline_tpl_" + std::string(month) + "_" + db::to_hex(digest.data(), 12);
}

// Creates `name` as a copy of the migrated template, building the template first if needed. An
// advisory lock on the server serialises this across test processes: CREATE DATABASE ... TEMPLATE
// needs the template to have no other session, and only one process may build it.
void create_migrated(db::Connection& admin, const std::string& name) {
    auto migrations = db::load_migrations(migrations_dir());
    const std::string tpl = template_name(migrations);
    admin.exec("SELECT pg_advisory_lock(7368616465)");  // any fixed key: only this fixture uses it
    try {
        bool ready = admin.exec_params("SELECT count(*) FROM pg_database WHERE datname = $1 AND datistemplate", {tpl})
                         .get_int64(0, 0) == 1;
        if (!ready) {
            // A half-built one (a process killed while migrating) is not marked as a template yet.
            admin.exec("DROP DATABASE IF EXISTS " + admin.escape_identifier(tpl) + " WITH (FORCE)");
            admin.exec("CREATE DATABASE " + admin.escape_identifier(tpl));
            {
                db::Connection target(with_database(admin_database_url(), tpl));
                db::run_migrations(target, migrations);
            }
            admin.exec("ALTER DATABASE " + admin.escape_identifier(tpl) + " IS_TEMPLATE true");
            // Templates of earlier migration sets or months are no use any more; under the lock no
            // other process is cloning them.
            auto stale = admin.exec_params(
                "SELECT datname FROM pg_database WHERE datname LIKE 'swarmline\\_tpl\\_%' AND datname <> $1", {tpl});
            for (int i = 0; i < stale.rows(); ++i) {
                const std::string old = admin.escape_identifier(stale.get(i, 0));
                admin.exec("ALTER DATABASE " + old + " IS_TEMPLATE false");
                admin.exec("DROP DATABASE " + old + " WITH (FORCE)");
            }
        }
        admin.exec("CREATE DATABASE " + admin.escape_identifier(name) + " TEMPLATE " + admin.escape_identifier(tpl));
    } catch (...) {
        admin.exec("SELECT pg_advisory_unlock(7368616465)");
        throw;
    }
    admin.exec("SELECT pg_advisory_unlock(7368616465)");
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
    url_ = with_database(admin, name_);
    if (schema == Schema::migrated)
        create_migrated(conn, name_);
    else
        conn.exec("CREATE DATABASE " + conn.escape_identifier(name_));
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
