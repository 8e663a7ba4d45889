// The records that cross the process boundary through the shared-memory segment. This file is the
// contract between swarmline-dataplane and swarmline-control: any change to a record's size or
// meaning bumps kLayoutVersion, and a process refuses a segment of another layout.
//
// Identifiers are the 32-bit `tracker_id` columns of `users` and `torrents` (the rows' UUIDs stay in
// PostgreSQL): they keep a peer record of an IPv4 peer inside 64 bytes and an event record inside 128.
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <type_traits>

namespace swarmline::shm {

inline constexpr std::uint64_t kMagic = 0x314e4c4d52415753ULL;  // "SWARMLN1", little-endian
inline constexpr std::uint32_t kLayoutVersion = 2;

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

// ---- version 2: the segment header and the records added with it -------------------------------

// The capacities a segment is created with. They are part of its layout: a process configured with
// other sizes refuses the segment (or recreates it when told to), since every offset follows from them.
struct SegmentSizes {
    std::uint32_t shards;              // = dataplane workers; each owns one shard of the swarms
    std::uint32_t peers_per_shard;     // IPv4 peers one shard can hold
    std::uint32_t v6_peers_per_shard;  // IPv6 peers one shard can hold
    std::uint32_t torrents_per_shard;  // swarms one shard can hold
    std::uint32_t users;               // users table capacity
    std::uint32_t torrents;            // torrents table capacity (a v2 torrent takes two keys)
    std::uint32_t tokens;              // freeleech tokens table capacity
    std::uint32_t event_ring;          // records per worker ring, a power of two
    std::uint32_t accumulator;         // (user, torrent) entries per shard accumulator
    std::uint32_t reserved0;
    friend bool operator==(const SegmentSizes&, const SegmentSizes&) = default;
};
static_assert(sizeof(SegmentSizes) == 40);

// Where each table starts, in bytes from the start of the segment. Per-shard regions repeat
// `shards` times, `*_stride` bytes apart.
struct SegmentOffsets {
    std::uint64_t users;
    std::uint64_t torrents;
    std::uint64_t tokens;
    std::uint64_t rules;
    std::uint64_t event_rings;
    std::uint64_t event_ring_stride;
    std::uint64_t accumulators;
    std::uint64_t accumulator_stride;
    std::uint64_t shards;
    std::uint64_t shard_stride;
};

// The first bytes of the segment. `magic` is written last by the creator (release) and read first
// by an attacher (acquire), so a segment whose creator died half-way is never taken as valid.
struct SegmentHeader {
    std::atomic<std::uint64_t> magic;
    std::uint32_t layout_version;
    std::uint32_t header_size;     // sizeof(SegmentHeader)
    std::uint64_t total_size;      // bytes mapped
    std::uint64_t created_at;      // unix seconds
    std::uint64_t segment_id;      // random at creation: control keys committed ring seqs by it
    std::array<std::uint8_t, 16> hash_key;  // SipHash key of every table, random at creation
    SegmentSizes sizes;
    SegmentOffsets offsets;
};

// A token's value: a token is active while now < expires_at.
struct TokenEntry {
    std::uint32_t expires_at;  // unix seconds
};

// ---- rules: written by control as a whole, published double-buffered ---------------------------

inline constexpr std::size_t kMaxClientPrefixes = 256;
inline constexpr std::size_t kClientPrefixBytes = 16;
inline constexpr std::size_t kMaxBannedRanges = 4096;
inline constexpr std::size_t kMaxDeleteReasons = 32;
inline constexpr std::size_t kReasonBytes = 96;

struct ClientPrefix {           // allowed when the peer_id starts with bytes[0, length)
    std::uint8_t length;        // 1..15
    std::array<char, kClientPrefixBytes - 1> bytes;
};
static_assert(sizeof(ClientPrefix) == kClientPrefixBytes);

struct IpRange {  // inclusive, IPv4 as IPv4-mapped IPv6, network byte order
    std::array<std::uint8_t, 16> first;
    std::array<std::uint8_t, 16> last;
};

struct Rules {
    std::uint32_t interval;              // seconds between announces (before jitter)
    std::uint32_t interval_jitter;       // up to this many seconds are added at random
    std::uint32_t min_interval;          // an announce sooner than this changes nothing
    std::uint32_t warning_interval;      // interval given with a warning (pending torrent, unknown peer)
    std::uint32_t peer_timeout;          // a peer silent for longer is reaped
    std::uint32_t deleted_reason_ttl;    // seconds a deleted torrent says why (a day)
    std::uint16_t numwant_default;       // 50
    std::uint16_t numwant_max;           // 200
    std::uint16_t max_locations;         // peers of one user on one torrent, unless the user says otherwise
    std::uint8_t global_freeleech;       // 1: no download is counted
    std::uint8_t global_double_upload;   // 1: every upload counts twice
    std::uint32_t peer_list_budget;      // peer lists a user may get in a burst (0 = unlimited)
    std::uint32_t peer_list_refill_per_hour;  // how fast that budget comes back
    std::uint32_t client_prefix_count;   // 0: every client allowed
    std::uint32_t banned_range_count;
    std::array<ClientPrefix, kMaxClientPrefixes> clients;
    std::array<IpRange, kMaxBannedRanges> banned;  // sorted by `first`, non-overlapping (publish sorts)
    std::array<std::uint64_t, 65536 / 64> blocked_ports;  // bit p: port p refused
    std::array<std::array<char, kReasonBytes>, kMaxDeleteReasons> delete_reasons;  // by reason_code, NUL-terminated
};
static_assert(std::is_trivially_copyable_v<Rules> && sizeof(Rules) % 8 == 0);

// ---- accumulators: one per shard, written by its worker when the event ring is full ------------

// Cumulative since the entry was (re)used for this (user, torrent): `gen` changes whenever the
// worker reuses the slot. Control commits `entry - ack` and then writes the entry's values as the
// slot's ack; the worker reuses a slot only when its ack equals its entry (gen and announces).
struct AccumulatorEntry {
    std::uint32_t gen;          // 0: slot never used
    UserId user_id;
    TorrentId torrent_id;
    std::uint32_t announces;    // announces folded into this entry
    std::uint64_t uploaded_raw;
    std::uint64_t downloaded_raw;
    std::uint64_t uploaded_credited;
    std::uint64_t downloaded_credited;
    std::uint64_t seedtime;     // seconds
    std::uint32_t completions;  // first completions (snatches)
    std::uint32_t reserved0;
};
static_assert(sizeof(AccumulatorEntry) == 64 && std::is_trivially_copyable_v<AccumulatorEntry>);

}  // namespace swarmline::shm
