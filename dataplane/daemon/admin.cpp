#include "daemon/admin.hpp"

#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <string_view>

#include "io/net/socket.hpp"

namespace swarmline::daemon {
namespace {

void reply(int fd, std::string_view status, std::string_view type, std::string_view body) {
    std::string head = "HTTP/1.1 " + std::string(status) + "\r\nContent-Type: " + std::string(type) +
                       "\r\nContent-Length: " + std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n";
    std::string all = head + std::string(body);
    std::size_t sent = 0;
    while (sent < all.size()) {
        ssize_t n = ::send(fd, all.data() + sent, all.size() - sent, MSG_NOSIGNAL);
        if (n <= 0) return;
        sent += static_cast<std::size_t>(n);
    }
}

}  // namespace

Admin::~Admin() {
    if (fd_ >= 0) ::close(fd_);
}

std::string Admin::open(io::net::Address& address) {
    std::string error;
    fd_ = io::net::open_tcp_listener(address, 16, error);
    return fd_ < 0 ? "admin: " + error : std::string();
}

void Admin::serve_one(const std::function<std::string()>& metrics, bool healthy) noexcept {
    int c = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (c < 0) return;
    // A scraper that sends nothing must not hold the main thread (which also handles signals).
    timeval tv{1, 0};
    ::setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    ::setsockopt(c, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    char buf[2048];
    std::size_t len = 0;
    while (len < sizeof buf) {
        ssize_t n = ::recv(c, buf + len, sizeof buf - len, 0);
        if (n <= 0) break;
        len += static_cast<std::size_t>(n);
        if (std::string_view(buf, len).find("\r\n\r\n") != std::string_view::npos) break;
    }
    std::string_view req(buf, len);
    std::string_view line = req.substr(0, req.find("\r\n"));
    if (line.starts_with("GET /metrics ")) {
        reply(c, "200 OK", "text/plain; version=0.0.4; charset=utf-8", metrics());
    } else if (line.starts_with("GET /health ")) {
        if (healthy) reply(c, "200 OK", "text/plain", "ok\n");
        else reply(c, "503 Service Unavailable", "text/plain", "stopping\n");
    } else if (line.starts_with("GET ")) {
        reply(c, "404 Not Found", "text/plain", "not found: /metrics, /health\n");
    } else {
        reply(c, "400 Bad Request", "text/plain", "bad request\n");
    }
    ::close(c);
}

}  // namespace swarmline::daemon
