#include "io/dpdk/config.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <charconv>
#include <cstring>

namespace swarmline::io::dpdk {

void Config::register_options(options::Registry& r) {
    r.add("dpdk-vdev", "backend dpdk: virtual devices for EAL (--vdev), e.g. net_af_packet0,iface=eth1,qpairs=4; several separated by ';'", &vdev);
    r.add("dpdk-allow", "backend dpdk: PCI devices EAL may take (--allow), e.g. 0000:03:00.1; several separated by ';'; empty: no PCI device is probed", &allow);
    r.add("dpdk-port", "backend dpdk: the device that serves the tracker (a PCI address or vdev name); empty: the first", &port);
    r.add("dpdk-address", "backend dpdk: our addresses with prefix length (192.0.2.10/24, 2001:db8::10/64): answered for (ARP, neighbour discovery, echo) and given to the exception interface", &addresses);
    r.add("dpdk-exception-iface", "backend dpdk: the kernel interface (net_tap) that gets every packet the fast path does not answer (HTTP over TCP, other ICMP) and carries the same addresses", &exception_iface);
    r.add("dpdk-main-core", "backend dpdk: the core of EAL's main lcore (start-up and control, no packets)", &main_core);
    r.add("dpdk-memory", "backend dpdk: MiB of memory for EAL (-m); 0: taken from hugepages as needed", &memory_mb);
    r.add("dpdk-no-huge", "backend dpdk: anonymous memory instead of hugepages (tests and VMs without hugepages)", &no_huge);
    r.add("dpdk-huge-dir", "backend dpdk: the hugetlbfs mount to use (e.g. /dev/hugepages1G); empty: EAL finds one", &huge_dir);
    r.add("dpdk-file-prefix", "backend dpdk: EAL's --file-prefix; unique per process running on one host", &file_prefix);
    r.add("dpdk-mbufs", "backend dpdk: packet buffers per worker (2^n - 1)", &mbufs);
    r.add("dpdk-rx-descriptors", "backend dpdk: receive descriptors per queue", &rx_descriptors);
    r.add("dpdk-tx-descriptors", "backend dpdk: transmit descriptors per queue", &tx_descriptors);
    r.add("dpdk-mtu", "backend dpdk: the MTU to set on the device; 0: keep the device's", &mtu);
    r.add("dpdk-http-workers", "backend dpdk: io_uring threads serving HTTP on the exception interface; they own no shard and hand each announce to the DPDK worker owning its swarm", &http_workers);
    r.add("dpdk-http-cores", "backend dpdk: the cores of the HTTP threads (0,2-3); empty: the cores this process may use that no DPDK worker polls (unpinned when there are none)", &http_cores);
    r.add("dpdk-idle-sleep", "backend dpdk: microseconds a worker sleeps after a long idle spell; 0: poll without pause (dedicated cores)", &idle_sleep_us);
}

std::vector<std::string> split_devices(const std::string& text) {
    std::vector<std::string> out;
    std::size_t start = 0;
    while (start <= text.size()) {
        const std::size_t end = std::min(text.find(';', start), text.size());
        if (end > start) out.push_back(text.substr(start, end - start));
        start = end + 1;
    }
    return out;
}

const char* parse_prefix(std::string_view text, Prefix& out) noexcept {
    const auto slash = text.find('/');
    if (slash == std::string_view::npos) return "no /prefix-length";
    char buf[INET6_ADDRSTRLEN];
    const std::string_view addr = text.substr(0, slash);
    if (addr.size() >= sizeof buf) return "not an IPv4 or IPv6 address";
    std::memcpy(buf, addr.data(), addr.size());
    buf[addr.size()] = '\0';
    out = Prefix{};
    if (inet_pton(AF_INET, buf, out.ip.data() + 12) == 1) {
        out.ip[10] = out.ip[11] = 0xff;
    } else if (inet_pton(AF_INET6, buf, out.ip.data()) == 1) {
        out.v6 = true;
    } else {
        return "not an IPv4 or IPv6 address";
    }
    const std::string_view len = text.substr(slash + 1);
    unsigned n = 0;
    auto [p, ec] = std::from_chars(len.data(), len.data() + len.size(), n);
    if (ec != std::errc{} || p != len.data() + len.size() || len.empty() || n > (out.v6 ? 128u : 32u))
        return "bad prefix length";
    out.length = static_cast<std::uint8_t>(n);
    return nullptr;
}

}  // namespace swarmline::io::dpdk
