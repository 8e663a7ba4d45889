// One HTTP load worker: keep-alive connections from their own loopback addresses, up to
// --pipeline requests in flight on each, driven by one epoll loop. A server that closes the
// connection after each answer (opentracker) costs a reconnect per request, which the report counts.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "config.hpp"
#include "stats.hpp"
#include "traffic.hpp"

namespace swarmline::loadgen {

class HttpWorker {
public:
    HttpWorker(const Config& config, Traffic& traffic, unsigned index) noexcept;
    ~HttpWorker();
    HttpWorker(const HttpWorker&) = delete;
    HttpWorker& operator=(const HttpWorker&) = delete;

    std::string open();
    void run(std::uint64_t start_ns, std::uint64_t end_ns, WorkerResult& out);

private:
    enum class State : std::uint8_t { closed, connecting, open };
    struct Pending {
        std::uint64_t sent_ns = 0;
        Kind kind = Kind::announce;
    };
    struct Connection {
        int fd = -1;
        State state = State::closed;
        bool closing = false;    // the server announced the close: send nothing more
        bool in_ready = false;   // open loop: listed in ready_
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
        std::size_t received = 0;
        PeerRange peers;
        std::vector<char> buf;
    };

    bool connect(Connection& c, Counters& counters);
    // Closes the connection; its pending requests are retried (`retry`) or count as `lost`.
    void close(Connection& c, bool retry, Counters& counters);
    // Sends up to `n` requests in one write, all due at `sent_ns`; returns how many went out.
    // `resend`: they replace requests a server close dropped, outside the --requests budget.
    std::uint32_t send_requests(Connection& c, std::uint32_t n, std::uint64_t sent_ns, bool resend,
                                Counters& counters);
    // Reads what arrived and consumes every complete answer. `peer_closed`: the server's FIN came
    // with this event.
    void on_readable(Connection& c, std::uint64_t now, bool peer_closed, WorkerResult& out);
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
    int epoll_ = -1;
    std::vector<Connection> connections_;
    std::vector<std::uint32_t> closed_;  // connections to open again
    std::vector<std::uint32_t> ready_;   // open loop: connections with room for a request
    std::vector<std::vector<std::string>> announce_paths_;  // [target][passkey]
    std::vector<std::vector<std::string>> scrape_paths_;
};

}  // namespace swarmline::loadgen
