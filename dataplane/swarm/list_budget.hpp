// A per-user token bucket of peer lists, per shard: each announce that gets peers spends one,
// and the bucket refills at a steady rate. One account walking every swarm runs dry and then gets
// empty peer lists (its announces still count). Direct-mapped: a user whose slot another user
// takes starts again with a full bucket, which errs towards the honest user.
#pragma once

#include <cstdint>
#include <vector>

#include "swarm/flat_map.hpp"

namespace swarmline::swarm {

class ListBudget {
public:
    explicit ListBudget(std::size_t slots_pow2) : slots_(slots_pow2), mask_(slots_pow2 - 1) {}

    // True when `user` may get a peer list now (and spends one). budget == 0 means unlimited.
    bool take(std::uint32_t user, std::uint32_t now, std::uint32_t budget, std::uint32_t refill_per_hour) noexcept {
        if (budget == 0) return true;
        const std::uint64_t full = std::uint64_t{budget} * kUnit;
        Slot& s = slots_[mix64(user) & mask_];
        if (!s.used || s.user != user) s = Slot{user, now, full, true};
        if (now > s.last) {
            s.tokens += std::uint64_t{now - s.last} * refill_per_hour * kUnit / 3600;
            if (s.tokens > full) s.tokens = full;
            s.last = now;
        }
        if (s.tokens < kUnit) return false;
        s.tokens -= kUnit;
        return true;
    }

private:
    static constexpr std::uint64_t kUnit = 3600;  // one list, in units that make an hourly rate exact
    struct Slot {
        std::uint32_t user = 0;
        std::uint32_t last = 0;
        std::uint64_t tokens = 0;
        bool used = false;
    };
    std::vector<Slot> slots_;
    std::size_t mask_;
};

}  // namespace swarmline::swarm
