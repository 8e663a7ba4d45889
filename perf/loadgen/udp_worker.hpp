// One UDP load worker: a few sockets, each bound to its own loopback address and connected to one
// target, each with a window of outstanding requests, all on one io_uring. Each socket has a
// multishot receive into a provided buffer ring; a turn of the loop queues every request the
// window (or the schedule) allows as one send each and submits them together with the wait for
// answers, one system call. A transaction id names its window slot, and each slot holds its
// request's bytes, so matching an answer is an array index and nothing is allocated while the run
// is under way.
#pragma once

#include <sys/socket.h>

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "config.hpp"
#include "stats.hpp"
#include "traffic.hpp"
#include "uring.hpp"

namespace swarmline::loadgen {

class UdpWorker {
public:
    UdpWorker(const Config& config, Traffic& traffic, unsigned index) noexcept;
    ~UdpWorker();
    UdpWorker(const UdpWorker&) = delete;
    UdpWorker& operator=(const UdpWorker&) = delete;

    // Opens and connects the sockets and prepares the ring. Returns an empty string on success, else
    // the reason.
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
        // Slot i's request is at i * kRequestBuf: the kernel reads it when the send is submitted,
        // and the slot is not reused before its answer or its timeout.
        std::unique_ptr<std::uint8_t[]> requests;
        PeerRange peers;
        std::uint32_t source = 0;  // this socket's index over all workers
    };

    // Fetches the socket's first connection id before the run, so the run measures answers only.
    std::string first_connection_id(Socket& s);
    // Encodes the next request of `s` into its slot and queues its send; false when the socket
    // cannot send now.
    bool send_one(Socket& s, std::uint64_t now, std::uint64_t sent_ns, Counters& c);
    void arm_receive(std::uint32_t socket) noexcept;
    // One datagram that arrived on `s` at `now`.
    void on_datagram(Socket& s, std::span<const std::uint8_t> data, bool truncated, std::uint64_t now,
                     WorkerResult& out);
    void expire(Socket& s, std::uint64_t now, Counters& c);
    // True when the socket has nothing in flight and nothing left to send (fill or --requests).
    [[nodiscard]] bool finished(const Socket& s) const noexcept;

    const Config& config_;
    Traffic& traffic_;
    unsigned index_;
    Rng rng_;
    std::uint64_t budget_;  // requests left under --requests
    std::vector<Socket> sockets_;
    Ring ring_;
    BufferRing buffers_;
    msghdr recv_template_{};  // multishot recvmsg: no address (the sockets are connected)
    // URL data per passkey (or the one path), precomputed so a request only copies it.
    std::vector<std::vector<std::string>> url_data_;  // [target][passkey]
};

}  // namespace swarmline::loadgen
