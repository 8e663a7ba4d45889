#include "io/net/socket.hpp"

#include <netinet/tcp.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace swarmline::io::net {
namespace {

int open_bound(Address& addr, int type, std::string& error) {
    int fd = ::socket(addr.storage.ss_family, type | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        error = std::string("socket: ") + std::strerror(errno);
        return -1;
    }
    int one = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one);
    // An IPv6 socket takes only IPv6, so `[::]:P` and `0.0.0.0:P` can both be configured.
    if (addr.v6()) ::setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
    if (::bind(fd, addr.sa(), addr.length) != 0) {
        error = "bind " + to_string(addr) + ": " + std::strerror(errno);
        ::close(fd);
        return -1;
    }
    socklen_t len = sizeof addr.storage;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr.storage), &len);
    return fd;
}

}  // namespace

int open_udp(Address& addr, std::string& error) {
    int fd = open_bound(addr, SOCK_DGRAM, error);
    if (fd < 0) return -1;
    // Room for a burst while the worker is busy: 4 MiB (the kernel caps it at rmem_max).
    int size = 4 << 20;
    ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
    ::setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof size);
    return fd;
}

int open_tcp_listener(Address& addr, int backlog, std::string& error) {
    int fd = open_bound(addr, SOCK_STREAM, error);
    if (fd < 0) return -1;
    if (::listen(fd, backlog) != 0) {
        error = "listen " + to_string(addr) + ": " + std::strerror(errno);
        ::close(fd);
        return -1;
    }
    return fd;
}

}  // namespace swarmline::io::net
