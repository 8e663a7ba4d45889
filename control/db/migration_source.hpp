// The migration files of a source folder, read the way SQLx reads them so that a database migrated
// by either tool is accepted by the other: `<VERSION>_<DESCRIPTION>.sql` (also `.up.sql`; `.down.sql`
// files are not applied), the description is the name's underscores turned to spaces, the checksum
// is the SHA-384 of the file's bytes, and a file starting with `-- no-transaction` runs outside a
// transaction.
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

namespace swarmline::db {

class MigrateError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

using Checksum = std::array<unsigned char, 48>;  // SHA-384

struct Migration {
    std::int64_t version = 0;
    std::string description;
    std::filesystem::path path;
    std::string sql;
    Checksum checksum{};
    bool no_transaction = false;
};

Checksum sha384(std::string_view bytes);
std::string to_hex(const unsigned char* data, std::size_t size);

// Every migration in `dir`, sorted by version. Files whose names are not `<digits>_<name>.sql` are
// ignored (README.md, meson.build). Throws MigrateError on an unreadable folder or file, a
// non-numeric version, or two files with one version.
std::vector<Migration> load_migrations(const std::filesystem::path& dir);

// The migrations folder to use when none is given: the checkout's `migrations/` found by walking up
// from the running binary's folder (a build tree lives inside the checkout), else ./migrations.
// Returns an empty path when neither exists.
std::filesystem::path find_default_source();

// Creates `<dir>/<YYYYMMDDHHMMSS>_<name>.sql` (UTC now; spaces in `name` become underscores) with a
// first comment line to fill in, and returns its path. Throws MigrateError on a bad name or when the
// file exists.
std::filesystem::path add_migration(const std::filesystem::path& dir, const std::string& name);

}  // namespace swarmline::db
