// The admin listener: GET /metrics (Prometheus text) and GET /health, one short request per
// connection. It runs on the main thread beside the signal handling; it is not on the request path,
// so it is plain blocking sockets with timeouts, one connection at a time.
#pragma once

#include <functional>
#include <string>

#include "io/net/address.hpp"

namespace swarmline::daemon {

class Admin {
public:
    Admin() = default;
    ~Admin();
    Admin(const Admin&) = delete;
    Admin& operator=(const Admin&) = delete;

    // Binds and listens; fills in the port when it was 0. Empty on success.
    [[nodiscard]] std::string open(io::net::Address& address);
    [[nodiscard]] int fd() const noexcept { return fd_; }
    // Accepts one connection and answers it. `metrics` renders the /metrics body; `healthy` says
    // whether /health answers 200.
    void serve_one(const std::function<std::string()>& metrics, bool healthy) noexcept;

private:
    int fd_ = -1;
};

}  // namespace swarmline::daemon
