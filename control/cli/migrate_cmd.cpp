// `swarmline-control migrate run|info|add NAME`: the SQLx-compatible migration runner's front end.
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>
#include <string_view>
#include <vector>

#include "cli/commands.hpp"
#include "db/migration_source.hpp"
#include "db/migrator.hpp"
#include "db/pg.hpp"
#include "base/options.hpp"

namespace swarmline::control {

namespace {

constexpr std::string_view kUsage =
    "usage: swarmline-control migrate run|info|add NAME [--database-url URL] [--source DIR]\n"
    "\n"
    "  run       apply every pending migration, each in its own transaction\n"
    "  info      list the migrations and whether each is applied\n"
    "  add NAME  create <source>/<YYYYMMDDHHMMSS>_<NAME>.sql\n"
    "\n"
    "Keeps the _sqlx_migrations table exactly as `sqlx migrate` does: either tool accepts the other's work.\n"
    "\noptions:\n";

std::string format_duration(std::int64_t ns) {
    char buf[32];
    if (ns >= 1'000'000'000) std::snprintf(buf, sizeof buf, "%.2fs", static_cast<double>(ns) / 1e9);
    else std::snprintf(buf, sizeof buf, "%.1fms", static_cast<double>(ns) / 1e6);
    return buf;
}

int run(db::Connection& conn, const std::vector<db::Migration>& migrations) {
    std::int64_t total_ns = 0;
    auto applied = db::run_migrations(conn, migrations, [&](const db::AppliedReport& r) {
        total_ns += r.execution_time_ns;
        std::cout << "Applied " << r.version << "/migrate " << r.description << " ("
                  << format_duration(r.execution_time_ns) << ")\n";
    });
    if (applied.empty())
        std::cout << "Nothing to apply: all " << migrations.size() << " migrations are applied.\n";
    else
        std::cout << "Applied " << applied.size() << " migration" << (applied.size() == 1 ? "" : "s") << " in "
                  << format_duration(total_ns) << "; " << migrations.size() << " of " << migrations.size()
                  << " are applied.\n";
    return 0;
}

int info(db::Connection& conn, const std::vector<db::Migration>& migrations) {
    int problems = 0;
    std::size_t pending = 0;
    for (const db::MigrationState& s : db::migration_info(conn, migrations)) {
        std::string status = !s.applied ? "pending" : s.applied->success ? "installed" : "installed (failed)";
        if (!s.local) status += " (file missing)";
        if (s.checksum_mismatch()) status += " (different checksum)";
        std::cout << s.version << "/" << status << " " << s.description << "\n";
        if (s.checksum_mismatch()) {
            std::cout << "  applied migration had checksum " << db::to_hex(s.applied->checksum.data(), s.applied->checksum.size())
                      << "\n  local migration has checksum   " << db::to_hex(s.local->checksum.data(), s.local->checksum.size())
                      << "\n";
        }
        if (!s.applied) ++pending;
        if ((s.applied && !s.applied->success) || !s.local || s.checksum_mismatch()) ++problems;
    }
    std::cout << migrations.size() - pending << " applied, " << pending << " pending"
              << (problems ? ", " + std::to_string(problems) + " needing attention" : std::string()) << "\n";
    return problems ? 1 : 0;
}

}  // namespace

int cmd_migrate(int argc, char** argv) {
    std::string database_url;  // $DATABASE_URL is read after --help, which prints option values
    std::string source;
    options::Registry registry("control");
    registry.add("database-url", "PostgreSQL URL or key=value string (default: $DATABASE_URL)", &database_url);
    registry.add("source", "migrations folder (default: the checkout's migrations/, else ./migrations)", &source);

    for (int i = 1; i < argc; ++i) {
        std::string_view a = argv[i];
        if (a == "--help" || a == "-h") {
            std::cout << kUsage;
            registry.print_help(std::cout);
            return 0;
        }
    }
    std::vector<std::string> positional;
    if (auto err = registry.parse_args(argc, argv, 1, &positional); !err.empty()) {
        std::cerr << "swarmline-control migrate: " << err << "\n";
        return 2;
    }
    if (database_url.empty() && std::getenv("DATABASE_URL")) database_url = std::getenv("DATABASE_URL");
    const std::string action = positional.empty() ? "" : positional[0];
    const std::size_t wanted = action == "add" ? 2 : 1;
    if ((action != "run" && action != "info" && action != "add") || positional.size() != wanted) {
        std::cerr << "swarmline-control migrate: expected run, info or add NAME\n" << kUsage;
        registry.print_help(std::cerr);
        return 2;
    }

    std::filesystem::path dir = source.empty() ? db::find_default_source() : std::filesystem::path(source);
    if (dir.empty()) {
        std::cerr << "swarmline-control migrate: no migrations folder found next to the binary or in ./migrations; "
                     "give --source DIR\n";
        return 2;
    }

    try {
        if (action == "add") {
            std::cout << "Created " << db::add_migration(dir, positional[1]).string() << "\n";
            return 0;
        }
        if (database_url.empty()) {
            std::cerr << "swarmline-control migrate: no database: give --database-url URL or set DATABASE_URL\n";
            return 2;
        }
        std::vector<db::Migration> migrations = db::load_migrations(dir);
        db::Connection conn(database_url);
        return action == "run" ? run(conn, migrations) : info(conn, migrations);
    } catch (const db::MigrateError& e) {
        std::cerr << "swarmline-control migrate: " << e.what() << "\n";
    } catch (const db::Error& e) {
        std::cerr << "swarmline-control migrate: " << e.what() << "\n";
    }
    return 1;
}

}  // namespace swarmline::control
