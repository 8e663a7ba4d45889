#include "traffic.hpp"

namespace swarmline::loadgen {

Traffic::Traffic(const Config& config, Workload& workload) noexcept
    : config_(config),
      workload_(workload),
      weight_total_(config.weight_announce + config.weight_scrape + config.weight_connect) {}

Kind Traffic::next_kind(Rng& rng, bool with_connect) const noexcept {
    const std::uint32_t total = with_connect ? weight_total_ : weight_total_ - config_.weight_connect;
    if (total == 0) return Kind::announce;
    const std::uint32_t x = rng.below(total);
    if (x < config_.weight_announce) return Kind::announce;
    if (x < config_.weight_announce + config_.weight_scrape) return Kind::scrape;
    return Kind::connect;
}

void Traffic::announce(std::uint32_t peer, std::uint32_t local, std::uint32_t source, Rng& rng,
                       proto::Announce& out) noexcept {
    Peer& p = workload_.peer(peer);
    proto::Event event = proto::Event::none;
    if (config_.fill || !p.active) {
        event = proto::Event::started;
        p.active = true;
    } else {
        const std::uint32_t x = rng.below(1000);
        if (x < config_.stopped_permille) {
            event = proto::Event::stopped;
            p.active = false;
            // A peer that comes back may come back as the other kind, which keeps the seeder share
            // near --seeder-percent however long the run.
            p.seeder = rng.below(100) < config_.seeder_percent;
        } else if (!p.seeder && x < config_.stopped_permille + config_.completed_permille) {
            event = proto::Event::completed;
            p.seeder = true;
        }
    }
    out = proto::Announce{};
    out.info_hash = workload_.info_hash(p.torrent);
    out.peer_id = workload_.peer_id(peer, source);
    out.uploaded = std::uint64_t{peer % 997} << 20;
    out.downloaded = p.seeder ? std::uint64_t{1} << 30 : std::uint64_t{peer % 991} << 20;
    out.left = p.seeder ? 0 : std::uint64_t{1} << 30;
    out.event = event;
    out.key = peer;
    out.has_key = true;
    out.numwant = static_cast<std::int32_t>(config_.numwant);
    out.port = Workload::port(local);
}

std::size_t Traffic::scrape(Rng& rng, std::span<proto::InfoHash> out) const noexcept {
    const std::size_t n = 1 + rng.below(config_.scrape_max_hashes);
    for (std::size_t i = 0; i < n && i < out.size(); ++i) out[i] = workload_.info_hash(workload_.popular_torrent(rng));
    return n < out.size() ? n : out.size();
}

}  // namespace swarmline::loadgen
