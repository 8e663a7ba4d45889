// Connection ids: valid for the bucket they were issued in and the next, bound to the client's
// address and port, and dependent on the secret (opentracker's secret had no effect).
#include <gtest/gtest.h>

#include "proto/connection_id.hpp"

namespace swarmline::proto {
namespace {

ConnectionIds::Secret secret(std::uint8_t fill) {
    ConnectionIds::Secret s;
    s.fill(fill);
    return s;
}

const Endpoint kClient = Endpoint::from_v4(0x0100007f, 6881);

TEST(ConnectionIds, ValidForAboutTwoMinutes) {
    ConnectionIds ids(secret(1));
    const std::uint64_t t0 = 1'700'000'000;
    ids.advance(t0);
    const std::uint64_t id = ids.issue(kClient);
    EXPECT_TRUE(ids.verify(id, kClient));
    ids.advance(t0 + ConnectionIds::kBucketSeconds);
    EXPECT_TRUE(ids.verify(id, kClient)) << "the previous bucket is still accepted";
    ids.advance(t0 + 2 * ConnectionIds::kBucketSeconds);
    EXPECT_FALSE(ids.verify(id, kClient)) << "two buckets later it has expired";
    ids.advance(t0 + 100 * ConnectionIds::kBucketSeconds);
    EXPECT_FALSE(ids.verify(id, kClient));
}

TEST(ConnectionIds, SameBucketSameId) {
    ConnectionIds ids(secret(1));
    const std::uint64_t t0 = 1'700'000'040;  // bucket boundaries are multiples of kBucketSeconds
    ids.advance(t0 - t0 % ConnectionIds::kBucketSeconds);
    const std::uint64_t id = ids.issue(kClient);
    ids.advance(t0 - t0 % ConnectionIds::kBucketSeconds + ConnectionIds::kBucketSeconds - 1);
    EXPECT_EQ(ids.issue(kClient), id);
    ids.advance(t0 - t0 % ConnectionIds::kBucketSeconds + ConnectionIds::kBucketSeconds);
    EXPECT_NE(ids.issue(kClient), id) << "a new bucket issues new ids";
}

TEST(ConnectionIds, BoundToAddressAndPort) {
    ConnectionIds ids(secret(1));
    ids.advance(1'700'000'000);
    const std::uint64_t id = ids.issue(kClient);
    EXPECT_FALSE(ids.verify(id, Endpoint::from_v4(0x0100007f, 6882)));
    EXPECT_FALSE(ids.verify(id, Endpoint::from_v4(0x0200007f, 6881)));
    Endpoint v6{};
    v6.ip[15] = 1;
    v6.port = 6881;
    EXPECT_FALSE(ids.verify(id, v6));
    EXPECT_TRUE(ids.verify(ids.issue(v6), v6));
    EXPECT_FALSE(ids.verify(id + 1, kClient));
}

TEST(ConnectionIds, TheSecretMatters) {
    ConnectionIds a(secret(1)), b(secret(1)), c(secret(2));
    for (ConnectionIds* ids : {&a, &b, &c}) ids->advance(1'700'000'000);
    // Workers sharing a master secret accept each other's ids; another secret does not.
    EXPECT_EQ(a.issue(kClient), b.issue(kClient));
    EXPECT_TRUE(b.verify(a.issue(kClient), kClient));
    EXPECT_NE(a.issue(kClient), c.issue(kClient));
    EXPECT_FALSE(c.verify(a.issue(kClient), kClient));
    ConnectionIds r1, r2;  // random secrets
    r1.advance(1'700'000'000);
    r2.advance(1'700'000'000);
    EXPECT_NE(r1.issue(kClient), r2.issue(kClient));
}

TEST(ConnectionIds, JumpingAheadDerivesBothBuckets) {
    ConnectionIds stepped(secret(3)), jumped(secret(3));
    const std::uint64_t t = 1'700'000'000;
    stepped.advance(t - ConnectionIds::kBucketSeconds);
    const std::uint64_t old_id = stepped.issue(kClient);
    stepped.advance(t);
    jumped.advance(t);  // from bucket 0 straight to now
    EXPECT_EQ(stepped.issue(kClient), jumped.issue(kClient));
    EXPECT_TRUE(jumped.verify(old_id, kClient));
}

}  // namespace
}  // namespace swarmline::proto
