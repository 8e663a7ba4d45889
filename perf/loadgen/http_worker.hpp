// One HTTP load worker: keep-alive connections from their own loopback addresses, up to
// --pipeline requests in flight on each, all on one io_uring: a connect, then a multishot receive
// into a provided buffer ring per connection, and the requests of a turn queued as one send per
// connection and submitted together with the wait for answers, one system call per turn. A server
// that closes the connection after each answer (opentracker) costs a reconnect per request, which
// the report counts.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "config.hpp"
#include "proto/bencode.hpp"
#include "stats.hpp"
#include "traffic.hpp"
#include "uring.hpp"

namespace swarmline::loadgen {

class HttpWorker {
public:
    HttpWorker(const Config& config, Traffic& traffic, unsigned index) noexcept;
    ~HttpWorker();
    HttpWorker(const HttpWorker&) = delete;
    HttpWorker& operator=(const HttpWorker&) = delete;

    // Prepares the connections and the ring. Returns an empty string on success, else the reason.
    std::string open();
    void run(std::uint64_t start_ns, std::uint64_t end_ns, WorkerResult& out);

private:
    // draining: closed on our side while the kernel still holds some of its requests; the socket is
    // closed, and the connection opened again, once they have all completed.
    enum class State : std::uint8_t { closed, connecting, open, draining };
    struct Pending {
        std::uint64_t sent_ns = 0;
        Kind kind = Kind::announce;
    };
    struct Connection {
        int fd = -1;
        State state = State::closed;
        bool closing = false;    // the server announced the close: send nothing more
        bool in_ready = false;   // open loop: listed in ready_
        bool sending = false;    // a send of out[0, out_sending) is in flight
        std::uint8_t ops = 0;    // requests the kernel holds for this connection
        const Target* target = nullptr;
        std::uint32_t source_ipv4 = 0;  // host order; 0 for IPv6
        std::array<Pending, kMaxPipeline> pending;  // a ring: answers come in request order
        std::uint32_t head = 0;
        std::uint32_t count = 0;
        // Requests the server dropped by closing a kept-alive connection before answering them
        // (HTTP allows that; clients send them again on a new connection), and the due time of
        // the oldest.
        std::uint32_t retry = 0;
        std::uint64_t retry_ns = 0;
        std::uint32_t answered = 0;  // answers on this connection so far
        std::size_t received = 0;    // bytes of unfinished answers at the start of `in`
        std::size_t out_len = 0;     // request bytes in `out` not yet sent
        std::size_t out_sending = 0;
        PeerRange peers;
        std::unique_ptr<char[]> buffers;  // `in`, then `out`
        char* in = nullptr;
        char* out = nullptr;
    };

    bool connect(Connection& c, Counters& counters);
    // Closes the connection; its pending requests are retried (`retry`) or count as invalid.
    void close(Connection& c, bool retry, Counters& counters);
    // Closes the socket of a closed connection once the kernel holds none of its requests.
    void release_if_idle(Connection& c) noexcept;
    // Queues up to `n` requests, all due at `sent_ns`, and their send; returns how many.
    // `resend`: they replace requests a server close dropped, outside the --requests budget.
    std::uint32_t send_requests(Connection& c, std::uint32_t n, std::uint64_t sent_ns, bool resend,
                                Counters& counters);
    void arm_send(Connection& c) noexcept;
    void arm_receive(Connection& c) noexcept;
    void on_completion(const io_uring_cqe& cqe, std::uint64_t now, WorkerResult& out);
    // Takes `data` that arrived and consumes every complete answer; false when that closed `c`.
    bool on_data(Connection& c, std::string_view data, std::uint64_t now, WorkerResult& out);
    // A connection with room: closed loop fills it at once, open loop lists it for due requests.
    void refill(Connection& c, std::uint64_t now, Counters& counters);
    void on_answer(Connection& c, std::string_view head_and_body, std::size_t head_size, std::uint16_t status,
                   std::uint64_t now, WorkerResult& out);
    std::size_t build(Connection& c, Kind kind, char* out, std::size_t cap);
    [[nodiscard]] std::uint32_t room(const Connection& c) const noexcept;
    [[nodiscard]] std::uint32_t index_of(const Connection& c) const noexcept {
        return static_cast<std::uint32_t>(&c - connections_.data());
    }

    const Config& config_;
    Traffic& traffic_;
    unsigned index_;
    Rng rng_;
    std::uint64_t budget_;  // requests left under --requests
    bool open_loop_ = false;
    Ring ring_;
    BufferRing buffers_;
    unsigned sends_queued_ = 0;  // since the last submit: each completes at once
    std::vector<Connection> connections_;
    std::vector<std::uint32_t> closed_;  // connections to open again
    std::vector<std::uint32_t> ready_;   // open loop: connections with room for a request
    // Where answers are decoded: enough for an announce reply (about 14 tokens) and a scrape of
    // 74 files (3 + 74 * 8). Set up once: initialising this many tokens is ~20 KiB of stores, and
    // an answer uses a few of them.
    std::array<proto::bencode::Token, 640> tokens_;
    std::vector<std::vector<std::string>> announce_paths_;  // [target][passkey]
    std::vector<std::vector<std::string>> scrape_paths_;
};

}  // namespace swarmline::loadgen
