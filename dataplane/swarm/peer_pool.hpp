// A per-family pool of peer records in a shard's region: blocks of 2^order records, each swarm's
// list living in one block. Free blocks are kept per order (the block's first four bytes link to
// the next); a missing order is cut from a larger free block, or from the never-used tail. Blocks
// are not merged back: the pool has twice the shard's peer capacity, which covers the rounding to
// powers of two. Only the shard's worker touches it.
#pragma once

#include <cstdint>
#include <cstring>

#include "shm/swarm_layout.hpp"

namespace swarmline::swarm {

template <class Rec>
class PeerPool {
public:
    static constexpr std::uint32_t kNone = ~0u;

    PeerPool() = default;
    PeerPool(shm::PoolHeader* header, Rec* records) noexcept : h_(header), recs_(records) {}

    [[nodiscard]] Rec* at(std::uint32_t index) const noexcept { return recs_ + index; }
    [[nodiscard]] std::uint32_t capacity() const noexcept { return h_->capacity; }

    // The first record of a free block of 2^order records, or kNone.
    std::uint32_t alloc(std::uint8_t order) noexcept {
        if (order >= shm::kPoolOrders) return kNone;
        if (std::uint32_t b = pop(order); b != kNone) return b;
        const std::uint32_t size = 1u << order;
        if (h_->capacity - h_->bump >= size) {
            const std::uint32_t b = h_->bump;
            h_->bump += size;
            return b;
        }
        for (std::uint8_t o = order + 1; o < shm::kPoolOrders; ++o) {
            std::uint32_t b = pop(o);
            if (b == kNone) continue;
            while (o > order) {  // keep the lower half, free the upper
                --o;
                push(b + (1u << o), o);
            }
            return b;
        }
        return kNone;
    }

    void free(std::uint32_t block, std::uint8_t order) noexcept { push(block, order); }

private:
    std::uint32_t pop(std::uint8_t order) noexcept {
        const std::uint32_t head = h_->free_head[order];
        if (head == 0) return kNone;
        std::uint32_t next;
        std::memcpy(&next, recs_ + (head - 1), sizeof next);
        h_->free_head[order] = next;
        return head - 1;
    }
    void push(std::uint32_t block, std::uint8_t order) noexcept {
        std::memcpy(recs_ + block, &h_->free_head[order], sizeof(std::uint32_t));
        h_->free_head[order] = block + 1;
    }

    shm::PoolHeader* h_ = nullptr;
    Rec* recs_ = nullptr;
};

}  // namespace swarmline::swarm
