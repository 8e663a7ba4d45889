// The HTTP/1.1 server of swarmline-control (Boost.Beast): keep-alive, limits on header and body
// size, a timeout on every read and write. I/O threads only parse and write; each request runs on
// a separate worker pool, because handlers make blocking libpq calls and an I/O thread must never
// wait on PostgreSQL.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "http/message.hpp"

namespace swarmline::http {

struct ServerConfig {
    std::string address = "127.0.0.1";
    std::uint16_t port = 8080;  // 0 picks a free port (tests): read it back with Server::port()
    unsigned io_threads = 1;
    unsigned worker_threads = 4;  // a worker holds a pooled PostgreSQL connection while it runs
    std::size_t header_limit = 16 * 1024;    // a browser's cookies and headers fit in well under 8 KiB
    std::size_t body_limit = 1024 * 1024;    // JSON requests; uploads (.torrent files) stay below 1 MiB
    std::chrono::seconds read_timeout{30};   // whole request, from its first byte
    std::chrono::seconds idle_timeout{60};   // keep-alive connection waiting for its next request
    std::chrono::seconds write_timeout{30};
};

// Counters the server keeps itself (a handler never sees these requests).
struct ServerStats {
    std::atomic<std::uint64_t> connections{0};
    std::atomic<std::uint64_t> rejected_oversized{0};  // 413 and 431
    std::atomic<std::uint64_t> rejected_malformed{0};  // 400 before routing
    std::atomic<std::uint64_t> timeouts{0};
};

using RequestHandler = std::function<Response(Request&)>;

class Server {
public:
    Server(ServerConfig config, RequestHandler handler);
    ~Server();
    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;

    // Binds, listens and starts the threads; throws std::system_error when the address is unusable.
    // The server accepts connections once this returns.
    void start();
    // Stops accepting, closes connections, waits for running handlers. Idempotent.
    void stop();
    std::uint16_t port() const noexcept;
    const ServerStats& stats() const noexcept;

    struct Impl;  // named by the connection code in server.cpp

private:
    std::unique_ptr<Impl> impl_;
};

}  // namespace swarmline::http
