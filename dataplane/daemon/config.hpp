// swarmline-dataplane's options: every key has a default here, a line in the `[dataplane]` section
// of the config file, and a `--key value` override (`--print-config` prints them all).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/log.hpp"
#include "base/options.hpp"
#include "io/backend.hpp"
#include "io/dpdk/config.hpp"
#include "shm/layout.hpp"

namespace swarmline::daemon {

struct Config {
    std::vector<std::string> udp{"127.0.0.1:6969", "[::1]:6969"};  // [::1] last: dropped without IPv6
    std::vector<std::string> http{"127.0.0.1:6969"};
    std::string admin = "127.0.0.1:6970";
    std::uint32_t workers = 0;      // 0: one per core this process may run on
    std::vector<std::string> cores;  // empty: the cores this process may run on, in order
    std::string backend = "io_uring";
    std::string shm = "/dev/shm/swarmline";
    bool shm_recreate = false;
    bool shm_prefault = true;
    bool open = false;
    std::string log_level = "info";
    // Shared memory sizes (see shm::SegmentSizes); the default fits a test machine, not production.
    std::uint32_t peers_per_shard = 1u << 18;
    std::uint32_t v6_peers_per_shard = 1u << 16;
    std::uint32_t torrents_per_shard = 1u << 16;
    std::uint32_t users = 1u << 16;
    std::uint32_t torrents = 1u << 16;
    std::uint32_t tokens = 1u << 16;
    std::uint32_t event_ring = 1u << 16;
    std::uint32_t accumulator = 1u << 14;
    std::uint32_t http_max_connections = 4096;
    std::uint32_t http_header_timeout = 10;
    std::uint32_t http_idle_timeout = 60;
    std::uint32_t reap_budget = 1024;
    std::uint32_t handoff_ring = 256;
    bool udp_multishot = true;
    io::dpdk::Config dpdk;  // the dpdk-* keys, read with --backend dpdk

    void register_options(options::Registry& registry);
};

// The configuration checked and turned into what the parts take.
struct Settings {
    io::Endpoints endpoints;
    io::net::Address admin;
    std::uint32_t workers = 1;  // every worker: the shards' owners, then (DPDK) the HTTP workers
    std::uint32_t shards = 1;   // workers 0..shards-1 own one shard each
    bool dpdk = false;
    io::BackendSettings backend;
    shm::SegmentSizes sizes{};
    log::Level level = log::Level::info;
};

// Empty on success, else what is wrong, naming the option.
[[nodiscard]] std::string resolve(const Config& config, Settings& out);

}  // namespace swarmline::daemon
