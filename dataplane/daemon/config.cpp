#include "daemon/config.hpp"

#include <sched.h>

#include <algorithm>
#include <charconv>

#include "io/net/address.hpp"

namespace swarmline::daemon {
namespace net = io::net;
namespace {

// The cores this process may run on (its affinity mask, which taskset or a cgroup may narrow).
std::vector<int> available_cores() {
    std::vector<int> cores;
    cpu_set_t set;
    CPU_ZERO(&set);
    if (sched_getaffinity(0, sizeof set, &set) == 0) {
        for (int c = 0; c < CPU_SETSIZE; ++c)
            if (CPU_ISSET(c, &set)) cores.push_back(c);
    }
    if (cores.empty()) cores.push_back(-1);
    return cores;
}

bool parse_int(std::string_view s, int& out) {
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    return ec == std::errc{} && p == s.data() + s.size() && !s.empty() && out >= 0 && out < CPU_SETSIZE;
}

// "0", "2-5": one core or an inclusive range.
std::string parse_cores(const std::vector<std::string>& items, std::vector<int>& out) {
    for (const auto& item : items) {
        std::string_view s = item;
        auto dash = s.find('-');
        int first = 0;
        int last = 0;
        if (!parse_int(s.substr(0, dash), first) ||
            !parse_int(dash == std::string_view::npos ? s : s.substr(dash + 1), last) || last < first)
            return "cores: '" + item + "' is not a core number or range (0-3)";
        for (int c = first; c <= last; ++c) out.push_back(c);
    }
    return {};
}

std::string parse_addresses(const char* key, const std::vector<std::string>& items, std::vector<net::Address>& out) {
    for (const auto& item : items) {
        net::Address a;
        if (const char* err = net::parse_address(item, a)) return std::string(key) + ": '" + item + "': " + err;
        out.push_back(a);
    }
    return {};
}

bool power_of_two(std::uint32_t v) { return v != 0 && (v & (v - 1)) == 0; }

}  // namespace

void Config::register_options(options::Registry& r) {
    r.add("udp", "UDP tracker addresses (BEP 15), ADDRESS:PORT or [IPv6]:PORT; repeat --udp for several; port 0 picks a free port; the default [::1] is left out on a host without IPv6", &udp);
    r.add("http", "HTTP tracker addresses, as for udp", &http);
    r.add("admin", "the admin listener (/metrics, /health); keep it on loopback", &admin);
    r.add("workers", "worker threads, each pinned to a core and owning one shard; 0: one per available core", &workers);
    r.add("cores", "the cores to pin workers to, in order (0,2-3); empty: the cores this process may use", &cores);
    r.add("backend", "the I/O backend: io_uring or dpdk", &backend);
    r.add("shm", "the shared-memory segment shared with swarmline-control (a file on /dev/shm or hugetlbfs)", &shm);
    r.add("shm-recreate", "recreate the segment when it has another layout or other sizes (its peers are lost)", &shm_recreate);
    r.add("shm-prefault", "back the whole segment with memory at start, so no request waits for the kernel to fault a page in (false: pages are taken as the tables fill)", &shm_prefault);
    r.add("open", "serve as an open tracker: no passkeys, every torrent accepted", &open);
    r.add("log-level", "debug, info, warn or error (SIGHUP re-reads it from the config file)", &log_level);
    r.add("peers-per-shard", "IPv4 peers one shard can hold", &peers_per_shard);
    r.add("v6-peers-per-shard", "IPv6 peers one shard can hold", &v6_peers_per_shard);
    r.add("torrents-per-shard", "swarms one shard can hold", &torrents_per_shard);
    r.add("users", "capacity of the users table", &users);
    r.add("torrents", "capacity of the torrents table (a v2 torrent takes two entries)", &torrents);
    r.add("tokens", "capacity of the freeleech tokens table", &tokens);
    r.add("event-ring", "announce records per worker ring, a power of two", &event_ring);
    r.add("accumulator", "(user, torrent) entries per shard that hold deltas while the event ring is full", &accumulator);
    r.add("http-max-connections", "open HTTP connections over all workers; beyond it 503", &http_max_connections);
    r.add("http-header-timeout", "seconds a request head may take to arrive before the connection is closed", &http_header_timeout);
    r.add("http-idle-timeout", "seconds a keep-alive connection may stay idle", &http_idle_timeout);
    r.add("reap-budget", "peers a worker may reap per second of housekeeping (bounds the pause)", &reap_budget);
    r.add("udp-multishot", "io_uring: receive UDP with multishot recvmsg (false: one recvmsg per datagram, the fallback for kernels that refuse multishot)", &udp_multishot);
    r.add("handoff-ring", "requests in flight from one worker to another, a power of two", &handoff_ring);
    dpdk.register_options(r);
}

std::string resolve(const Config& c, Settings& out) {
    std::vector<std::string> udp = c.udp;
    // The default listens on IPv6 too where the host has it (containers often have no ::1); an
    // address the administrator wrote is taken as written, and fails loudly if it cannot be bound.
    if (udp == Config{}.udp && !net::ipv6_loopback_available()) udp.pop_back();
    if (auto err = parse_addresses("udp", udp, out.endpoints.udp); !err.empty()) return err;
    if (auto err = parse_addresses("http", c.http, out.endpoints.http); !err.empty()) return err;
    if (out.endpoints.udp.empty() && out.endpoints.http.empty()) return "udp, http: nothing to listen on";
    if (const char* err = net::parse_address(c.admin, out.admin)) return "admin: '" + c.admin + "': " + err;
    if (!log::parse_level(c.log_level, out.level)) return "log-level: expected debug, info, warn or error";
    if (c.backend != "io_uring" && c.backend != "dpdk")
        return "backend: expected io_uring or dpdk, got '" + c.backend + "'";
    out.dpdk = c.backend == "dpdk";
    std::vector<int> cores;
    if (c.cores.empty()) cores = available_cores();
    else if (auto err = parse_cores(c.cores, cores); !err.empty()) return err;
    out.shards = c.workers != 0 ? c.workers : static_cast<std::uint32_t>(cores.size());
    // More workers than listed cores share them round-robin (useful in tests on a small machine).
    for (std::uint32_t i = 0; i < out.shards; ++i) out.backend.cores.push_back(cores[i % cores.size()]);
    out.workers = out.shards;
    if (out.dpdk) {
        if (c.dpdk.addresses.empty())
            return "dpdk-address: required with --backend dpdk (the addresses the NIC answers for, e.g. 192.0.2.10/24)";
        for (const auto& text : c.dpdk.addresses) {
            io::dpdk::Prefix p;
            if (const char* err = io::dpdk::parse_prefix(text, p)) return "dpdk-address: '" + text + "': " + err;
        }
        // The HTTP workers come after the shards' owners. By default they go on cores no DPDK worker
        // polls: one that wakes on a polling core waits for the poller's time slice (measured:
        // HTTP through the exception path went from ~8000 to ~500 responses/s that way).
        std::vector<int> http_cores;
        if (auto err = parse_cores(c.dpdk.http_cores, http_cores); !err.empty()) return "dpdk-http-" + err;
        if (http_cores.empty()) {
            for (int core : available_cores())
                if (std::find(out.backend.cores.begin(), out.backend.cores.end(), core) == out.backend.cores.end())
                    http_cores.push_back(core);
        }
        for (std::uint32_t i = 0; i < c.dpdk.http_workers; ++i)
            out.backend.cores.push_back(http_cores.empty() ? -1 : http_cores[i % http_cores.size()]);
        out.workers += c.dpdk.http_workers;
        if (!out.endpoints.http.empty() && c.dpdk.http_workers == 0)
            return "dpdk-http-workers: HTTP addresses are configured, so at least one HTTP worker is needed";
    }
    // The hand-off wake-ups are a 64-bit mask of workers.
    if (out.workers > 64) return "workers: at most 64 (with the DPDK HTTP workers)";
    out.backend.udp_multishot = c.udp_multishot;
    out.backend.http.max_connections = c.http_max_connections;
    out.backend.http.header_timeout_s = c.http_header_timeout;
    out.backend.http.idle_timeout_s = c.http_idle_timeout;
    if (!power_of_two(c.event_ring)) return "event-ring: must be a power of two";
    if (!power_of_two(c.handoff_ring)) return "handoff-ring: must be a power of two";
    out.sizes = shm::SegmentSizes{};
    out.sizes.shards = out.shards;
    out.sizes.peers_per_shard = c.peers_per_shard;
    out.sizes.v6_peers_per_shard = c.v6_peers_per_shard;
    out.sizes.torrents_per_shard = c.torrents_per_shard;
    out.sizes.users = c.users;
    out.sizes.torrents = c.torrents;
    out.sizes.tokens = c.tokens;
    out.sizes.event_ring = c.event_ring;
    out.sizes.accumulator = c.accumulator;
    return {};
}

}  // namespace swarmline::daemon
