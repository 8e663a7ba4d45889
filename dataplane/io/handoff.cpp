#include "io/handoff.hpp"

namespace swarmline::io {

HandoffRings::HandoffRings(std::uint32_t workers, std::uint32_t owners, std::uint32_t capacity)
    : workers_(workers),
      owners_(owners),
      requests_(std::size_t{workers} * workers),
      replies_(std::size_t{workers} * workers) {
    for (std::uint32_t from = 0; from < workers; ++from) {
        for (std::uint32_t to = 0; to < workers; ++to) {
            if (from == to) continue;
            if (to < owners) requests_[from * workers + to] = std::make_unique<shm::SpscRing<HandoffRequest>>(capacity);
            if (from < owners) replies_[from * workers + to] = std::make_unique<shm::SpscRing<HandoffReply>>(capacity);
        }
    }
}

}  // namespace swarmline::io
