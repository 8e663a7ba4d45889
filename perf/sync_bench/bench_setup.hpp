// What the sync benchmarks share: a throw-away database on the server a superuser URL names,
// migrated and seeded with accounts and approved torrents, and a segment in a temporary directory.
// Both are removed when the object goes.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

#include "db/pg.hpp"
#include "shm/segment.hpp"

namespace swarmline::perf {

class BenchSetup {
public:
    // `shards` worker rings, tables sized for `peers_total` peers (Segment::default_sizes).
    // Accounts u1..uN (passkey: the number left-padded with 'a' to 32 characters) and torrents
    // t1..tM (info_hash: the number in hex, left-padded with zeros to 40 digits), all enabled, each
    // with a `description_bytes`-byte English description (the search vector's largest input).
    BenchSetup(const std::string& admin_url, std::uint32_t users, std::uint32_t torrents, std::uint32_t shards,
               std::uint32_t peers_total, std::uint32_t description_bytes = 0);
    ~BenchSetup();
    BenchSetup(const BenchSetup&) = delete;
    BenchSetup& operator=(const BenchSetup&) = delete;

    const std::string& url() const noexcept { return url_; }
    shm::Segment& segment() noexcept { return *segment_; }

    static shm::Passkey passkey(std::uint32_t user);
    static shm::InfoHashKey info_hash(std::uint32_t torrent);

private:
    db::Connection admin_;
    std::string dbname_;
    std::string url_;
    std::filesystem::path dir_;
    std::unique_ptr<shm::Segment> segment_;
};

}  // namespace swarmline::perf
