// The vocabulary between a Worker and the backend that drives it: how a connection is named, what
// one HTTP step produced, and where a worker puts replies it owes for requests that another worker
// received and handed over (the owner of a torrent answers its announces).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "proto/types.hpp"

namespace swarmline::io {

// The largest UDP reply: a 20-byte announce header and 200 IPv6 peers of 18 bytes (3620), or a
// scrape of 74 hashes (8 + 74 * 12 = 896).
inline constexpr std::size_t kUdpReplyCapacity = 4096;
// The largest HTTP reply: head (~150 bytes) and a compact body of 200 IPv4 and 200 IPv6 peers
// (4800 bytes of peers); a non-compact reply is held to 50 peers (~95 bytes each) to fit too.
inline constexpr std::size_t kHttpReplyCapacity = 8192;

// A connection of the worker that received it: the slot and the slot's generation, so a reply that
// comes back after the connection was closed and its slot reused is recognised and dropped.
struct ConnRef {
    std::uint32_t slot = 0;
    std::uint32_t generation = 0;
};

struct HttpStep {
    enum class Kind : std::uint8_t {
        need_more,  // no complete request yet
        reply,      // `length` bytes of reply were written; drop `consumed` bytes of input
        pending,    // handed to the owning worker, whose reply arrives through HttpOut; drop `consumed`
    };
    Kind kind = Kind::need_more;
    std::size_t consumed = 0;
    std::size_t length = 0;
    bool close = false;  // close the connection once the reply is sent
};

// UDP replies owed for handed-over requests go out on the owner's own socket bound to the same
// address (SO_REUSEPORT sockets share the address, so the client sees the address it wrote to).
class UdpOut {
public:
    // A send buffer of at least kUdpReplyCapacity bytes, or an empty span when none is free.
    virtual std::span<std::uint8_t> buffer() noexcept = 0;
    // Sends the first `length` bytes of the last buffer() from UDP address number `socket` to `to`.
    virtual void send(std::size_t length, std::uint32_t socket, const proto::Endpoint& to) noexcept = 0;

protected:
    ~UdpOut() = default;
};

// HTTP replies that an owner produced for one of this worker's connections.
class HttpOut {
public:
    virtual void deliver(ConnRef conn, std::string_view reply, bool close) noexcept = 0;

protected:
    ~HttpOut() = default;
};

}  // namespace swarmline::io
