// One flush's worth of event records folded into the rows PostgreSQL needs: a delta per user, the
// latest state of each peer, a delta per torrent and the snatches. Pure: no I/O, so the arithmetic
// the users' ratio depends on is unit-tested without a database.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <unordered_map>
#include <vector>

#include "shm/layout.hpp"

namespace swarmline::control::sync {

struct UserDelta {
    shm::UserId user_id = 0;
    std::uint64_t uploaded_raw = 0;
    std::uint64_t downloaded_raw = 0;
    std::uint64_t uploaded = 0;    // credited (the ratio's numerator)
    std::uint64_t downloaded = 0;  // credited
    std::uint64_t seedtime = 0;    // seconds
};

// A peer is one client of one user on one torrent: (torrent, user, peer_id).
struct PeerState {
    shm::TorrentId torrent_id = 0;
    shm::UserId user_id = 0;
    std::array<std::uint8_t, 20> peer_id{};
    std::array<std::uint8_t, 16> ip{};
    std::uint16_t port = 0;
    bool seeder = false;
    bool removed = false;  // the last event of the batch took it out of the swarm
    std::uint64_t uploaded_total = 0;    // the client's counters at its last announce
    std::uint64_t downloaded_total = 0;
    std::uint64_t left = 0;
    std::uint64_t uploaded_delta = 0;    // raw, over this batch
    std::uint64_t downloaded_delta = 0;
    std::uint64_t uploaded_credited = 0;
    std::uint64_t downloaded_credited = 0;
    std::uint64_t seedtime = 0;
    std::uint32_t announces = 0;
    std::uint32_t first_time = 0;        // unix seconds of its first and last event in the batch
    std::uint32_t last_time = 0;
    std::uint32_t completed_time = 0;    // of its `completed` event in the batch, 0 when none
};

struct TorrentDelta {
    shm::TorrentId torrent_id = 0;
    std::uint32_t completed = 0;  // `completed` events
    std::uint32_t snatches = 0;   // first completions of a (user, torrent)
    std::uint32_t last_time = 0;
    std::uint64_t uploaded_raw = 0;
    std::uint64_t downloaded_raw = 0;
    std::uint32_t announces = 0;
};

struct Snatch {
    shm::UserId user_id = 0;
    shm::TorrentId torrent_id = 0;
    std::uint32_t time = 0;
};

// What a batch did on one (user, torrent), the row of `snatches`: the sums over the user's peers on
// the torrent, their first and last event, the address of the latest; or, for a completion that
// reached control through an accumulator without records, only its time (first = last, no address).
struct PairDelta {
    shm::UserId user_id = 0;
    shm::TorrentId torrent_id = 0;
    std::uint64_t uploaded = 0, downloaded = 0, uploaded_credited = 0, downloaded_credited = 0, seedtime = 0;
    std::uint32_t first_time = 0, last_time = 0;
    std::array<std::uint8_t, 16> ip{};
    bool has_ip = false;
};

class EventBatch {
public:
    // Folds records in ring order (a peer's last record decides its state).
    void add(std::span<const shm::EventRecord> records);
    // Adds what reached control without records: the growth of an accumulator entry since its
    // last commit (`delta` holds differences, not totals), observed at `now`.
    void add_accumulated(const shm::AccumulatorEntry& delta, std::uint32_t now);
    void clear();

    std::vector<UserDelta> users() const;
    std::vector<PeerState> peers() const;
    std::vector<TorrentDelta> torrents() const;
    const std::vector<Snatch>& snatches() const noexcept { return snatches_; }
    std::vector<PairDelta> pairs() const;
    std::size_t events() const noexcept { return events_; }
    std::uint32_t oldest_time() const noexcept { return oldest_time_; }
    bool empty() const noexcept { return users_.empty(); }

private:
    struct PeerKey {
        shm::TorrentId torrent_id;
        shm::UserId user_id;
        std::array<std::uint8_t, 20> peer_id;
        bool operator==(const PeerKey&) const = default;
    };
    struct PeerKeyHash {
        std::size_t operator()(const PeerKey& k) const noexcept;
    };
    std::unordered_map<shm::UserId, UserDelta> users_;
    std::unordered_map<PeerKey, PeerState, PeerKeyHash> peers_;
    std::unordered_map<shm::TorrentId, TorrentDelta> torrents_;
    std::vector<Snatch> snatches_;
    std::size_t events_ = 0;
    std::uint32_t oldest_time_ = 0;
};

}  // namespace swarmline::control::sync
