#include "db/migration_source.hpp"

#include <openssl/evp.h>

#include <algorithm>
#include <charconv>
#include <ctime>
#include <fstream>
#include <iterator>

namespace swarmline::db {

namespace fs = std::filesystem;

Checksum sha384(std::string_view bytes) {
    Checksum out{};
    unsigned int len = 0;
    if (EVP_Digest(bytes.data(), bytes.size(), out.data(), &len, EVP_sha384(), nullptr) != 1 || len != out.size())
        throw MigrateError("SHA-384 failed (OpenSSL)");
    return out;
}

std::string to_hex(const unsigned char* data, std::size_t size) {
    static constexpr char digits[] = "0123456789abcdef";
    std::string out;
    out.reserve(size * 2);
    for (std::size_t i = 0; i < size; ++i) {
        out.push_back(digits[data[i] >> 4]);
        out.push_back(digits[data[i] & 0xf]);
    }
    return out;
}

namespace {

std::string read_file(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw MigrateError("cannot read " + path.string());
    std::string sql((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (in.bad()) throw MigrateError("cannot read " + path.string());
    return sql;
}

bool ends_with(std::string_view s, std::string_view suffix) {
    return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

bool has_migrations(const fs::path& dir) {
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) return false;
    for (const auto& entry : fs::directory_iterator(dir, ec)) {
        std::string name = entry.path().filename().string();
        if (ends_with(name, ".sql") && !name.empty() && name[0] >= '0' && name[0] <= '9') return true;
    }
    return false;
}

}  // namespace

std::vector<Migration> load_migrations(const fs::path& dir) {
    std::error_code ec;
    fs::directory_iterator it(dir, ec);
    if (ec) throw MigrateError("cannot open migrations folder " + dir.string() + ": " + ec.message());

    std::vector<Migration> out;
    for (const auto& entry : it) {
        if (!entry.is_regular_file()) continue;
        std::string name = entry.path().filename().string();
        // SQLx: split at the first '_'; anything without one or not ending in .sql is not a migration.
        auto underscore = name.find('_');
        if (underscore == std::string::npos || !ends_with(name, ".sql")) continue;
        std::string rest = name.substr(underscore + 1);
        if (ends_with(rest, ".down.sql")) continue;
        std::string_view suffix = ends_with(rest, ".up.sql") ? ".up.sql" : ".sql";

        Migration m;
        std::string_view version = std::string_view(name).substr(0, underscore);
        auto [end, err] = std::from_chars(version.data(), version.data() + version.size(), m.version);
        if (err != std::errc() || end != version.data() + version.size() || m.version < 0)
            throw MigrateError("migration file " + name + ": '" + std::string(version) + "' is not a version number");
        m.description = rest.substr(0, rest.size() - suffix.size());
        std::replace(m.description.begin(), m.description.end(), '_', ' ');
        m.path = entry.path();
        m.sql = read_file(entry.path());
        m.checksum = sha384(m.sql);
        m.no_transaction = m.sql.starts_with("-- no-transaction");
        out.push_back(std::move(m));
    }
    std::sort(out.begin(), out.end(), [](const Migration& a, const Migration& b) { return a.version < b.version; });
    for (std::size_t i = 1; i < out.size(); ++i)
        if (out[i].version == out[i - 1].version)
            throw MigrateError("two migrations share version " + std::to_string(out[i].version) + ": " +
                               out[i - 1].path.filename().string() + " and " + out[i].path.filename().string());
    return out;
}

fs::path find_default_source() {
    std::error_code ec;
    fs::path exe = fs::read_symlink("/proc/self/exe", ec);
    if (!ec) {
        // build-x/control/swarmline-control -> build-x/control -> build-x -> checkout
        fs::path dir = exe.parent_path();
        for (int up = 0; up < 4 && !dir.empty(); ++up, dir = dir.parent_path()) {
            if (has_migrations(dir / "migrations")) return dir / "migrations";
            if (dir == dir.root_path()) break;
        }
    }
    if (has_migrations("migrations")) return fs::absolute("migrations", ec);
    return {};
}

fs::path add_migration(const fs::path& dir, const std::string& name) {
    std::string slug = name;
    std::replace(slug.begin(), slug.end(), ' ', '_');
    if (slug.empty() || !std::all_of(slug.begin(), slug.end(), [](char c) {
            return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
        }))
        throw MigrateError("migration name '" + name + "' must be letters, digits, '_', '-' or spaces");

    std::time_t now = std::time(nullptr);
    std::tm utc{};
    gmtime_r(&now, &utc);
    char stamp[16];
    std::strftime(stamp, sizeof stamp, "%Y%m%d%H%M%S", &utc);

    fs::path path = dir / (std::string(stamp) + "_" + slug + ".sql");
    if (fs::exists(path)) throw MigrateError(path.string() + " exists already");
    std::ofstream out(path, std::ios::binary);
    std::string description = slug;
    std::replace(description.begin(), description.end(), '_', ' ');
    out << "-- " << description << ": say here what this migration does and why.\n";
    if (!out) throw MigrateError("cannot write " + path.string());
    return path;
}

}  // namespace swarmline::db
