// The (user, torrent) pairs whose `completed` this shard has counted, in the segment so a restart
// keeps them: a second completion of the same pair (another client, a re-download) is no snatch.
// Open addressing without erase; when three quarters full it is cleared and starts over, after which
// a repeated completion could count once more — control's unique snatch rows are the backstop.
#pragma once

#include <cstdint>
#include <cstring>

#include "shm/swarm_layout.hpp"
#include "swarm/flat_map.hpp"

namespace swarmline::swarm {

class SnatchSet {
public:
    SnatchSet() = default;
    SnatchSet(shm::ShardHeader* header, shm::SnatchKey* slots) noexcept : h_(header), slots_(slots) {}

    // True when (user, torrent) was not there yet (and now is).
    bool insert(shm::UserId user, shm::TorrentId torrent) noexcept {
        const std::uint32_t mask = h_->snatch_slots - 1;
        if (h_->snatch_used >= h_->snatch_slots - h_->snatch_slots / 4) {
            std::memset(slots_, 0, sizeof(shm::SnatchKey) * h_->snatch_slots);
            h_->snatch_used = 0;
        }
        const std::uint32_t t1 = torrent + 1;
        for (std::uint32_t i = static_cast<std::uint32_t>(mix64((std::uint64_t{user} << 32) | t1)) & mask;;
             i = (i + 1) & mask) {
            shm::SnatchKey& k = slots_[i];
            if (k.torrent_plus1 == 0) {
                k.user_id = user;
                k.torrent_plus1 = t1;
                ++h_->snatch_used;
                return true;
            }
            if (k.user_id == user && k.torrent_plus1 == t1) return false;
        }
    }

private:
    shm::ShardHeader* h_ = nullptr;
    shm::SnatchKey* slots_ = nullptr;
};

}  // namespace swarmline::swarm
