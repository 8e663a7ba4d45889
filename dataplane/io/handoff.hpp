// Worker-to-worker hand-off. An announce that lands on a worker that does not own its swarm is
// admitted there (the Gate reads only control's tables) and the Admission travels with the request
// to the owner, whose Shard is the only writer of that swarm. UDP: the owner sends the reply from
// its own socket bound to the same address. HTTP: the owner renders the reply and sends the bytes
// back to the connection's worker, the only one that may write to that connection.
//
// One SPSC ring per ordered pair of workers in each direction where the receiving side owns a shard
// (requests) or the sending side does (replies), allocated once at start. Workers 0..owners-1 own
// the shards; the others (the DPDK backend's HTTP workers on the exception path) own none, so no
// ring runs between two of them. Memory, with every worker an owner:
// workers * (workers - 1) * capacity * (sizeof(HandoffRequest) + sizeof(HandoffReply)).
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "io/worker_io.hpp"
#include "proto/types.hpp"
#include "shm/spsc_ring.hpp"
#include "swarm/engine.hpp"

namespace swarmline::io {

struct HandoffRequest {
    swarm::Admission admission;
    proto::Announce announce;  // its views (passkey, user_agent) are cleared: the Gate is done with them
    proto::Endpoint from;      // the client: where a UDP reply goes, and the peer's address
    std::uint32_t transaction_id = 0;  // UDP
    ConnRef conn;                      // HTTP
    std::uint8_t socket = 0;           // UDP: the index of the address the request came to
    bool http = false;
    bool keep_alive = true;            // HTTP
};

struct HandoffReply {
    ConnRef conn;
    std::uint32_t length = 0;
    bool close = false;
    char bytes[kHttpReplyCapacity];
};

class HandoffRings {
public:
    HandoffRings(std::uint32_t workers, std::uint32_t owners, std::uint32_t capacity);

    // Requests from `from` to the owner `to` (to < owners, to != from).
    [[nodiscard]] shm::SpscRing<HandoffRequest>& requests(std::uint32_t from, std::uint32_t to) noexcept {
        return *requests_[from * workers_ + to];
    }
    // Replies from the owner `from` back to the connection's worker `to` (from < owners, to != from).
    [[nodiscard]] shm::SpscRing<HandoffReply>& replies(std::uint32_t from, std::uint32_t to) noexcept {
        return *replies_[from * workers_ + to];
    }
    [[nodiscard]] std::uint32_t workers() const noexcept { return workers_; }
    [[nodiscard]] std::uint32_t owners() const noexcept { return owners_; }

private:
    std::uint32_t workers_;
    std::uint32_t owners_;
    // Null on the diagonal and between two workers that own no shard.
    std::vector<std::unique_ptr<shm::SpscRing<HandoffRequest>>> requests_;
    std::vector<std::unique_ptr<shm::SpscRing<HandoffReply>>> replies_;
};

}  // namespace swarmline::io
