// TOTP against the test vectors of RFC 6238 (appendix B) and RFC 4226 (appendix D), and Base32
// against RFC 4648 section 10.
#include <gtest/gtest.h>

#include "auth/totp.hpp"

using namespace swarmline::auth;

namespace {

std::vector<std::uint8_t> bytes(std::string_view s) { return {s.begin(), s.end()}; }

struct Vector {
    std::uint64_t time;
    const char* sha1;
    const char* sha256;
    const char* sha512;
};

constexpr Vector kRfc6238[] = {
    {59, "94287082", "46119246", "90693936"},
    {1111111109, "07081804", "68084774", "25091201"},
    {1111111111, "14050471", "67062674", "99943326"},
    {1234567890, "89005924", "91819424", "93441116"},
    {2000000000, "69279037", "90698825", "38618901"},
    {20000000000, "65353130", "77737706", "47863826"},
};

}  // namespace

TEST(Totp, Rfc6238Vectors) {
    const auto k1 = bytes("12345678901234567890");
    const auto k256 = bytes("12345678901234567890123456789012");
    const auto k512 = bytes("1234567890123456789012345678901234567890123456789012345678901234");
    for (const auto& v : kRfc6238) {
        const auto step = totp_step(v.time, 30);
        EXPECT_EQ(hotp(k1, step, 8, TotpAlgorithm::sha1), v.sha1) << v.time;
        EXPECT_EQ(hotp(k256, step, 8, TotpAlgorithm::sha256), v.sha256) << v.time;
        EXPECT_EQ(hotp(k512, step, 8, TotpAlgorithm::sha512), v.sha512) << v.time;
    }
}

TEST(Totp, Rfc4226HotpVectors) {
    const char* expected[] = {"755224", "287082", "359152", "969429", "338314",
                              "254676", "287922", "162583", "399871", "520489"};
    const auto key = bytes("12345678901234567890");
    for (std::uint64_t c = 0; c < 10; ++c) EXPECT_EQ(hotp(key, c, 6, TotpAlgorithm::sha1), expected[c]) << c;
}

TEST(Totp, VerifyAcceptsOneStepOfDriftAndRefusesReplay) {
    const auto key = bytes("12345678901234567890");
    TotpParams p;
    p.digits = 8;
    const std::uint64_t t = 1111111111;
    const auto code = hotp(key, totp_step(t, 30), 8, TotpAlgorithm::sha1);
    ASSERT_EQ(totp_verify(key, code, t, p, std::nullopt), totp_step(t, 30));
    EXPECT_TRUE(totp_verify(key, code, t + 30, p, std::nullopt));   // phone one step behind
    EXPECT_TRUE(totp_verify(key, code, t - 30, p, std::nullopt));   // phone one step ahead
    EXPECT_FALSE(totp_verify(key, code, t + 90, p, std::nullopt));  // too old
    EXPECT_FALSE(totp_verify(key, code, t, p, totp_step(t, 30)));   // replayed
    EXPECT_FALSE(totp_verify(key, "00000000", t, p, std::nullopt));
    EXPECT_FALSE(totp_verify(key, "1234", t, p, std::nullopt));
}

TEST(Base32, Rfc4648Vectors) {
    const std::pair<const char*, const char*> cases[] = {
        {"", ""}, {"f", "MY"}, {"fo", "MZXQ"}, {"foo", "MZXW6"}, {"foob", "MZXW6YQ"},
        {"fooba", "MZXW6YTB"}, {"foobar", "MZXW6YTBOI"}};
    for (const auto& [plain, enc] : cases) {
        EXPECT_EQ(base32_encode(bytes(plain)), enc);
        EXPECT_EQ(base32_decode(enc), bytes(plain));
    }
    EXPECT_EQ(base32_decode("mzxw6ytboi======"), bytes("foobar"));
    EXPECT_FALSE(base32_decode("MZXW1"));
}

TEST(Totp, UriNamesIssuerAccountAndParameters) {
    EXPECT_EQ(totp_uri("Swarm line", "a@b", "ABC", {}),
              "otpauth://totp/Swarm%20line:a%40b?secret=ABC&issuer=Swarm%20line&algorithm=SHA1&digits=6&period=30");
}
