// One worker: the request logic between the bytes a backend receives and the swarm engine. It
// parses with the protocol library, admits with its Gate, answers from its own Shard or hands the
// request to the owning worker, and writes the reply into the backend's buffer. No I/O, no
// allocation per request, no logging per request (counters instead).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <optional>
#include <string_view>
#include <vector>

#include "io/counters.hpp"
#include "io/handoff.hpp"
#include "io/worker_io.hpp"
#include "proto/connection_id.hpp"
#include "proto/http_request.hpp"
#include "shm/segment.hpp"
#include "swarm/engine.hpp"

namespace swarmline::io {

// What every worker shares: the segment, the mode, the secret of connection ids (the same in every
// worker, so an id issued by one is accepted by all), and the hand-off rings.
struct WorkerContext {
    shm::Segment* segment = nullptr;
    HandoffRings* rings = nullptr;
    std::uint32_t workers = 1;
    // Workers 0..shards-1 own shard `index` each (the segment has this many). The others own none
    // and hand every announce to its owner: the DPDK backend's HTTP workers, which serve the kernel
    // side of the exception path while the DPDK workers own the swarms.
    std::uint32_t shards = 1;
    bool open_mode = false;
    std::uint32_t reap_budget = 1024;
    proto::ConnectionIds::Secret connection_secret{};
};

// Read from any thread for /metrics.
struct WorkerGauges {
    std::uint64_t peers = 0;
    std::uint64_t torrents = 0;
    std::uint64_t event_ring_depth = 0;
    std::uint64_t event_ring_capacity = 0;
    std::uint64_t handoff_depth = 0;
    std::uint64_t folded = 0;  // announces folded into the accumulator while the event ring was full
};

class Worker {
public:
    Worker(const WorkerContext& context, std::uint32_t index);
    Worker(const Worker&) = delete;
    Worker& operator=(const Worker&) = delete;

    [[nodiscard]] std::uint32_t index() const noexcept { return index_; }
    [[nodiscard]] WorkerCounters& counters() noexcept { return counters_; }
    [[nodiscard]] const WorkerCounters& counters() const noexcept { return counters_; }
    [[nodiscard]] WorkerGauges gauges() const noexcept;

    // ---- called by the backend, on the worker's thread only ----

    // Once per batch of completions: the clock for every request of the batch.
    void begin_batch(std::uint64_t now_s) noexcept;
    // One datagram from `from` on UDP address number `socket`: the reply's length in `out` (at least
    // kUdpReplyCapacity bytes), or 0 when nothing is sent now (dropped, or handed to the owner).
    std::size_t on_datagram(std::span<const std::uint8_t> in, const proto::Endpoint& from, std::uint32_t socket,
                            std::span<std::uint8_t> out) noexcept;
    // The first request in `in` (what a connection received and has not consumed). `buffer_full`:
    // the connection's input buffer is full, so waiting for more is not an option. `out` has at
    // least kHttpReplyCapacity bytes.
    HttpStep on_http(std::string_view in, bool buffer_full, const proto::Endpoint& peer, ConnRef conn,
                     std::span<char> out) noexcept;
    // The 503 a connection over the cap gets before it is closed.
    std::size_t write_busy(std::span<char> out) noexcept;
    // Answers requests other workers handed over, and delivers replies for this worker's connections.
    void drain(UdpOut& udp, HttpOut& http) noexcept;
    // The workers to wake because this one handed them something since the last call (bit i).
    [[nodiscard]] std::uint64_t take_wake_mask() noexcept {
        std::uint64_t m = wake_mask_;
        wake_mask_ = 0;
        return m;
    }
    // Once a second: reaps silent peers within the budget.
    void housekeeping(std::uint64_t now_s) noexcept;

private:
    std::size_t udp_announce(const proto::Announce& a, const swarm::Admission& adm, const proto::Endpoint& from,
                             std::uint32_t transaction_id, std::span<std::uint8_t> out) noexcept;
    std::size_t http_announce(const proto::Announce& a, const swarm::Admission& adm, const proto::Endpoint& from,
                              bool keep_alive, std::span<char> out) noexcept;
    HttpStep http_error(std::uint16_t status, std::string_view reason, std::size_t consumed,
                        std::span<char> out) noexcept;
    HttpStep http_failure(std::string_view reason, bool keep_alive, std::size_t consumed, std::span<char> out) noexcept;
    HttpStep http_scrape(const proto::Scrape& s, const proto::Endpoint& from, bool keep_alive, std::size_t consumed,
                         std::span<char> out) noexcept;
    bool hand_off(const HandoffRequest& request) noexcept;

    WorkerContext context_;
    std::uint32_t index_;
    WorkerCounters counters_;
    swarm::Gate gate_;
    std::optional<swarm::Shard> shard_;  // empty: a worker that owns no shard
    proto::ConnectionIds ids_;
    proto::http::Limits limits_{};
    std::uint32_t now_ = 0;
    std::uint64_t wake_mask_ = 0;

    // Scratch for one reply at a time: peers as the shard picks them, the bencoded body, and one
    // hand-off reply being built or waiting for room in its ring.
    std::uint8_t peers4_[swarm::kMaxPeersPerReply * 6];
    std::uint8_t peers6_[swarm::kMaxPeersPerReply * 18];
    proto::PeerId ids4_[swarm::kMaxPeersPerReply];
    proto::PeerId ids6_[swarm::kMaxPeersPerReply];
    char body_[kHttpReplyCapacity];
    HandoffReply reply_in_;
    // A reply whose ring back to its worker was full waits here, and requests from that worker are
    // not taken until it is delivered: back-pressure instead of a lost reply.
    std::vector<HandoffReply> stalled_;
    std::vector<bool> is_stalled_;
};

}  // namespace swarmline::io
