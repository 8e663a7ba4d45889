#include "workload.hpp"

#include <cmath>
#include <cstdio>
#include <memory>

namespace swarmline::loadgen {
namespace {

std::uint64_t mix(std::uint64_t x) noexcept {
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

// 20 bytes from three mixed words of (seed, domain, index): stable across runs and machines.
template <typename Bytes>
Bytes derive(std::uint64_t seed, std::uint64_t domain, std::uint64_t index) noexcept {
    Bytes out{};
    for (std::size_t i = 0; i < out.size(); ++i) {
        if (i % 8 == 0) index = mix(index + seed + domain * 0x9e3779b97f4a7c15ULL + i);
        out[i] = static_cast<std::uint8_t>(index >> (8 * (i % 8)));
    }
    return out;
}

}  // namespace

Workload::Workload(const WorkloadConfig& config) : config_(config), peers_(config.peers) {
    Rng rng(config.seed);
    for (auto& p : peers_) {
        p.torrent = popular_torrent(rng);
        p.seeder = rng.below(100) < config.seeder_percent;
        p.active = false;
    }
}

proto::InfoHash Workload::info_hash(std::uint32_t torrent) const noexcept {
    return derive<proto::InfoHash>(config_.seed, 1, torrent);
}

proto::PeerId Workload::peer_id(std::uint32_t peer, std::uint32_t source) const noexcept {
    auto id = derive<proto::PeerId>(config_.seed, 2, (std::uint64_t{source} << 32) | peer);
    // An Azureus-style client prefix, as real clients send and client allow lists match.
    constexpr char kPrefix[] = "-SL0001-";
    for (std::size_t i = 0; i < sizeof(kPrefix) - 1; ++i) id[i] = static_cast<std::uint8_t>(kPrefix[i]);
    return id;
}

std::uint32_t Workload::popular_torrent(Rng& rng) const noexcept {
    if (config_.pareto_shape == 0) return rng.below(config_.torrents);
    const double u = 1.0 - rng.unit();  // (0, 1]
    const double x = std::pow(u, -1.0 / config_.pareto_shape);
    const double p = (std::fmin(x, 101.0) - 1.0) / 100.0;
    const auto i = static_cast<std::uint32_t>(p * config_.torrents);
    return i < config_.torrents ? i : config_.torrents - 1;
}

std::string Workload::dump_info_hashes(const std::string& path) const {
    std::unique_ptr<std::FILE, int (*)(std::FILE*)> f(std::fopen(path.c_str(), "w"), std::fclose);
    if (!f) return path + ": cannot open for writing";
    static constexpr char kHex[] = "0123456789abcdef";
    char line[41];
    line[40] = '\n';
    for (std::uint32_t t = 0; t < config_.torrents; ++t) {
        const auto h = info_hash(t);
        for (std::size_t i = 0; i < h.size(); ++i) {
            line[2 * i] = kHex[h[i] >> 4];
            line[2 * i + 1] = kHex[h[i] & 15];
        }
        if (std::fwrite(line, 1, sizeof line, f.get()) != sizeof line) return path + ": write failed";
    }
    return {};
}

}  // namespace swarmline::loadgen
