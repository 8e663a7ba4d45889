// What the sync's integration tests share: a private segment, accounts and torrents seeded into a
// migrated test database, and announces sent through the dataplane's real Gate and Shards (the code
// the workers run), so the events the sync drains are the ones production produces.
#pragma once

#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "db/pg.hpp"
#include "proto/types.hpp"
#include "shm/segment.hpp"
#include "swarm/engine.hpp"

namespace swarmline::control::sync::testing {

// A segment in its own temporary directory, removed at the end.
class TestSegment {
public:
    explicit TestSegment(std::uint32_t shards = 2, std::uint32_t event_ring = 4096);
    ~TestSegment();
    shm::Segment& segment() { return *segment_; }

    const std::filesystem::path& dir() const { return dir_; }
    std::string path() const { return (dir_ / "swarmline").string(); }

private:
    std::filesystem::path dir_;
    std::unique_ptr<shm::Segment> segment_;
};

struct SeededUser {
    std::uint32_t tracker_id;
    std::string passkey;
};
struct SeededTorrent {
    std::uint32_t tracker_id;
    proto::InfoHash info_hash;
};

// An enabled account in the default (Member) group.
SeededUser seed_user(db::Connection& conn, const std::string& name);
// An approved torrent.
SeededTorrent seed_torrent(db::Connection& conn, const std::string& name);

struct UserTotals {
    std::int64_t uploaded = 0, downloaded = 0, uploaded_adjusted = 0, downloaded_adjusted = 0;
    bool operator==(const UserTotals&) const = default;
};
UserTotals user_totals(db::Connection& conn, std::uint32_t tracker_id);

// The dataplane's request path without sockets: one Gate, the Shards of every worker.
class Announcer {
public:
    explicit Announcer(shm::Segment& segment);
    ~Announcer();
    // A client (peer id `peer`) of `user` reports its counters on `torrent`; `now` moves forward
    // by the minimum interval on every call so that each announce counts.
    swarm::Outcome announce(const SeededUser& user, const SeededTorrent& torrent, std::uint8_t peer,
                            std::uint64_t uploaded, std::uint64_t downloaded, std::uint64_t left,
                            proto::Event event = proto::Event::none);
    swarm::Admission admit(const SeededUser& user, const SeededTorrent& torrent);

private:
    proto::Announce make(const SeededUser& user, const SeededTorrent& torrent, std::uint8_t peer) const;
    shm::Segment& segment_;
    std::unique_ptr<swarm::Gate> gate_;
    std::vector<std::unique_ptr<swarm::Shard>> shards_;
    std::uint32_t now_;
};

}  // namespace swarmline::control::sync::testing
