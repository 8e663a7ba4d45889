// Applies migrations and reports their state through the `_sqlx_migrations` table exactly as SQLx
// keeps it (same columns, checksums, advisory lock id), so `sqlx migrate info` accepts a database
// migrated here, and this runner accepts one migrated by SQLx.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "db/migration_source.hpp"
#include "db/pg.hpp"

namespace swarmline::db {

struct AppliedMigration {
    std::int64_t version = 0;
    std::string description;
    std::vector<unsigned char> checksum;
    bool success = false;
    std::int64_t execution_time_ns = 0;
};

// One line of `migrate info`: a local migration and/or its applied record.
struct MigrationState {
    std::int64_t version = 0;
    std::string description;
    const Migration* local = nullptr;           // null: applied, but its file is gone
    std::optional<AppliedMigration> applied;    // empty: pending
    bool checksum_mismatch() const;
};

struct AppliedReport {
    std::int64_t version = 0;
    std::string description;
    std::int64_t execution_time_ns = 0;
};

// Creates _sqlx_migrations when it does not exist (the statement SQLx runs).
void ensure_migrations_table(Connection& conn);

// What is applied, in version order.
std::vector<AppliedMigration> applied_migrations(Connection& conn);

// Local and applied migrations merged, in version order.
std::vector<MigrationState> migration_info(Connection& conn, const std::vector<Migration>& migrations);

// Applies every pending migration in version order, each in its own transaction together with its
// _sqlx_migrations row (outside one for `-- no-transaction` files), holding SQLx's advisory lock so
// concurrent runners (ours or SQLx) wait for each other. Before applying anything it refuses, with
// MigrateError, a database with a failed (dirty) migration, an applied migration whose file is
// missing, or one whose file changed since (checksum). A failing migration throws MigrateError
// naming its file (and line); nothing of it stays applied. `on_applied` is called after each one.
std::vector<AppliedReport> run_migrations(Connection& conn, const std::vector<Migration>& migrations,
                                          const std::function<void(const AppliedReport&)>& on_applied = {});

// SQLx's advisory lock key for a database: 0x3d32ad9e * CRC-32(database name).
std::int64_t migration_lock_id(const std::string& database_name);

}  // namespace swarmline::db
