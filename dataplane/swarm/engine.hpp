// The swarm engine, as the daemon's workers call it.
//
//   Gate   one per worker: checks an announce against the control-written tables (passkey, user,
//          torrent, client, IP, port, leech right) and says which shard owns its swarm. Read-only
//          on shared memory; keeps its own copy of the rules, refreshed when control publishes.
//   Shard  one per worker, the only writer of its swarms: updates the peer, picks peers, accounts,
//          and appends the EventRecord to its ring (or folds it into its accumulator when full).
//
// A worker receiving an announce calls its Gate; on failure it answers at once (the message views
// the Gate's storage until the Gate's next call). Otherwise the Admission (self-contained, trivially
// copyable) goes with the request to the worker whose index is `admission.shard`, which calls its
// Shard. Nothing here allocates, throws, or logs per request.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

#include "proto/types.hpp"
#include "shm/layout.hpp"
#include "shm/segment.hpp"

namespace swarmline::swarm {

enum class Outcome : std::uint8_t {
    ok,
    warning,  // answered normally, with a `warning message` (and possibly a short interval)
    failure,  // answered with a `failure reason`; nothing changed
};

// What a Shard needs from the rules, carried inside each Admission so that the owning worker does
// not depend on its own Gate's copy being as fresh.
struct Policy {
    std::uint32_t interval = 1800;
    std::uint32_t interval_jitter = 180;
    std::uint32_t min_interval = 300;
    std::uint32_t warning_interval = 300;
    std::uint32_t peer_timeout = 2700;
    std::uint16_t numwant_default = 50;
    std::uint16_t numwant_max = 200;
    std::uint16_t max_locations = 3;  // 0: unlimited (immune users, open mode)
    std::uint16_t reserved0 = 0;
    std::uint32_t peer_list_budget = 0;  // 0: unlimited
    std::uint32_t peer_list_refill_per_hour = 0;
};

struct Admission {
    Outcome outcome = Outcome::failure;
    std::string_view message;        // static, or the Gate's rules copy (failures only)
    std::uint32_t shard = 0;         // the worker owning the swarm
    proto::InfoHash swarm{};         // the key of the swarm it joins (swarm_key_of), set when admitted
    shm::UserId user_id = 0;         // 0 in open mode
    shm::TorrentId torrent_id = 0;   // 0 in open mode
    std::uint16_t download_pct = 100;  // share of the downloaded delta credited, after every freeleech
    std::uint16_t upload_pct = 100;    // share of the uploaded delta credited (200: double upload)
    bool can_leech = true;
    bool short_interval = false;     // warning: answer with policy.warning_interval
    Policy policy;
};

struct GateConfig {
    bool open_mode = false;  // no passkeys, any info_hash tracked, user 0, no accounting rules
    std::uint32_t shards = 1;
};

class Gate {
public:
    Gate(const shm::Segment& segment, GateConfig config);
    ~Gate();
    Gate(const Gate&) = delete;
    Gate& operator=(const Gate&) = delete;

    // `from`: the address the request came from (the one banned ranges are checked against).
    Admission admit(const proto::Announce& a, const proto::Endpoint& from, std::uint32_t now) noexcept;
    // Optional: starts loading what admit(a) will read. A worker with a batch of requests calls
    // prefetch on all of them, then admit on each: their cache misses overlap instead of adding up.
    void prefetch(const proto::Announce& a) const noexcept;
    // Checks the passkey and the user (open mode: always ok). Only `outcome` and `message` matter.
    Admission admit_scrape(const proto::Scrape& s, const proto::Endpoint& from, std::uint32_t now) noexcept;

    // The rules this Gate answers with (refreshed from the segment at each call when published).
    [[nodiscard]] const shm::Rules& rules() noexcept;

private:
    struct State;
    std::unique_ptr<State> s_;
};

// Caller-provided reply buffers; each may be null when that form is not wanted.
struct PeerOutput {
    std::uint8_t* v4 = nullptr;       // 6 bytes per peer
    std::size_t v4_capacity = 0;      // peers
    std::uint8_t* v6 = nullptr;       // 18 bytes per peer
    std::size_t v6_capacity = 0;      // peers
    std::uint8_t* peer_ids4 = nullptr;  // 20 bytes per IPv4 peer (HTTP non-compact form), same order
    std::uint8_t* peer_ids6 = nullptr;
};
// Enough for numwant_max peers of one family.
inline constexpr std::size_t kMaxPeersPerReply = 200;

struct AnnounceResult {
    Outcome outcome = Outcome::ok;
    std::string_view message;  // static text
    std::uint32_t interval = 0;
    std::uint32_t min_interval = 0;
    std::uint32_t complete = 0;    // seeders
    std::uint32_t incomplete = 0;  // leechers
    std::uint32_t downloaded = 0;  // completed
    std::uint32_t n4 = 0;          // peers written to out.v4
    std::uint32_t n6 = 0;          // peers written to out.v6
};

struct ScrapeCounts {
    std::uint32_t complete = 0;
    std::uint32_t incomplete = 0;
    std::uint32_t downloaded = 0;
};

class Shard {
public:
    // Attaches to shard `index` of the segment and rebuilds its private indexes from the swarms
    // there (peers survive a restart). Allocates those indexes once, here.
    Shard(shm::Segment& segment, std::uint32_t index, std::uint64_t rng_seed);
    ~Shard();
    Shard(const Shard&) = delete;
    Shard& operator=(const Shard&) = delete;

    // `peer`: the address the peer is listed under (the request's source address, or the one it
    // claimed when the daemon trusts that). Peers of the other family are added to the reply only
    // when the announce claimed an address of that family (BEP 7).
    AnnounceResult announce(const Admission& adm, const proto::Announce& a, const proto::Endpoint& peer,
                            std::uint32_t now, PeerOutput& out) noexcept;

    // Optional, as Gate::prefetch: starts loading the swarm and peer index entries announce() reads.
    void prefetch(const Admission& adm, const proto::Announce& a, const proto::Endpoint& peer) const noexcept;

    // Removes peers silent for longer than the peer timeout, visiting at most `budget` swarm slots
    // from where the previous call stopped. Call it from the worker's idle loop. Returns peers removed.
    std::size_t reap(std::uint32_t now, std::size_t budget) noexcept;

    [[nodiscard]] std::uint32_t index() const noexcept;

private:
    struct State;
    std::unique_ptr<State> s_;
};

// The key of a registered torrent's swarm. A hybrid torrent has two info hashes (v1, truncated v2) and
// a client announces it under both with the same totals: one swarm per torrent id makes the second
// announce a re-announce of the same peer instead of a second peer whose bytes would be credited
// again. Open mode has no torrent ids: its swarms are keyed by the info hash itself.
[[nodiscard]] proto::InfoHash swarm_key_of(shm::TorrentId torrent) noexcept;

// The shard owning a swarm key among `nshards`.
[[nodiscard]] std::uint32_t shard_of(const proto::InfoHash& h, std::uint32_t nshards) noexcept;

// Lock-free from any thread or process: the counts of the swarm `h` is announced to (zeroes when
// none). In private mode that is a registered torrent's, whichever of its hashes `h` is; an open
// tracker keys swarms by the hash alone, even of a torrent that control also registered.
[[nodiscard]] ScrapeCounts scrape_counts(const shm::Segment& segment, const proto::InfoHash& h, bool open_mode) noexcept;

// True for user agents of web browsers (an HTTP announce from a browser is refused).
[[nodiscard]] bool is_browser_user_agent(std::string_view user_agent) noexcept;

}  // namespace swarmline::swarm
