// The simulated swarm population: which torrents exist, which peers announce on which torrent, and
// what each announce says. Everything is derived from indices and a seed, so two runs (or the
// loadgen and the tracker's whitelist) agree on the info_hashes without storing them.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "proto/types.hpp"

namespace swarmline::loadgen {

// SplitMix64 (Steele et al.): a fast generator with a 64-bit state; plenty for picking requests.
class Rng {
public:
    explicit Rng(std::uint64_t seed) noexcept : state_(seed) {}
    std::uint64_t next() noexcept {
        std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        return z ^ (z >> 31);
    }
    // Uniform in [0, n) for n < 2^32 (Lemire's multiply-shift, no division).
    std::uint32_t below(std::uint32_t n) noexcept {
        return static_cast<std::uint32_t>(((next() >> 32) * n) >> 32);
    }
    double unit() noexcept { return static_cast<double>(next() >> 11) * 0x1.0p-53; }  // [0, 1)

private:
    std::uint64_t state_;
};

struct WorkloadConfig {
    std::uint32_t torrents = 1'000'000;
    std::uint32_t peers = 2'000'000;
    std::uint32_t seeder_percent = 75;
    double pareto_shape = 2.0;
    std::uint64_t seed = 0x5eed;
};

// One simulated peer. `active` says whether its last announce left it in the swarm, so the next
// one is `started` again after a `stopped`.
struct Peer {
    std::uint32_t torrent;
    bool seeder;
    bool active;
};

class Workload {
public:
    explicit Workload(const WorkloadConfig& config);

    [[nodiscard]] std::uint32_t torrents() const noexcept { return config_.torrents; }
    [[nodiscard]] std::uint32_t peer_count() const noexcept { return static_cast<std::uint32_t>(peers_.size()); }
    [[nodiscard]] Peer& peer(std::uint32_t i) noexcept { return peers_[i]; }

    [[nodiscard]] proto::InfoHash info_hash(std::uint32_t torrent) const noexcept;
    // A peer's id depends on the address it announces from (`source`: which socket or connection,
    // and which protocol): runs with another layout are other peers, so a tracker that refuses a
    // peer_id moving between addresses (ours does) sees no conflict between runs.
    [[nodiscard]] proto::PeerId peer_id(std::uint32_t peer, std::uint32_t source) const noexcept;
    // The announced port of the `local`-th peer of one socket (one source address): distinct for
    // 32000 peers in a row, which keeps peers of one torrent apart on trackers that key peers by
    // address and port (opentracker); in 28000..59999, clear of the privileged ports and of the
    // services and P2P ports trackers refuse (6881-6889, 8080, 11211, 27017, ...).
    [[nodiscard]] static std::uint16_t port(std::uint32_t local) noexcept {
        return static_cast<std::uint16_t>(28000 + local % 32000);
    }
    // A torrent drawn with the popularity skew: Pareto(scale 1, shape) capped at 101 and mapped
    // linearly onto the torrent range (aquatic's earlier load tester), so low indices are hot;
    // shape 0 draws uniformly.
    [[nodiscard]] std::uint32_t popular_torrent(Rng& rng) const noexcept;

    // Writes every info_hash as 40 hex digits, one a line (opentracker's whitelist format).
    // Returns an empty string on success, else the reason.
    [[nodiscard]] std::string dump_info_hashes(const std::string& path) const;

private:
    WorkloadConfig config_;
    std::vector<Peer> peers_;
};

}  // namespace swarmline::loadgen
