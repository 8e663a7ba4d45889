// What one announce is worth: raw deltas from the client's cumulative counters, and the credited
// share after freeleech and upload multipliers. Pure functions, so every rule is unit-tested.
#pragma once

#include <cstdint>

namespace swarmline::swarm {

struct Deltas {
    std::uint64_t uploaded = 0;
    std::uint64_t downloaded = 0;
    bool rebased = false;  // a counter went backwards: the client restarted (or wrapped); nothing counts
};

// The previous counters are what the client said last time. A counter below its previous value
// means the client lost its session totals: the new values become the base and nothing is credited,
// for either counter (a half-rebased pair would credit a phantom delta on the other one).
[[nodiscard]] constexpr Deltas deltas(std::uint64_t prev_up, std::uint64_t prev_down, std::uint64_t up,
                                      std::uint64_t down) noexcept {
    if (up < prev_up || down < prev_down) return {0, 0, true};
    return {up - prev_up, down - prev_down, false};
}

__extension__ using Wide = unsigned __int128;

// bytes * pct / 100 without overflow, saturating at the largest 64-bit count.
[[nodiscard]] constexpr std::uint64_t scale_pct(std::uint64_t bytes, std::uint32_t pct) noexcept {
    const Wide v = static_cast<Wide>(bytes) * pct / 100;
    return v > ~std::uint64_t{0} ? ~std::uint64_t{0} : static_cast<std::uint64_t>(v);
}

}  // namespace swarmline::swarm
