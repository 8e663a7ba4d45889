// The pure parts of authentication: Argon2id, secrets, the rate limiter, the rights table.
#include <gtest/gtest.h>

#include <set>

#include "auth/password.hpp"
#include "auth/rate_limiter.hpp"
#include "auth/rights.hpp"
#include "auth/secrets.hpp"

using namespace swarmline::auth;

TEST(Password, Argon2idRoundTripWithStatedParameters) {
    const auto h = hash_password("correct horse battery staple");
    EXPECT_TRUE(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$")) << h;
    EXPECT_TRUE(verify_password("correct horse battery staple", h));
    EXPECT_FALSE(verify_password("correct horse battery stapler", h));
    EXPECT_NE(hash_password("correct horse battery staple"), h);  // fresh salt each time
    EXPECT_FALSE(verify_password("x", "$2y$10$notargon"));
}

TEST(Secrets, PasskeysAreThirtyTwoAlphanumericsAndDistinct) {
    std::set<std::string> seen;
    for (int i = 0; i < 200; ++i) {
        const auto k = new_passkey();
        ASSERT_EQ(k.size(), 32u);
        for (char c : k) ASSERT_TRUE(std::isalnum(static_cast<unsigned char>(c))) << k;
        seen.insert(k);
    }
    EXPECT_EQ(seen.size(), 200u);
}

TEST(Secrets, TokensCarry256BitsAndHashToSha256) {
    const auto t = new_token("sls_");
    EXPECT_EQ(t.size(), 4u + 64u);
    EXPECT_TRUE(t.starts_with("sls_"));
    EXPECT_EQ(to_hex(sha256("abc")), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    EXPECT_TRUE(equal_secret("abc", "abc"));
    EXPECT_FALSE(equal_secret("abc", "abd"));
    EXPECT_FALSE(equal_secret("abc", "ab"));
    EXPECT_EQ(new_backup_code().size(), 11u);
}

TEST(RateLimiter, LimitsPerKeyAndRecoversAfterTheWindow) {
    RateLimiter rl(3, 60);
    const std::uint64_t t = 6000;  // window-aligned
    for (int i = 0; i < 3; ++i) {
        EXPECT_TRUE(rl.allowed("ip", t + 1));
        rl.record("ip", t + 1);
    }
    EXPECT_FALSE(rl.allowed("ip", t + 2));
    EXPECT_TRUE(rl.allowed("other", t + 2));
    EXPECT_GT(rl.retry_after("ip", t + 2), 0u);
    EXPECT_FALSE(rl.allowed("ip", t + 59));
    rl.record("ip", t + 61);
    EXPECT_FALSE(rl.allowed("ip", t + 62));  // the previous window still weighs in
    EXPECT_TRUE(rl.allowed("ip", t + 121));
    rl.record("ip", t + 121);
    rl.reset("ip");
    EXPECT_EQ(rl.retry_after("ip", t + 121), 0u);
}

TEST(RateLimiter, BoundsTheNumberOfKeys) {
    RateLimiter rl(1, 60, 10);
    for (int i = 0; i < 100; ++i) rl.record("k" + std::to_string(i), 100);
    EXPECT_FALSE(rl.allowed("k99", 100));
}

TEST(Rights, NamesRoundTripAndEveryGroupColumnIsListedOnce) {
    std::set<std::string_view> columns;
    for (const auto& c : kGroupRightColumns) {
        EXPECT_TRUE(columns.insert(c.column).second) << c.column;
        EXPECT_EQ(right_from_name(right_name(c.right)), c.right);
    }
    EXPECT_EQ(columns.size(), kRightCount - 1);  // every right but `none` is a column
    EXPECT_EQ(right_from_name("none"), Right::none);
    EXPECT_FALSE(right_from_name("can_fly"));
}
