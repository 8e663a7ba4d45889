#include "io/dpdk/exception_iface.hpp"

#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <thread>

namespace swarmline::io::dpdk {
namespace {

// The kernel's struct in6_ifreq (linux/ipv6.h, which clashes with netinet/in.h): SIOCSIFADDR on an
// AF_INET6 socket adds one address with its prefix length.
struct In6Ifreq {
    in6_addr addr;
    std::uint32_t prefixlen;
    int ifindex;
};

class Fd {
public:
    explicit Fd(int fd) : fd_(fd) {}
    ~Fd() {
        if (fd_ >= 0) ::close(fd_);
    }
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    [[nodiscard]] int get() const noexcept { return fd_; }

private:
    int fd_;
};

std::string fail(const std::string& what, const std::string& iface) {
    return what + " on " + iface + ": " + std::strerror(errno);
}

// The first IPv4 address is the interface's own; further ones go on alias labels (swl0:1, ...),
// the only way the ioctl interface holds several.
std::string add_ipv4(int fd, const std::string& name, const Prefix& p, unsigned n) {
    ifreq ifr{};
    const std::string label = n == 0 ? name : name + ":" + std::to_string(n);
    if (label.size() >= IFNAMSIZ) return "interface name too long for an alias: " + label;
    std::strncpy(ifr.ifr_name, label.c_str(), IFNAMSIZ - 1);
    auto* sin = reinterpret_cast<sockaddr_in*>(&ifr.ifr_addr);
    sin->sin_family = AF_INET;
    std::memcpy(&sin->sin_addr, p.ip.data() + 12, 4);
    if (ioctl(fd, SIOCSIFADDR, &ifr) != 0) return fail("cannot set the IPv4 address", name);
    const std::uint32_t mask = p.length == 0 ? 0 : htonl(~std::uint32_t{0} << (32 - p.length));
    sin->sin_addr.s_addr = mask;
    if (ioctl(fd, SIOCSIFNETMASK, &ifr) != 0) return fail("cannot set the IPv4 netmask", name);
    return {};
}

std::string add_ipv6(int fd, const std::string& name, const Prefix& p) {
    const unsigned index = if_nametoindex(name.c_str());
    if (index == 0) return fail("no interface", name);
    In6Ifreq req{};
    std::memcpy(&req.addr, p.ip.data(), 16);
    req.prefixlen = p.length;
    req.ifindex = static_cast<int>(index);
    if (ioctl(fd, SIOCSIFADDR, &req) != 0 && errno != EEXIST) return fail("cannot add the IPv6 address", name);
    return {};
}

// True when every IPv6 address of `name` in `wanted` is usable: present and no longer tentative
// (/proc/net/if_inet6: address, ifindex, prefix length, scope, flags, name; all hex but the name).
bool ipv6_ready(const std::string& name, std::span<const Prefix> wanted) {
    constexpr unsigned kTentative = 0x40;  // IFA_F_TENTATIVE
    std::ifstream in("/proc/net/if_inet6");
    std::string addr, ifindex, plen, scope, flags, dev;
    unsigned ready = 0;
    while (in >> addr >> ifindex >> plen >> scope >> flags >> dev) {
        if (dev != name || (std::stoul(flags, nullptr, 16) & kTentative) != 0) continue;
        for (const auto& p : wanted) {
            if (!p.v6) continue;
            char hex[33];
            for (int i = 0; i < 16; ++i) std::snprintf(hex + 2 * i, 3, "%02x", p.ip[static_cast<std::size_t>(i)]);
            if (addr == hex) ++ready;
        }
    }
    unsigned v6 = 0;
    for (const auto& p : wanted) v6 += p.v6 ? 1 : 0;
    return ready >= v6;
}

}  // namespace

std::string configure_exception_iface(const std::string& name, std::span<const Prefix> addresses, std::uint32_t mtu) {
    Fd fd4(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
    if (fd4.get() < 0) return fail("no IPv4 socket", name);
    bool any_v6 = false;
    for (const auto& p : addresses) any_v6 |= p.v6;
    if (any_v6) {
        std::ofstream dad("/proc/sys/net/ipv6/conf/" + name + "/accept_dad");
        dad << "0\n";
        dad.flush();
        if (!dad) return "cannot turn off duplicate address detection on " + name + " (is IPv6 enabled?)";
    }
    ifreq ifr{};
    std::strncpy(ifr.ifr_name, name.c_str(), IFNAMSIZ - 1);
    if (mtu != 0) {
        ifr.ifr_mtu = static_cast<int>(mtu);
        if (ioctl(fd4.get(), SIOCSIFMTU, &ifr) != 0) return fail("cannot set the MTU", name);
    }
    if (ioctl(fd4.get(), SIOCGIFFLAGS, &ifr) != 0) return fail("no interface", name);
    ifr.ifr_flags = static_cast<short>(ifr.ifr_flags | IFF_UP);
    if (ioctl(fd4.get(), SIOCSIFFLAGS, &ifr) != 0) return fail("cannot bring up", name);
    unsigned v4 = 0;
    for (const auto& p : addresses) {
        if (p.v6) {
            Fd fd6(::socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0));
            if (fd6.get() < 0) return fail("no IPv6 socket", name);
            if (auto err = add_ipv6(fd6.get(), name, p); !err.empty()) return err;
        } else if (auto err = add_ipv4(fd4.get(), name, p, v4++); !err.empty()) {
            return err;
        }
    }
    // Even without duplicate address detection an IPv6 address stays tentative (cannot be bound)
    // until the kernel sees the interface's link ready, which it learns a moment after it is up.
    // The HTTP listeners bind next, so open() waits for that here, within a bound.
    if (any_v6) {
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
        while (!ipv6_ready(name, addresses)) {
            if (std::chrono::steady_clock::now() > deadline)
                return "the IPv6 addresses of " + name + " stayed tentative for 5 s (is the link up?)";
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
    }
    return {};
}

}  // namespace swarmline::io::dpdk
