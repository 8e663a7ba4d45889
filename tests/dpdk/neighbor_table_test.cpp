// The MAC cache shared by the DPDK workers: what one worker learns another finds, a colliding
// address replaces the old one, and readers racing a writer never see a torn entry.
#include <gtest/gtest.h>

#include <atomic>
#include <cstring>
#include <thread>

#include "io/dpdk/neighbor_table.hpp"

namespace {

using swarmline::io::dpdk::NeighborTable;
using swarmline::io::dpdk::wire::Mac;
using Ip = std::array<std::uint8_t, 16>;

Ip v4(std::uint32_t host) {
    Ip ip{};
    ip[10] = ip[11] = 0xff;
    std::memcpy(ip.data() + 12, &host, 4);
    return ip;
}

TEST(DpdkNeighborTable, FindsWhatWasLearnedAndNothingElse) {
    NeighborTable t;
    const Mac m = {2, 0, 0, 0, 0, 7};
    Mac out{};
    EXPECT_FALSE(t.find(v4(1), out));
    t.learn(v4(1), m);
    ASSERT_TRUE(t.find(v4(1), out));
    EXPECT_EQ(out, m);
    EXPECT_FALSE(t.find(v4(2), out));
    const Mac moved = {2, 0, 0, 0, 0, 8};
    t.learn(v4(1), moved);
    ASSERT_TRUE(t.find(v4(1), out));
    EXPECT_EQ(out, moved) << "a host that changed its MAC is updated";
}

TEST(DpdkNeighborTable, TheGatewayIsTheLastRouterSeen) {
    NeighborTable t;
    Mac out{};
    EXPECT_FALSE(t.gateway(out)) << "nothing came through a router yet";
    t.learn_gateway(Mac{2, 0, 0, 0, 0, 1});
    ASSERT_TRUE(t.gateway(out));
    EXPECT_EQ(out, (Mac{2, 0, 0, 0, 0, 1}));
    t.learn_gateway(Mac{2, 0, 0, 0, 0, 2});
    ASSERT_TRUE(t.gateway(out));
    EXPECT_EQ(out, (Mac{2, 0, 0, 0, 0, 2}));
}

TEST(DpdkNeighborTable, ManyAddressesAreMostlyRemembered) {
    NeighborTable t;
    for (std::uint32_t i = 0; i < 1000; ++i) t.learn(v4(i * 2654435761u), Mac{2, 0, 0, 0, 0, static_cast<std::uint8_t>(i)});
    std::size_t found = 0;
    Mac out{};
    for (std::uint32_t i = 0; i < 1000; ++i)
        if (t.find(v4(i * 2654435761u), out)) {
            ++found;
            EXPECT_EQ(out[5], static_cast<std::uint8_t>(i));
        }
    // 1000 addresses in 4096 direct-mapped slots: about 11% collide away.
    EXPECT_GT(found, 800u);
}

TEST(DpdkNeighborTable, ReadersRacingWritersSeeOnlyWholeEntries) {
    NeighborTable t;
    std::atomic<bool> stop{false};
    // Two writers alternate one address between two MACs; each MAC's bytes are all equal, so a torn
    // read shows as mixed bytes.
    auto writer = [&](std::uint8_t b) {
        while (!stop.load(std::memory_order_relaxed)) {
            t.learn(v4(42), Mac{b, b, b, b, b, b});
            std::this_thread::yield();  // leave the reader windows between writes
        }
    };
    std::thread w1(writer, 0x11), w2(writer, 0x22);
    std::size_t seen = 0;
    for (int i = 0; i < 200000 || seen == 0; ++i) {
        Mac out{};
        if (!t.find(v4(42), out)) continue;
        ++seen;
        for (auto b : out) ASSERT_EQ(b, out[0]);
    }
    stop = true;
    w1.join();
    w2.join();
    EXPECT_GT(seen, 0u);
}

}  // namespace
