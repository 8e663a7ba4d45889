#include "netns.hpp"

#include <fcntl.h>
#include <linux/ethtool.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <thread>
#include <vector>

namespace swarmline::test {

int sh(const std::string& command, std::string* out) {
    FILE* p = ::popen((command + " 2>&1").c_str(), "r");
    if (!p) return -1;
    char buf[4096];
    std::string text;
    while (std::size_t n = std::fread(buf, 1, sizeof buf, p)) text.append(buf, n);
    const int status = ::pclose(p);
    if (out) *out = text;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

namespace {

bool enter(const std::string& ns) {
    const int fd = ::open(("/run/netns/" + ns).c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return false;
    const bool ok = ::setns(fd, CLONE_NEWNET) == 0;
    ::close(fd);
    return ok;
}

// A veth hands frames to its peer with the checksum still to be done (the kernel trusts its own
// veth). net_af_packet receives them as they are, and the server's kernel, reached through the tap,
// would drop such TCP segments: the client computes its checksums in full instead, as a NIC's
// sender would have. (What `ethtool -K <if> tx off` does; ethtool may not be installed.)
bool disable_tx_checksum_offload(const std::string& iface) {
    const int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return false;
    ethtool_value value{};
    value.cmd = ETHTOOL_STXCSUM;
    value.data = 0;
    ifreq ifr{};
    std::strncpy(ifr.ifr_name, iface.c_str(), IFNAMSIZ - 1);
    ifr.ifr_data = reinterpret_cast<char*>(&value);
    const bool ok = ::ioctl(fd, SIOCETHTOOL, &ifr) == 0;
    ::close(fd);
    return ok;
}

// Namespaces of test runs that were killed before they could delete theirs (their pid is gone).
void delete_stale_namespaces() {
    std::string list;
    if (sh("ls /run/netns", &list) != 0) return;
    std::size_t pos = 0;
    while (pos < list.size()) {
        const std::size_t end = list.find('\n', pos);
        const std::string name = list.substr(pos, end == std::string::npos ? std::string::npos : end - pos);
        pos = end == std::string::npos ? list.size() : end + 1;
        if (name.rfind("swl-dpdk-", 0) != 0 || name.size() < 11) continue;
        const int pid = std::atoi(name.c_str() + 10);  // after "swl-dpdk-s" / "swl-dpdk-c"
        if (pid > 0 && ::kill(pid, 0) != 0 && errno == ESRCH) sh("ip netns del " + name);
    }
}

}  // namespace

std::string NetnsPair::unavailable() {
    if (::geteuid() != 0) return "needs root (network namespaces, a veth pair and a tap device)";
    if (::access("/dev/net/tun", R_OK | W_OK) != 0) return "no /dev/net/tun: the exception path's net_tap needs it";
    const std::string probe = "swl-probe-" + std::to_string(::getpid());
    std::string out;
    if (sh("ip netns add " + probe, &out) != 0) return "cannot create a network namespace: " + out;
    const int veth = sh("ip -n " + probe + " link add swlp0 type veth peer name swlp1", &out);
    sh("ip netns del " + probe);
    if (veth != 0) return "this kernel cannot make a veth pair: " + out;
    return {};
}

NetnsPair::NetnsPair(bool veth) {
    delete_stale_namespaces();
    const auto pid = std::to_string(::getpid());
    server = "swl-dpdk-s" + pid;
    client = "swl-dpdk-c" + pid;
    server_if = "swds" + pid;
    client_if = "swdc" + pid;
    subnet = static_cast<unsigned>(::getpid()) % 250 + 1;
    const std::string s = "ip -n " + server + " ";
    std::vector<std::string> commands = {
        "ip netns add " + server,
        "ip netns add " + client,
        s + "link set lo up",
        "ip -n " + client + " link set lo up",
    };
    if (veth) {
        const std::vector<std::string> more = {
            s + "link add " + server_if + " type veth peer name " + client_if,
            s + "link set " + client_if + " netns " + client,
            // net_af_packet reads the frames beside the kernel, which would answer them as well (the
            // tracker's address is local, on the tap): on the server's end the kernel drops IPv6,
            // drops IPv4 by strict reverse-path filtering (the way back to the client is the tap),
            // and ignores ARP. Only DPDK answers there, and the kernel sees what DPDK passes it.
            "ip netns exec " + server + " sysctl -qw net.ipv6.conf." + server_if + ".disable_ipv6=1",
            "ip netns exec " + server + " sysctl -qw net.ipv4.conf." + server_if + ".rp_filter=1",
            "ip netns exec " + server + " sysctl -qw net.ipv4.conf." + server_if + ".arp_ignore=8",
            s + "link set " + server_if + " up",
        };
        commands.insert(commands.end(), more.begin(), more.end());
    }
    for (const auto& cmd : commands) {
        std::string out;
        if (sh(cmd, &out) != 0) {
            error_ = cmd + ": " + out;
            return;
        }
    }
    if (!veth) return;
    if (auto err = configure_client(); !err.empty()) {
        error_ = err;
        return;
    }
    bool offload_off = false;
    (void)in_client([&] { offload_off = disable_tx_checksum_offload(client_if); });
    if (!offload_off) error_ = "cannot turn off transmit checksum offload on " + client_if;
}

std::string NetnsPair::configure_client() {
    const std::string c = "ip -n " + client + " ";
    const std::string commands[] = {
        c + "addr add " + client_v4() + "/24 dev " + client_if,
        c + "-6 addr add " + client_v6() + "/64 dev " + client_if + " nodad",
        c + "link set " + client_if + " up",
    };
    for (const auto& cmd : commands) {
        std::string out;
        if (sh(cmd, &out) != 0) return cmd + ": " + out;
    }
    return {};
}

std::string NetnsPair::adopt_client_interface(const std::string& name) {
    // A tap's kernel side starts with the DPDK port's MAC; the client needs one of its own, as the
    // other end of a cable has.
    const std::string commands[] = {
        "ip -n " + server + " link set " + name + " netns " + client,
        "ip -n " + client + " link set " + name + " address 02:00:00:77:00:02",
    };
    for (const auto& cmd : commands) {
        std::string out;
        if (sh(cmd, &out) != 0) return cmd + ": " + out;
    }
    client_if = name;
    return configure_client();
}

NetnsPair::~NetnsPair() {
    sh("ip netns del " + client);
    sh("ip netns del " + server);
}

std::string NetnsPair::server_v4() const { return "10.77." + std::to_string(subnet) + ".1"; }
std::string NetnsPair::client_v4() const { return "10.77." + std::to_string(subnet) + ".2"; }
std::string NetnsPair::server_v6() const { return "fd77:" + std::to_string(subnet) + "::1"; }
std::string NetnsPair::client_v6() const { return "fd77:" + std::to_string(subnet) + "::2"; }

bool NetnsPair::enter_server() const { return enter(server); }

bool NetnsPair::in_client(const std::function<void()>& fn) const {
    bool entered = false;
    std::thread t([&] {
        entered = enter(client);
        if (entered) fn();
    });
    t.join();
    return entered;
}

int NetnsPair::run_in_client(const std::string& command, std::string* out) const {
    return sh("ip netns exec " + client + " sh -c '" + command + "'", out);
}

}  // namespace swarmline::test
