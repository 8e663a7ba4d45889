// A per-family pool of peer records in a shard's region, handed out as blocks of 2^order records
// (a buddy allocator): each swarm's list lives in one block. The pool is carved into chunks of
// 2^chunk_order records on demand; a chunk splits into halves down to the order asked for, and a
// freed block merges with its buddy when that is free too, so memory freed by small lists serves
// large ones again. A free block says so in its first record (kPeerFree in `flags`, its order in
// `reserved0`, the free-list links in the first bytes of `peer_id`); the first record of a block in
// use is always a live peer, which never carries kPeerFree. Only the shard's worker touches it.
#pragma once

#include <bit>
#include <cstdint>
#include <cstring>

#include "shm/swarm_layout.hpp"

namespace swarmline::swarm {

template <class Rec>
class PeerPool {
public:
    static constexpr std::uint32_t kNone = ~0u;
    static constexpr std::uint8_t kMaxChunkOrder = 18;  // the largest list: 262144 peers of one family

    PeerPool() = default;
    PeerPool(shm::PoolHeader* header, Rec* records) noexcept
        : h_(header),
          recs_(records),
          chunk_order_(static_cast<std::uint8_t>(
              std::min<int>(kMaxChunkOrder, std::bit_width(header->capacity) - 1))) {}

    [[nodiscard]] Rec* at(std::uint32_t index) const noexcept { return recs_ + index; }
    [[nodiscard]] std::uint32_t capacity() const noexcept { return h_->capacity; }
    [[nodiscard]] std::uint8_t max_order() const noexcept { return chunk_order_; }

    // The first record of a free block of 2^order records, or kNone.
    std::uint32_t alloc(std::uint8_t order) noexcept {
        if (order > chunk_order_) return kNone;
        std::uint8_t o = order;
        while (o <= chunk_order_ && h_->free_head[o] == 0) ++o;
        if (o > chunk_order_) {
            const std::uint32_t chunk = 1u << chunk_order_;
            if (h_->capacity - h_->bump < chunk) return kNone;
            push(h_->bump, chunk_order_);
            h_->bump += chunk;
            o = chunk_order_;
        }
        const std::uint32_t b = h_->free_head[o] - 1;
        unlink(b, o);
        while (o > order) {  // keep the lower half, free the upper
            --o;
            push(b + (1u << o), o);
        }
        recs_[b].flags = 0;
        return b;
    }

    void free(std::uint32_t block, std::uint8_t order) noexcept {
        while (order < chunk_order_) {
            const std::uint32_t buddy = block ^ (1u << order);
            const Rec& r = recs_[buddy];
            if (buddy >= h_->bump || !(r.flags & shm::kPeerFree) || r.reserved0 != order) break;
            unlink(buddy, order);
            block &= ~(1u << order);
            ++order;
        }
        push(block, order);
    }

private:
    static std::uint32_t link(const Rec& r, std::size_t at) noexcept {
        std::uint32_t v;
        std::memcpy(&v, r.peer_id.data() + at, 4);
        return v;
    }
    static void set_link(Rec& r, std::size_t at, std::uint32_t v) noexcept { std::memcpy(r.peer_id.data() + at, &v, 4); }

    // Links are block index + 1; 0 ends a list.
    void push(std::uint32_t block, std::uint8_t order) noexcept {
        Rec& r = recs_[block];
        r.flags = shm::kPeerFree;
        r.reserved0 = order;
        set_link(r, 0, h_->free_head[order]);
        set_link(r, 4, 0);
        if (h_->free_head[order] != 0) set_link(recs_[h_->free_head[order] - 1], 4, block + 1);
        h_->free_head[order] = block + 1;
    }
    void unlink(std::uint32_t block, std::uint8_t order) noexcept {
        Rec& r = recs_[block];
        const std::uint32_t next = link(r, 0), prev = link(r, 4);
        if (prev != 0) {
            set_link(recs_[prev - 1], 0, next);
        } else {
            h_->free_head[order] = next;
        }
        if (next != 0) set_link(recs_[next - 1], 4, prev);
        r.flags = 0;
    }

    shm::PoolHeader* h_ = nullptr;
    Rec* recs_ = nullptr;
    std::uint8_t chunk_order_ = 0;
};

}  // namespace swarmline::swarm
