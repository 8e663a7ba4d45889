// swarmline-http-ceiling: the kernel's TCP keep-alive ceiling on this machine. It answers every
// request head it reads (pipelined ones included) with one fixed, small bencoded announce reply and
// keeps no state, so what it sustains on one core is what HTTP/1.1 keep-alive over the kernel's TCP
// path allows: no HTTP tracker on the same path can answer faster.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <iostream>
#include <string>
#include <string_view>
#include <vector>

#include "base/log.hpp"
#include "base/options.hpp"
#include "pacer.hpp"
#include "swarmline_version.hpp"

namespace sl = swarmline;

namespace {

// An announce reply with no peers, as a tracker sends for a new swarm.
constexpr std::string_view kReply =
    "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 56\r\n\r\n"
    "d8:completei0e10:incompletei0e8:intervali1800e5:peers0:e";
static_assert(kReply.size() - kReply.find("\r\n\r\n") - 4 == 56);
// Requests are ~350 bytes; this holds a pipelined burst of 64 of them.
constexpr std::size_t kBuf = 32768;
constexpr int kEvents = 256;

struct Conn {
    std::string in;
    std::string out;
};

bool parse_addr(const std::string& text, sockaddr_in& out) {
    const auto colon = text.rfind(':');
    if (colon == std::string::npos) return false;
    std::uint16_t port = 0;
    if (auto [p, ec] = std::from_chars(text.data() + colon + 1, text.data() + text.size(), port); ec != std::errc{})
        return false;
    out.sin_family = AF_INET;
    out.sin_port = htons(port);
    return inet_pton(AF_INET, text.substr(0, colon).c_str(), &out.sin_addr) == 1;
}

}  // namespace

int main(int argc, char** argv) {
    std::string listen_at = "127.0.0.1:6969";
    std::uint32_t duration_s = 600;
    sl::options::Registry registry("http-ceiling");
    registry.add("http", "IPv4 address to answer on (IP:PORT; port 0: a free one, named in the ready line)", &listen_at);
    registry.add("duration", "seconds after which it exits by itself", &duration_s);
    for (int i = 1; i < argc; ++i) {
        const std::string_view a = argv[i];
        if (a == "--version") {
            std::cout << "swarmline-http-ceiling " << SWARMLINE_VERSION << "\n";
            return 0;
        }
        if (a == "--help") {
            std::cout << "usage: swarmline-http-ceiling [options]\n";
            registry.print_help(std::cout);
            return 0;
        }
    }
    if (auto err = registry.parse_args(argc, argv, 1, nullptr); !err.empty()) {
        sl::log::error("bad arguments", {{"reason", err}});
        return 2;
    }
    sockaddr_in addr{};
    if (!parse_addr(listen_at, addr)) {
        sl::log::error("bad --http address", {{"value", listen_at}});
        return 2;
    }
    const int listener = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    const int one = 1;
    ::setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    socklen_t len = sizeof addr;
    if (listener < 0 || ::bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
        ::listen(listener, 4096) != 0 || ::getsockname(listener, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
        sl::log::error("cannot listen", {{"http", listen_at}, {"reason", std::strerror(errno)}});
        return 1;
    }
    const int ep = ::epoll_create1(EPOLL_CLOEXEC);
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.fd = listener;
    ::epoll_ctl(ep, EPOLL_CTL_ADD, listener, &ev);
    sl::log::info("ready", {{"http", listen_at.substr(0, listen_at.rfind(':') + 1) + std::to_string(ntohs(addr.sin_port))}});

    std::vector<Conn> conns;  // indexed by fd: one process, fds are small and dense
    std::array<epoll_event, kEvents> events;
    static std::array<char, kBuf> buf;
    const std::uint64_t end = sl::loadgen::now_ns() + std::uint64_t{duration_s} * 1'000'000'000u;
    auto drop = [&](int fd) {
        ::close(fd);  // also leaves the epoll set
        conns[static_cast<std::size_t>(fd)] = Conn{};
    };
    while (sl::loadgen::now_ns() < end) {
        const int n = ::epoll_wait(ep, events.data(), kEvents, 200);
        for (int i = 0; i < n; ++i) {
            const int fd = events[i].data.fd;
            if (fd == listener) {
                for (int c; (c = ::accept4(listener, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0;) {
                    ::setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
                    if (conns.size() <= static_cast<std::size_t>(c)) conns.resize(static_cast<std::size_t>(c) + 1);
                    epoll_event cev{};
                    cev.events = EPOLLIN | EPOLLRDHUP;
                    cev.data.fd = c;
                    ::epoll_ctl(ep, EPOLL_CTL_ADD, c, &cev);
                }
                continue;
            }
            Conn& c = conns[static_cast<std::size_t>(fd)];
            const ssize_t r = ::recv(fd, buf.data(), buf.size(), MSG_DONTWAIT);
            if (r <= 0) {
                if (r == 0 || (errno != EAGAIN && errno != EINTR)) drop(fd);
                continue;
            }
            c.in.append(buf.data(), static_cast<std::size_t>(r));
            // One reply per complete request head, in order.
            std::size_t used = 0;
            for (auto at = c.in.find("\r\n\r\n"); at != std::string::npos; at = c.in.find("\r\n\r\n", used)) {
                c.out.append(kReply);
                used = at + 4;
            }
            c.in.erase(0, used);
            if (c.in.size() > kBuf || (!c.out.empty() && ::send(fd, c.out.data(), c.out.size(), MSG_NOSIGNAL) !=
                                                             static_cast<ssize_t>(c.out.size()))) {
                drop(fd);  // a client that sends no request end, or does not read its answers
                continue;
            }
            c.out.clear();
        }
    }
    return 0;
}
