#include "bench_setup.hpp"

#include <libpq-fe.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <stdexcept>

#include "db/migration_source.hpp"
#include "db/migrator.hpp"

namespace swarmline::perf {
namespace {

// A connection string for `dbname` on the server of `admin_url` (which may be a URL).
std::string conninfo_for(const std::string& admin_url, const std::string& dbname) {
    const char* keys[] = {"dbname", "dbname", nullptr};
    const char* values[] = {admin_url.c_str(), dbname.c_str(), nullptr};
    PGconn* c = PQconnectdbParams(keys, values, 1);
    std::string out;
    if (PQstatus(c) == CONNECTION_OK) {
        PQconninfoOption* opts = PQconninfo(c);
        for (auto* o = opts; o && o->keyword; ++o) {
            if (!o->val || !*o->val || std::strcmp(o->keyword, "dbname") == 0) continue;
            out += std::string(o->keyword) + "='" + o->val + "' ";
        }
        PQconninfoFree(opts);
        out += "dbname='" + dbname + "'";
    }
    PQfinish(c);
    return out;
}

}  // namespace

BenchSetup::BenchSetup(const std::string& admin_url, std::uint32_t users, std::uint32_t torrents,
                       std::uint32_t shards, std::uint32_t peers_total, std::uint32_t description_bytes)
    : admin_(admin_url), dbname_("swarmline_sync_bench_" + std::to_string(getpid())) {
    admin_.exec("CREATE DATABASE " + dbname_);
    url_ = conninfo_for(admin_url, dbname_);
    db::Connection conn(url_);
    db::run_migrations(conn, db::load_migrations(SWARMLINE_MIGRATIONS_DIR));
    // Seeded without triggers (per-row side rows and notifications made seeding 20k accounts take
    // minutes on a loaded machine); the flush creates the user_statistics rows it needs itself.
    conn.exec("SET session_replication_role = replica");
    conn.exec("INSERT INTO users (username, email, password_hash, passkey, rss_key, group_id, status) "
              "SELECT 'u' || i, 'u' || i || '@example.org', 'x', lpad(i::text, 32, 'a'), lpad(i::text, 32, 'b'), "
              "(SELECT id FROM user_groups WHERE is_default), 'active' FROM generate_series(1, " +
              std::to_string(users) + ") i");
    conn.exec("INSERT INTO torrents (info_hash, name, category_id, size, status, moderated_at, description) "
              "SELECT decode(lpad(to_hex(i), 40, '0'), 'hex'), 't' || i, (SELECT min(id) FROM torrent_categories), "
              "1000000, 'approved', now(), left(repeat('Restored remaster of the original film ' || i || ', lossless "
              "audio, English subtitles, director commentary. ', " + std::to_string(description_bytes / 80 + 1) +
              "), " + std::to_string(description_bytes) + ") FROM generate_series(1, " + std::to_string(torrents) +
              ") i");
    conn.exec("RESET session_replication_role");

    char tmpl[] = "/tmp/swarmline-sync-bench-XXXXXX";
    dir_ = mkdtemp(tmpl);
    shm::SegmentLocation where;
    where.shm_dir = dir_.string();
    auto opened = shm::Segment::open(where, shm::Segment::default_sizes(shards, peers_total), shm::OpenMode::recreate);
    if (!opened.segment) throw std::runtime_error("segment: " + opened.error);
    segment_ = std::move(opened.segment);
}

BenchSetup::~BenchSetup() {
    segment_.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
    try {
        admin_.exec("DROP DATABASE " + dbname_ + " WITH (FORCE)");
    } catch (const db::Error& e) {
        std::fprintf(stderr, "dropping %s: %s\n", dbname_.c_str(), e.what());
    }
}

shm::Passkey BenchSetup::passkey(std::uint32_t user) {
    std::string s = std::to_string(user);
    s.insert(0, 32 - s.size(), 'a');
    shm::Passkey k{};
    std::memcpy(k.data(), s.data(), k.size());
    return k;
}

shm::InfoHashKey BenchSetup::info_hash(std::uint32_t torrent) {
    shm::InfoHashKey h{};
    for (int i = 0; i < 4; ++i) h[19 - i] = static_cast<std::uint8_t>(torrent >> (8 * i));
    return h;
}

}  // namespace swarmline::perf
