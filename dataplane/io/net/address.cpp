#include "io/net/address.hpp"

#include <arpa/inet.h>
#include <unistd.h>

#include <charconv>
#include <cstring>

namespace swarmline::io::net {

std::uint16_t Address::port() const noexcept {
    if (v6()) return ntohs(reinterpret_cast<const sockaddr_in6*>(&storage)->sin6_port);
    return ntohs(reinterpret_cast<const sockaddr_in*>(&storage)->sin_port);
}

void Address::set_port(std::uint16_t port) noexcept {
    if (v6()) reinterpret_cast<sockaddr_in6*>(&storage)->sin6_port = htons(port);
    else reinterpret_cast<sockaddr_in*>(&storage)->sin_port = htons(port);
}

const char* parse_address(std::string_view text, Address& out) noexcept {
    auto colon = text.rfind(':');
    if (colon == std::string_view::npos) return "expected ADDRESS:PORT";
    std::string_view host = text.substr(0, colon);
    std::string_view port_text = text.substr(colon + 1);
    unsigned port = 0;
    auto [p, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (ec != std::errc{} || p != port_text.data() + port_text.size() || port_text.empty() || port > 65535)
        return "the port is not a number from 0 to 65535";
    bool bracketed = host.size() >= 2 && host.front() == '[' && host.back() == ']';
    if (bracketed) host = host.substr(1, host.size() - 2);
    char buf[INET6_ADDRSTRLEN + 1];
    if (host.size() >= sizeof buf) return "the address is too long";
    std::memcpy(buf, host.data(), host.size());
    buf[host.size()] = '\0';
    out = Address{};
    if (bracketed) {
        auto* a6 = reinterpret_cast<sockaddr_in6*>(&out.storage);
        if (inet_pton(AF_INET6, buf, &a6->sin6_addr) != 1) return "not an IPv6 address";
        a6->sin6_family = AF_INET6;
        a6->sin6_port = htons(static_cast<std::uint16_t>(port));
        out.length = sizeof(sockaddr_in6);
        return nullptr;
    }
    auto* a4 = reinterpret_cast<sockaddr_in*>(&out.storage);
    if (inet_pton(AF_INET, buf, &a4->sin_addr) != 1) return "not an IPv4 address (write IPv6 as [ADDRESS]:PORT)";
    a4->sin_family = AF_INET;
    a4->sin_port = htons(static_cast<std::uint16_t>(port));
    out.length = sizeof(sockaddr_in);
    return nullptr;
}

std::string to_string(const Address& a) {
    char buf[INET6_ADDRSTRLEN];
    if (a.v6()) {
        inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(&a.storage)->sin6_addr, buf, sizeof buf);
        return "[" + std::string(buf) + "]:" + std::to_string(a.port());
    }
    inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(&a.storage)->sin_addr, buf, sizeof buf);
    return std::string(buf) + ":" + std::to_string(a.port());
}

proto::Endpoint endpoint_of(const sockaddr* sa) noexcept {
    proto::Endpoint e;
    if (sa->sa_family == AF_INET) {
        const auto* a4 = reinterpret_cast<const sockaddr_in*>(sa);
        return proto::Endpoint::from_v4(a4->sin_addr.s_addr, ntohs(a4->sin_port));
    }
    if (sa->sa_family == AF_INET6) {
        const auto* a6 = reinterpret_cast<const sockaddr_in6*>(sa);
        std::memcpy(e.ip.data(), &a6->sin6_addr, 16);
        e.port = ntohs(a6->sin6_port);
    }
    return e;
}

socklen_t sockaddr_of(const proto::Endpoint& e, int family, sockaddr_storage& out) noexcept {
    if (family == AF_INET) {
        auto* a4 = reinterpret_cast<sockaddr_in*>(&out);
        a4->sin_family = AF_INET;
        a4->sin_port = htons(e.port);
        std::memcpy(&a4->sin_addr, e.ip.data() + 12, 4);
        return sizeof(sockaddr_in);
    }
    auto* a6 = reinterpret_cast<sockaddr_in6*>(&out);
    *a6 = sockaddr_in6{};
    a6->sin6_family = AF_INET6;
    a6->sin6_port = htons(e.port);
    std::memcpy(&a6->sin6_addr, e.ip.data(), 16);
    return sizeof(sockaddr_in6);
}

bool ipv6_loopback_available() noexcept {
    int fd = ::socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return false;
    sockaddr_in6 a{};
    a.sin6_family = AF_INET6;
    a.sin6_addr = in6addr_loopback;
    bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
    ::close(fd);
    return ok;
}

}  // namespace swarmline::io::net
