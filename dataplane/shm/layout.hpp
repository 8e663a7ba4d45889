// The records that cross the process boundary through the shared-memory segment. This file is the
// contract between swarmline-dataplane and swarmline-control: any change to a record's size or
// meaning bumps kLayoutVersion, and a process refuses a segment of another layout.
//
// Identifiers are the 32-bit `tracker_id` columns of `users` and `torrents` (the rows' UUIDs stay in
// PostgreSQL): they keep a peer record of an IPv4 peer inside 64 bytes and an event record inside 128.
#pragma once

#include <array>
#include <cstdint>
#include <type_traits>

namespace swarmline::shm {

inline constexpr std::uint64_t kMagic = 0x314e4c4d52415753ULL;  // "SWARMLN1", little-endian
inline constexpr std::uint32_t kLayoutVersion = 1;

using UserId = std::uint32_t;
using TorrentId = std::uint32_t;
using Passkey = std::array<char, 32>;

// ---- written by control, read by every worker -------------------------------------------------

enum UserFlags : std::uint32_t {
    kUserCanLeech = 1u << 0,        // group right; a user without it may only seed
    kUserDisabled = 1u << 1,        // disabled, banned or soft-deleted: every announce refused
    kUserGroupFreeleech = 1u << 2,  // the group's downloads are not counted
    kUserDoubleUpload = 1u << 3,    // the group's uploads count twice
    kUserImmune = 1u << 4,          // no location limit (staff seedboxes)
};

struct UserEntry {  // key: passkey
    UserId user_id;
    std::uint32_t flags;                     // UserFlags
    std::uint32_t personal_freeleech_until;  // unix seconds; 0 = none
    std::uint16_t max_locations;             // 0 = the rules' default
    std::uint16_t download_factor_pct;       // group multiplier on credited download, 100 = normal
    std::uint16_t upload_factor_pct;         // group multiplier on credited upload, 100 = normal
    std::uint16_t reserved0;
    std::uint32_t reserved1;
};
static_assert(sizeof(UserEntry) == 24 && std::is_trivially_copyable_v<UserEntry>);

enum class TorrentState : std::uint8_t {
    active = 0,
    pending = 1,   // awaiting moderation: announces get a warning and a short interval
    rejected = 2,  // refused by moderation: "Unregistered torrent"
    deleted = 3,   // "Unregistered torrent: <reason>" for a day after deleted_at
};

struct TorrentEntry {  // key: info_hash v1, and the v2 hash truncated to 20 bytes, both -> one entry
    TorrentId torrent_id;
    TorrentState state;
    std::uint8_t freeleech_pct;       // share of download not counted: 0, 25, 50, 75, 100
    std::uint8_t neutral;             // 1: counts neither upload nor download
    std::uint8_t reason_code;         // why it was deleted (index into the rules' reason strings)
    std::uint16_t upload_factor_pct;  // 200 = double upload
    std::uint16_t reserved0;
    std::uint32_t freeleech_until;    // unix seconds; 0 = for as long as the flag stays set
    std::uint32_t deleted_at;         // unix seconds; meaningful when state == deleted
};
static_assert(sizeof(TorrentEntry) == 20 && std::is_trivially_copyable_v<TorrentEntry>);

struct TokenKey {  // an active freeleech token: (user, torrent) -> expiry
    UserId user_id;
    TorrentId torrent_id;
};

// ---- written by one worker, read by control ----------------------------------------------------

enum EventFlags : std::uint16_t {
    kEventSeeder = 1u << 0,          // left == 0 after this announce
    kEventNewPeer = 1u << 1,         // the peer was added to the swarm by this announce
    kEventPeerRemoved = 1u << 2,     // stopped, or reaped after the peer timeout
    kEventFirstCompletion = 1u << 3, // the first `completed` of this (user, torrent): a snatch
    kEventRebased = 1u << 4,         // counters went backwards (client restart): nothing credited
    kEventReaped = 1u << 5,          // synthesized by the reaper, not by a client
    kEventIpv6 = 1u << 6,
};

// One announce as the control process needs it to account for it. `seq` is per worker ring and
// strictly increasing from 1; control stores the last committed `seq` of each ring in the same
// PostgreSQL transaction as the rows it produced, which makes the flush exactly-once.
struct alignas(64) EventRecord {
    std::uint64_t seq;
    UserId user_id;
    TorrentId torrent_id;
    std::uint64_t uploaded_delta;            // raw bytes since the previous announce of this peer
    std::uint64_t downloaded_delta;
    std::uint64_t uploaded_credited;         // after double upload and group factors
    std::uint64_t downloaded_credited;       // after freeleech (global, torrent, group, personal, token)
    std::uint64_t left;
    std::uint64_t uploaded_total;            // the client's counters as announced
    std::uint64_t downloaded_total;
    std::uint32_t time;                      // unix seconds
    std::uint32_t seedtime_delta;            // seconds seeded since the previous announce
    std::uint8_t event;                      // proto::Event
    std::uint8_t reserved0;
    std::uint16_t flags;                     // EventFlags
    std::uint16_t port;
    std::uint16_t reserved1;
    std::array<std::uint8_t, 16> ip;         // IPv4-mapped for IPv4
    std::array<std::uint8_t, 20> peer_id;    // its first 8 bytes name the client
};
static_assert(sizeof(EventRecord) == 128 && std::is_trivially_copyable_v<EventRecord>);

}  // namespace swarmline::shm
