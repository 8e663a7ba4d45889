// What the next request says, shared by the UDP and HTTP senders: which kind (by the weights),
// which peer (each socket or connection owns a fixed subset of the peers, so a peer always comes
// from the same source address), its event, and which torrents a scrape asks about.
#pragma once

#include <cstdint>
#include <span>

#include "config.hpp"
#include "proto/types.hpp"
#include "stats.hpp"
#include "workload.hpp"

namespace swarmline::loadgen {

class Traffic {
public:
    Traffic(const Config& config, Workload& workload) noexcept;

    // The kind of the next request. Over HTTP the connect weight is ignored.
    [[nodiscard]] Kind next_kind(Rng& rng, bool with_connect) const noexcept;
    // Fills `out` for peer `peer` (the `local`-th peer of its owner, sending from `source`, see
    // Workload::peer_id), with the event its state calls for (or `started` in fill mode), and
    // advances that state.
    void announce(std::uint32_t peer, std::uint32_t local, std::uint32_t source, Rng& rng,
                  proto::Announce& out) noexcept;
    // Fills `out` with 1..scrape-max-hashes popular info_hashes; returns how many.
    std::size_t scrape(Rng& rng, std::span<proto::InfoHash> out) const noexcept;

    [[nodiscard]] Workload& workload() noexcept { return workload_; }

private:
    const Config& config_;
    Workload& workload_;
    std::uint32_t weight_total_;
};

// The peers one socket or connection owns: every `stride`-th peer from `first`.
struct PeerRange {
    std::uint32_t first = 0;
    std::uint32_t stride = 1;
    std::uint32_t count = 0;
    std::uint32_t next_fill = 0;  // fill mode: the next local index to announce

    PeerRange() = default;
    PeerRange(std::uint32_t total, std::uint32_t first_, std::uint32_t stride_) noexcept
        : first(first_), stride(stride_), count(first_ < total ? (total - first_ + stride_ - 1) / stride_ : 0) {}
    [[nodiscard]] std::uint32_t global(std::uint32_t local) const noexcept { return first + local * stride; }
};

}  // namespace swarmline::loadgen
