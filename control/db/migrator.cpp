#include "db/migrator.hpp"

#include <boost/crc.hpp>

#include <algorithm>
#include <chrono>
#include <map>

namespace swarmline::db {

bool MigrationState::checksum_mismatch() const {
    return local && applied && !std::equal(local->checksum.begin(), local->checksum.end(),
                                           applied->checksum.begin(), applied->checksum.end());
}

std::int64_t migration_lock_id(const std::string& database_name) {
    boost::crc_32_type crc;  // CRC-32/ISO-HDLC, the one SQLx uses
    crc.process_bytes(database_name.data(), database_name.size());
    // 0x3d32ad9e < 2^30 and the CRC < 2^32, so the product fits in 63 bits.
    return std::int64_t{0x3d32ad9e} * static_cast<std::int64_t>(crc.checksum());
}

void ensure_migrations_table(Connection& conn) {
    conn.exec(
        "CREATE TABLE IF NOT EXISTS _sqlx_migrations (\n"
        "    version BIGINT PRIMARY KEY,\n"
        "    description TEXT NOT NULL,\n"
        "    installed_on TIMESTAMPTZ NOT NULL DEFAULT now(),\n"
        "    success BOOLEAN NOT NULL,\n"
        "    checksum BYTEA NOT NULL,\n"
        "    execution_time BIGINT NOT NULL\n"
        ");");
}

std::vector<AppliedMigration> applied_migrations(Connection& conn) {
    Result r = conn.exec(
        "SELECT version, description, checksum, success, execution_time FROM _sqlx_migrations ORDER BY version");
    std::vector<AppliedMigration> out;
    out.reserve(r.rows());
    for (int i = 0; i < r.rows(); ++i)
        out.push_back({r.get_int64(i, 0), std::string(r.get(i, 1)), r.get_bytea(i, 2), r.get_bool(i, 3),
                       r.get_int64(i, 4)});
    return out;
}

std::vector<MigrationState> migration_info(Connection& conn, const std::vector<Migration>& migrations) {
    ensure_migrations_table(conn);
    std::map<std::int64_t, MigrationState> by_version;
    for (const Migration& m : migrations) by_version[m.version] = {m.version, m.description, &m, std::nullopt};
    for (AppliedMigration& a : applied_migrations(conn)) {
        MigrationState& s = by_version[a.version];
        if (!s.local) {
            s.version = a.version;
            s.description = a.description;
        }
        s.applied = std::move(a);
    }
    std::vector<MigrationState> out;
    out.reserve(by_version.size());
    for (auto& [version, state] : by_version) out.push_back(std::move(state));
    return out;
}

namespace {

// Session-level advisory lock, released on every way out (a lost connection releases it too).
class MigrationLock {
public:
    explicit MigrationLock(Connection& conn)
        : conn_(conn), id_(migration_lock_id(std::string(conn.exec("SELECT current_database()").get(0, 0)))) {
        conn_.exec_params("SELECT pg_advisory_lock($1)", {id_});
    }
    MigrationLock(const MigrationLock&) = delete;
    MigrationLock& operator=(const MigrationLock&) = delete;
    ~MigrationLock() {
        try {
            conn_.exec_params("SELECT pg_advisory_unlock($1)", {id_});
        } catch (const Error&) {
            // The connection is gone, and the server dropped the lock with the session.
        }
    }

private:
    Connection& conn_;
    std::int64_t id_;
};

// The 1-based line of a 1-based character position (PostgreSQL counts characters, not bytes).
int line_of(const std::string& sql, int position) {
    int line = 1;
    int chars = 0;
    for (unsigned char c : sql) {
        if ((c & 0xC0) != 0x80 && ++chars >= position) break;  // count UTF-8 lead bytes only
        if (c == '\n') ++line;
    }
    return line;
}

void apply(Connection& conn, const Migration& m) {
    const std::string insert =
        "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) "
        "VALUES ($1, $2, TRUE, $3, -1)";
    const Param params[] = {m.version, m.description, Param::bytea(m.checksum)};
    try {
        if (m.no_transaction) {
            conn.exec(m.sql);
            conn.exec_params(insert, params);
        } else {
            Transaction tx(conn);
            conn.exec(m.sql);
            conn.exec_params(insert, params);
            tx.commit();
        }
    } catch (const Error& e) {
        std::string where = m.path.filename().string();
        if (e.position() > 0) where += ":" + std::to_string(line_of(m.sql, e.position()));
        throw MigrateError("migration " + where + " failed: " + e.what() +
                           (m.no_transaction ? " (a -- no-transaction migration: what ran before the error stays)"
                                             : " (rolled back)"));
    }
}

}  // namespace

std::vector<AppliedReport> run_migrations(Connection& conn, const std::vector<Migration>& migrations,
                                          const std::function<void(const AppliedReport&)>& on_applied) {
    MigrationLock lock(conn);
    ensure_migrations_table(conn);

    std::vector<MigrationState> states = migration_info(conn, migrations);
    for (const MigrationState& s : states) {
        if (s.applied && !s.applied->success)
            throw MigrateError("migration " + std::to_string(s.version) + " (" + s.description +
                               ") is partially applied (success = false in _sqlx_migrations): fix the database "
                               "by hand, then delete that row");
        if (s.applied && !s.local)
            throw MigrateError("migration " + std::to_string(s.version) + " (" + s.description +
                               ") was applied, but its file is missing from the migrations folder");
        if (s.checksum_mismatch())
            throw MigrateError("migration " + s.local->path.filename().string() +
                               " was changed after it was applied (its checksum differs from the one "
                               "recorded in _sqlx_migrations): restore the file and put the change in a new "
                               "migration");
    }

    std::vector<AppliedReport> done;
    for (const MigrationState& s : states) {
        if (s.applied) continue;
        auto start = std::chrono::steady_clock::now();
        apply(conn, *s.local);
        auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - start).count();
        // As SQLx: the time is only known after COMMIT, so it is recorded afterwards (-1 until then).
        conn.exec_params("UPDATE _sqlx_migrations SET execution_time = $1 WHERE version = $2",
                         {static_cast<std::int64_t>(ns), s.version});
        done.push_back({s.version, s.description, ns});
        if (on_applied) on_applied(done.back());
    }
    return done;
}

}  // namespace swarmline::db
