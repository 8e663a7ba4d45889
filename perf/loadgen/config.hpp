// What one run of the load generator does: every knob, registered with the shared option registry
// (defaults in code, a help text each, config file section [loadgen], command-line overrides), and
// the parsed forms the workers use (resolved targets, core list, passkeys).
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>

#include <cstdint>
#include <string>
#include <vector>

#include "base/options.hpp"
#include "workload.hpp"

namespace swarmline::loadgen {

enum class Protocol : std::uint8_t { udp, http };

// Requests one HTTP connection may have in flight (the upper bound of --pipeline): a fixed ring
// per connection, deep enough that the server, not the pipeline, is the limit.
inline constexpr std::uint32_t kMaxPipeline = 64;

struct Target {
    Protocol protocol = Protocol::udp;
    sockaddr_storage addr{};
    socklen_t addr_len = 0;
    bool v6 = false;
    std::string host;           // "127.0.0.1:6969" or "[::1]:6969", for the HTTP Host header
    std::string announce_path;  // "/announce", may hold "{passkey}"; UDP sends it as BEP 41 URL data
    std::string scrape_path;    // announce_path with its last "announce" replaced by "scrape"
};

struct Config {
    std::vector<std::string> target_urls{"udp://127.0.0.1:6969"};
    std::uint32_t duration_s = 10;
    std::uint64_t requests = 0;  // 0: as many as the duration allows
    std::uint32_t workers = 1;
    std::vector<std::string> cores;  // one per worker, in order; empty: not pinned
    std::uint32_t sockets_per_worker = 4;
    std::uint32_t in_flight = 64;  // UDP: per socket; HTTP: connections per worker
    std::uint32_t pipeline = 1;    // HTTP: requests in flight per connection
    std::uint64_t rate = 0;        // requests/s over all workers; 0: closed loop
    std::uint32_t timeout_ms = 1000;
    std::uint32_t torrents = 1'000'000;
    std::uint32_t peers = 2'000'000;
    std::uint32_t peers_per_torrent = 0;
    std::uint32_t seeder_percent = 75;
    std::string pareto_shape = "2.0";
    std::uint32_t numwant = 30;
    std::uint32_t scrape_max_hashes = 10;
    std::uint32_t weight_announce = 100;
    std::uint32_t weight_scrape = 1;
    std::uint32_t weight_connect = 1;
    std::uint32_t completed_permille = 10;
    std::uint32_t stopped_permille = 10;
    std::uint32_t connection_id_renew_s = 60;
    std::string passkey_file;
    std::string client_ipv4 = "127.0.0.2";
    bool fill = false;
    std::uint64_t seed = 0x5eed;
    bool json = false;
    std::string dump_info_hashes;

    // Filled by resolve().
    std::vector<Target> targets;
    std::vector<int> core_ids;
    std::vector<std::string> passkeys;
    WorkloadConfig workload;
    std::uint32_t first_client_ipv4 = 0;  // host order

    // Requests worker `index` may send under --requests (no limit: UINT64_MAX).
    [[nodiscard]] std::uint64_t request_budget(unsigned index) const noexcept;

    void register_options(options::Registry& registry);
    // Checks and derives the fields above. Returns an empty string on success, else the reason.
    std::string resolve();
};

}  // namespace swarmline::loadgen
