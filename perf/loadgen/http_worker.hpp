// One HTTP load worker: keep-alive connections from its own loopback addresses, one request in
// flight on each, driven by one epoll loop. A server that closes the connection after each answer
// (opentracker) costs a reconnect per request, which the report counts.
#pragma once

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
    enum class State : std::uint8_t { closed, connecting, idle, waiting };
    struct Connection {
        int fd = -1;
        State state = State::closed;
        const Target* target = nullptr;
        std::uint32_t source_ipv4 = 0;  // host order; 0 for IPv6
        Kind kind = Kind::announce;
        std::uint64_t sent_ns = 0;
        // A request the server dropped by closing a kept-alive connection before answering (HTTP
        // allows that; clients send the request again on a new connection): its due time, or 0.
        std::uint64_t retry_ns = 0;
        std::uint32_t answered = 0;  // answers on this connection so far
        std::size_t received = 0;
        PeerRange peers;
        std::vector<char> buf;
    };

    bool connect(Connection& c, Counters& counters);
    void close(Connection& c);
    bool send_request(Connection& c, std::uint64_t sent_ns, Counters& counters);
    // Reads what arrived; returns false when the connection was closed. `peer_closed`: the server's
    // FIN came with this event, so the connection is not reused after the answer.
    bool on_readable(Connection& c, std::uint64_t now, bool peer_closed, WorkerResult& out);
    std::size_t build(Connection& c, char* out, std::size_t cap);

    const Config& config_;
    Traffic& traffic_;
    unsigned index_;
    Rng rng_;
    int epoll_ = -1;
    std::vector<Connection> connections_;
    std::vector<std::vector<std::string>> announce_paths_;  // [target][passkey]
    std::vector<std::vector<std::string>> scrape_paths_;
};

}  // namespace swarmline::loadgen
