// One UDP load worker: a few sockets, each bound to its own loopback address and connected to one
// target, each with a window of outstanding requests. Requests go out with sendmmsg and answers
// come back with recvmmsg in batches; a transaction id names its window slot, so matching an answer
// to its request is an array index and nothing is allocated while the run is under way.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "config.hpp"
#include "stats.hpp"
#include "traffic.hpp"

namespace swarmline::loadgen {

class UdpWorker {
public:
    UdpWorker(const Config& config, Traffic& traffic, unsigned index) noexcept;
    ~UdpWorker();
    UdpWorker(const UdpWorker&) = delete;
    UdpWorker& operator=(const UdpWorker&) = delete;

    // Opens and connects the sockets. Returns an empty string on success, else the reason.
    std::string open();
    // Sends until `end_ns` (or, in fill mode, until every owned peer has been answered).
    void run(std::uint64_t start_ns, std::uint64_t end_ns, WorkerResult& out);

private:
    struct Slot {
        std::uint64_t sent_ns = 0;
        std::uint16_t generation = 0;
        Kind kind = Kind::announce;
        bool busy = false;
    };
    struct Socket {
        int fd = -1;
        const Target* target = nullptr;
        std::uint64_t connection_id = 0;
        std::uint64_t connection_id_at = 0;  // when it arrived
        bool have_connection_id = false;
        bool connecting = false;  // a connect is outstanding
        std::vector<Slot> slots;
        std::vector<std::uint16_t> free_slots;
        PeerRange peers;
        std::uint32_t source = 0;  // this socket's index over all workers
    };

    // Fetches the socket's first connection id before the run, so the run measures answers only.
    std::string first_connection_id(Socket& s);
    // Encodes the next request of `s` into `buf`; 0 when the socket cannot send now.
    std::size_t build(Socket& s, std::uint64_t now, std::uint64_t sent_ns, std::uint8_t* buf, std::size_t cap,
                      Counters& c);
    // Takes every answer waiting on the socket; returns how many datagrams arrived.
    std::size_t receive(Socket& s, WorkerResult& out);
    void expire(Socket& s, std::uint64_t now, Counters& c);
    // True when the socket has nothing in flight and nothing left to send (fill or --requests).
    [[nodiscard]] bool finished(const Socket& s) const noexcept;

    const Config& config_;
    Traffic& traffic_;
    unsigned index_;
    Rng rng_;
    std::uint64_t budget_;  // requests left under --requests
    std::vector<Socket> sockets_;
    // URL data per passkey (or the one path), precomputed so a request only copies it.
    std::vector<std::vector<std::string>> url_data_;  // [target][passkey]
};

}  // namespace swarmline::loadgen
