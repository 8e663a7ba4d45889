// The DPDK backend's options (the `dpdk-*` keys of the `[dataplane]` section): how EAL starts, which
// device is the NIC, the addresses the appliance answers for, and the exception interface through
// which everything the fast path does not answer reaches the kernel.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/options.hpp"

namespace swarmline::io::dpdk {

struct Config {
    // Device strings hold commas (net_af_packet0,iface=eth1,qpairs=4), which the option registry
    // reads as list separators: several devices are separated by ';' instead.
    std::string vdev;                    // EAL --vdev for each
    std::string allow;                   // EAL --allow for each: the NIC's PCI address (none: no PCI scan)
    std::string port;                    // the device serving the tracker; empty: the first one
    std::vector<std::string> addresses;  // ours, with prefix: 192.0.2.10/24, 2001:db8::10/64
    std::string exception_iface = "swl0";
    std::uint32_t main_core = 0;         // EAL's main lcore (start-up and control only)
    std::uint32_t memory_mb = 0;         // EAL -m; 0: EAL takes hugepages as it needs them
    bool no_huge = false;                // anonymous memory instead of hugepages (tests, VMs)
    std::string huge_dir;                // a hugetlbfs mount of the wanted page size
    std::string file_prefix = "swarmline";
    std::uint32_t mbufs = 8191;          // per worker; 2^n - 1 is what the mempool ring holds best
    std::uint32_t rx_descriptors = 1024;
    std::uint32_t tx_descriptors = 1024;
    std::uint32_t mtu = 0;               // 0: the device's
    std::uint32_t idle_sleep_us = 0;     // 0: poll without pause; else sleep this long when idle
    // HTTP arrives in the kernel through the exception interface: io_uring workers serve it there,
    // own no shard, and hand every announce to the DPDK worker that owns its swarm.
    std::uint32_t http_workers = 1;
    std::vector<std::string> http_cores;  // their cores (0,2-3); empty: those no DPDK worker polls

    void register_options(options::Registry& registry);
};

// "a;b" -> {"a", "b"}, empty items dropped.
[[nodiscard]] std::vector<std::string> split_devices(const std::string& text);

// One of our addresses with its prefix length, as `dpdk-address` spells it.
struct Prefix {
    bool v6 = false;
    std::array<std::uint8_t, 16> ip{};  // IPv4 mapped (::ffff:a.b.c.d) for IPv4
    std::uint8_t length = 0;
};
// Null on success, else why `text` is not ADDRESS/LENGTH.
[[nodiscard]] const char* parse_prefix(std::string_view text, Prefix& out) noexcept;

}  // namespace swarmline::io::dpdk
