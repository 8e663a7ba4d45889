// The buddy allocator behind every swarm's peer list.
#include <gtest/gtest.h>

#include <set>
#include <vector>

#include "swarm/peer_pool.hpp"

namespace swarmline::test {
namespace {

using Pool = swarm::PeerPool<shm::PeerRecord4>;

struct PoolFixture {
    shm::PoolHeader header{};
    std::vector<shm::PeerRecord4> records;
    Pool pool;
    explicit PoolFixture(std::uint32_t capacity) : records(capacity) {
        header.capacity = capacity;
        pool = Pool(&header, records.data());
    }
    // A block in use has a live first record (never kPeerFree), as the Shard guarantees.
    std::uint32_t take(std::uint8_t order) {
        const std::uint32_t b = pool.alloc(order);
        if (b != Pool::kNone) records[b].flags = shm::kPeerSeeder;
        return b;
    }
};

TEST(PeerPool, HandsOutDistinctAlignedBlocksUntilFull) {
    PoolFixture f(64);
    std::set<std::uint32_t> seen;
    for (int i = 0; i < 64; ++i) {
        const std::uint32_t b = f.take(0);
        ASSERT_NE(b, Pool::kNone) << i;
        EXPECT_TRUE(seen.insert(b).second);
    }
    EXPECT_EQ(f.pool.alloc(0), Pool::kNone);
    const std::uint32_t b = *seen.begin();
    f.pool.free(b, 0);
    EXPECT_EQ(f.take(0), b);
    PoolFixture g(64);
    for (std::uint8_t order : {3, 1, 2, 0, 4}) {
        const std::uint32_t blk = g.take(order);
        ASSERT_NE(blk, Pool::kNone);
        EXPECT_EQ(blk % (1u << order), 0u) << "order " << int(order);
    }
}

TEST(PeerPool, FreedBuddiesMergeBackIntoTheWholeChunk) {
    PoolFixture f(64);
    std::vector<std::uint32_t> blocks;
    for (int i = 0; i < 64; ++i) blocks.push_back(f.take(0));
    for (std::uint32_t b : blocks) f.pool.free(b, 0);
    EXPECT_EQ(f.take(6), 0u);  // the 64 singles became one block of 64 again
}

TEST(PeerPool, ListsGrowingByDoublingDoNotExhaustThePool) {
    // 1000 lists grow one peer at a time to 10 peers, each moving to a block twice as large when
    // full, as a Shard does: a pool of twice the peers must hold them all.
    constexpr std::uint32_t kLists = 1000, kPeers = 10;
    PoolFixture f(kLists * kPeers * 2 + 1024);
    struct List {
        std::uint32_t block;
        std::uint8_t order;
        std::uint32_t count;
    };
    std::vector<List> lists(kLists);
    for (auto& l : lists) {
        l.block = f.take(0);
        l.order = 0;
        l.count = 0;
    }
    for (std::uint32_t round = 0; round < kPeers; ++round) {
        for (auto& l : lists) {
            if (l.count == (1u << l.order)) {
                const std::uint32_t b = f.take(static_cast<std::uint8_t>(l.order + 1));
                ASSERT_NE(b, Pool::kNone) << "round " << round;
                f.pool.free(l.block, l.order);
                l.block = b;
                ++l.order;
            }
            ++l.count;
        }
    }
}

}  // namespace
}  // namespace swarmline::test
