// TOTP two-factor sign-in: set-up, codes, replay, backup codes, and the lock-out after wrong codes.
#include <gtest/gtest.h>

#include <chrono>

#include "auth/totp.hpp"
#include "control_fixture.hpp"

using namespace swarmline;
using swarmline::control::test::ControlTest;
using swarmline::control::test::Reply;

namespace {

class TwoFactor : public ControlTest {
protected:
    // Turns 2FA on for `user` (signed in as `session`); returns the secret and the backup codes.
    std::pair<std::vector<std::uint8_t>, std::vector<std::string>> enable(const std::string& session) {
        auto r = call("POST", "/api/v1/me/2fa/setup", "", session);
        EXPECT_EQ(r.status, 200u) << r.body;
        EXPECT_TRUE(r.str("/otpauth_uri").starts_with("otpauth://totp/"));
        auto key = *auth::base32_decode(r.str("/secret"));
        EXPECT_EQ(call("POST", "/api/v1/me/2fa/enable", R"({"code":"000000x"})", session).status, 422u);
        r = call("POST", "/api/v1/me/2fa/enable", R"({"code":")" + code(key, 0) + "\"}", session);
        EXPECT_EQ(r.status, 200u) << r.body;
        std::vector<std::string> backups;
        for (int i = 0; i < 10; ++i) backups.push_back(r.str(("/backup_codes/" + std::to_string(i)).c_str()));
        return {key, backups};
    }
    // The code for the time step `offset` steps from now.
    static std::string code(const std::vector<std::uint8_t>& key, int offset) {
        const auto now = static_cast<std::uint64_t>(
            std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count());
        return auth::hotp(key, auth::totp_step(now, 30) + static_cast<std::uint64_t>(offset), 6, auth::TotpAlgorithm::sha1);
    }
    // A code that matches no step the server would accept now.
    static std::string wrong_code(const std::vector<std::uint8_t>& key) {
        for (const char* c : {"123456", "654321", "111111"})
            if (c != code(key, -1) && c != code(key, 0) && c != code(key, 1) && c != code(key, 2)) return c;
        return "000000";
    }
    Reply sign_in(const std::string& extra) {
        return call("POST", "/api/v1/auth/login", R"({"username":"tess","password":"correct-horse-1")" + extra + "}");
    }
};

}  // namespace

TEST_F(TwoFactor, CodeIsRequiredCheckedAndNotReplayable) {
    make_user("tess");
    auto [key, backups] = enable(login("tess"));

    auto r = sign_in("");
    EXPECT_EQ(r.status, 401u);
    EXPECT_EQ(r.error(), "totp_required");
    EXPECT_TRUE(r.str("/token").empty());

    const std::string wrong = wrong_code(key);
    r = sign_in(R"(,"totp_code":")" + wrong + "\"");
    EXPECT_EQ(r.status, 401u);
    EXPECT_EQ(r.error(), "invalid_totp");

    // The set-up consumed the current step, so the next one is the first code that signs in.
    const std::string next = code(key, 1);
    r = sign_in(R"(,"totp_code":")" + next + "\"");
    ASSERT_EQ(r.status, 200u) << r.body;
    EXPECT_FALSE(r.str("/token").empty());
    r = sign_in(R"(,"totp_code":")" + next + "\"");
    EXPECT_EQ(r.status, 401u) << "a code is good once";
    EXPECT_EQ(r.error(), "invalid_totp");
}

TEST_F(TwoFactor, BackupCodesWorkOnce) {
    make_user("tess");
    auto [key, backups] = enable(login("tess"));
    ASSERT_EQ(backups.size(), 10u);
    EXPECT_EQ(sign_in(R"(,"backup_code":")" + backups[3] + "\"").status, 200u);
    EXPECT_EQ(sign_in(R"(,"backup_code":")" + backups[3] + "\"").status, 401u);
    EXPECT_EQ(sql("SELECT cardinality(backup_codes) FROM user_2fa"), "9");
}

TEST_F(TwoFactor, WrongCodesLockTwoFactorSignIn) {
    config().totp_max_failures = 3;
    make_user("tess");
    auto [key, backups] = enable(login("tess"));
    const std::string wrong = wrong_code(key);
    for (int i = 0; i < 3; ++i) EXPECT_EQ(sign_in(R"(,"totp_code":")" + wrong + "\"").status, 401u);
    auto r = sign_in(R"(,"totp_code":")" + code(key, 1) + "\"");
    EXPECT_EQ(r.status, 429u) << "the right code does not help while locked";
    EXPECT_EQ(r.error(), "totp_locked");
    EXPECT_EQ(sql("SELECT locked_until > now() FROM user_2fa"), "t");
}

TEST_F(TwoFactor, DisablingNeedsThePassword) {
    make_user("tess");
    const auto s = login("tess");
    enable(s);
    EXPECT_EQ(call("POST", "/api/v1/me/2fa/setup", "", s).status, 409u);
    EXPECT_EQ(call("POST", "/api/v1/me/2fa/disable", R"({"password":"nope-nope"})", s).status, 403u);
    EXPECT_EQ(call("POST", "/api/v1/me/2fa/disable", R"({"password":"correct-horse-1"})", s).status, 204u);
    EXPECT_EQ(sign_in("").status, 200u);
}
