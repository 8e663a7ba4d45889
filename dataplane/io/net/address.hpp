// Socket addresses as the configuration spells them: `127.0.0.1:6969`, `[::1]:6969`, `0.0.0.0:0`.
// Port 0 asks the kernel for a free port; the bound address is read back with getsockname.
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>

#include <string>
#include <string_view>

#include "proto/types.hpp"

namespace swarmline::io::net {

struct Address {
    sockaddr_storage storage{};
    socklen_t length = 0;

    [[nodiscard]] bool v6() const noexcept { return storage.ss_family == AF_INET6; }
    [[nodiscard]] const sockaddr* sa() const noexcept { return reinterpret_cast<const sockaddr*>(&storage); }
    [[nodiscard]] std::uint16_t port() const noexcept;
    void set_port(std::uint16_t port) noexcept;
};

// Null on success, else why `text` is not `IPv4:PORT` or `[IPv6]:PORT`.
[[nodiscard]] const char* parse_address(std::string_view text, Address& out) noexcept;
// `127.0.0.1:6969` or `[::1]:6969`.
[[nodiscard]] std::string to_string(const Address& a);

// The protocol library's form of a peer address (IPv4 as IPv4-mapped IPv6), from a sockaddr that
// recvmsg or accept filled in. A family other than AF_INET/AF_INET6 gives a zero endpoint.
[[nodiscard]] proto::Endpoint endpoint_of(const sockaddr* sa) noexcept;
// The reverse, to send a datagram to `e`; a socket of `family` AF_INET takes a sockaddr_in.
socklen_t sockaddr_of(const proto::Endpoint& e, int family, sockaddr_storage& out) noexcept;

// True when the host has an IPv6 loopback to bind (containers often run without one).
[[nodiscard]] bool ipv6_loopback_available() noexcept;

}  // namespace swarmline::io::net
