// Registration, e-mail verification, sign-in and its failures, sessions, API tokens, password and
// passkey changes, soft delete: the account flows end to end against a real PostgreSQL.
#include <gtest/gtest.h>

#include <regex>

#include "auth/totp.hpp"
#include "control_fixture.hpp"
#include "services/accounts.hpp"

using namespace swarmline::control;
using swarmline::control::test::ControlTest;

namespace {

std::string register_body(const std::string& name, const std::string& invite = "") {
    std::string b = R"({"username":")" + name + R"(","email":")" + name + R"(@example.test","password":"long-enough-pw")";
    if (!invite.empty()) b += R"(,"invite_code":")" + invite + "\"";
    return b + "}";
}

std::string login_body(const std::string& name, const std::string& password, const std::string& extra = "") {
    return R"({"username":")" + name + R"(","password":")" + password + "\"" + extra + "}";
}

class AccountFlows : public ControlTest {
protected:
    Invite invite_from(const std::optional<std::string>& inviter) {
        PgConn db(database().url());
        return create_invite(db, inviter, "guest@example.test", 7, std::nullopt, true);
    }
    // The code in the newest verification mail to `email`.
    std::string mailed_code(const std::string& email) {
        const auto body = sql("SELECT body_text FROM email_outbox WHERE to_address = '" + email +
                              "' AND template = 'verify_email' ORDER BY created_at DESC LIMIT 1");
        std::smatch m;
        EXPECT_TRUE(std::regex_search(body, m, std::regex("slv_[0-9a-f]{64}"))) << body;
        return m.size() ? m.str(0) : "";
    }
};

}  // namespace

TEST_F(AccountFlows, RegistrationByInviteNeedsVerificationAndRecordsTheInviteTree) {
    const auto inviter = make_user("inviter");
    const auto inv = invite_from(inviter);

    auto r = call("POST", "/api/v1/auth/register", register_body("newbie", inv.code));
    ASSERT_EQ(r.status, 201u) << r.body;
    EXPECT_EQ(r.str("/user/status"), "unconfirmed");
    const auto id = r.str("/user/id");

    r = call("POST", "/api/v1/auth/login", login_body("newbie", "long-enough-pw"));
    EXPECT_EQ(r.status, 403u);
    EXPECT_EQ(r.error(), "email_unverified");

    r = call("POST", "/api/v1/auth/verify-email", R"({"token":")" + mailed_code("newbie@example.test") + "\"}");
    ASSERT_EQ(r.status, 200u) << r.body;
    r = call("POST", "/api/v1/auth/verify-email", R"({"token":")" + mailed_code("newbie@example.test") + "\"}");
    EXPECT_EQ(r.status, 422u) << "a verification code is good once";
    EXPECT_EQ(call("POST", "/api/v1/auth/login", login_body("newbie", "long-enough-pw")).status, 200u);

    EXPECT_EQ(sql("SELECT invited_by FROM users WHERE id = '" + id + "'"), inviter);
    EXPECT_EQ(sql("SELECT depth FROM invite_tree WHERE ancestor_id = '" + inviter + "' AND descendant_id = '" + id + "'"), "1");
    EXPECT_EQ(sql("SELECT invitee_id FROM invites WHERE id = '" + inv.id + "'"), id);

    r = call("POST", "/api/v1/auth/register", register_body("second", inv.code));
    EXPECT_EQ(r.status, 409u);
    EXPECT_EQ(r.error(), "invite_used");
}

TEST_F(AccountFlows, ExpiredOrUnknownInviteIsRefused) {
    const auto inv = invite_from(std::nullopt);
    sql("UPDATE invites SET created_at = now() - interval '10 days', expires_at = now() - interval '1 day' "
        "WHERE id = '" + inv.id + "'");
    auto r = call("POST", "/api/v1/auth/register", register_body("late", inv.code));
    EXPECT_EQ(r.status, 410u);
    EXPECT_EQ(r.error(), "invite_expired");
    r = call("POST", "/api/v1/auth/register", register_body("late", "sli_nonsense"));
    EXPECT_EQ(r.status, 422u);
    EXPECT_EQ(r.error(), "invalid_invite");
    EXPECT_EQ(sql("SELECT count(*) FROM users WHERE username = 'late'"), "0");
}

TEST_F(AccountFlows, OpenRegistrationOnlyWhenTheSiteSettingAllows) {
    auto r = call("POST", "/api/v1/auth/register", register_body("walkin"));
    EXPECT_EQ(r.status, 403u);
    EXPECT_EQ(r.error(), "invite_required");

    make_user("root", "Sysop");
    const auto admin = login("root");
    r = call("PUT", "/api/v1/settings/site.registration_mode", R"({"value":"open"})", admin);
    ASSERT_EQ(r.status, 200u) << r.body;
    r = call("POST", "/api/v1/auth/register", register_body("walkin"));
    EXPECT_EQ(r.status, 201u) << r.body;
    r = call("POST", "/api/v1/auth/register", register_body("WALKIN"));
    EXPECT_EQ(r.status, 409u) << "usernames are unique without regard to case";
}

TEST_F(AccountFlows, WrongPasswordAndUnknownUserLookAlike) {
    make_user("carol");
    auto a = call("POST", "/api/v1/auth/login", login_body("carol", "wrong-password"));
    auto b = call("POST", "/api/v1/auth/login", login_body("nobody", "wrong-password"));
    EXPECT_EQ(a.status, 401u);
    EXPECT_EQ(b.status, 401u);
    EXPECT_EQ(a.body, b.body);
    EXPECT_EQ(sql("SELECT string_agg(failure_reason, ',' ORDER BY id) FROM login_attempts"), "bad_password,unknown_user");
}

// A sign-in writes its three rows in one round trip: the session, the member's last sign-in and
// the attempt.
TEST_F(AccountFlows, ASignInRecordsTheSessionTheLastSignInAndTheAttempt) {
    const auto carol = make_user("carol");
    const auto r = call("POST", "/api/v1/auth/login", login_body("carol", "correct-horse-1"), "", "10.1.2.3");
    ASSERT_EQ(r.status, 200u) << r.body;
    EXPECT_EQ(sql("SELECT host(ip) FROM user_sessions WHERE id = '" + r.str("/session_id") + "' AND user_id = '" + carol + "'"),
              "10.1.2.3");
    EXPECT_EQ(sql("SELECT host(last_ip) || ' ' || (last_login_at IS NOT NULL) FROM users WHERE id = '" + carol + "'"),
              "10.1.2.3 true");
    EXPECT_EQ(sql("SELECT count(*) FROM login_attempts WHERE success AND host(ip) = '10.1.2.3' AND user_id = '" + carol + "'"),
              "1");
}

TEST_F(AccountFlows, AccountIsLockedOutAfterRepeatedFailures) {
    config().login_failures_per_account = 3;
    make_user("dave");
    for (int i = 0; i < 3; ++i) EXPECT_EQ(call("POST", "/api/v1/auth/login", login_body("dave", "nope-nope")).status, 401u);
    auto r = call("POST", "/api/v1/auth/login", login_body("dave", "correct-horse-1"));
    EXPECT_EQ(r.status, 429u) << "the right password does not help while the account is locked out";
    EXPECT_EQ(r.error(), "rate_limited");
    EXPECT_FALSE(r.header("Retry-After").empty());
    EXPECT_EQ(call("POST", "/api/v1/auth/login", login_body("dave", "correct-horse-1"), "", "10.0.0.9").status, 429u)
        << "the lock-out is per account, whatever the IP";
}

TEST_F(AccountFlows, LoginAttemptsAreLimitedPerIp) {
    config().login_attempts_per_ip = 2;
    make_user("erin");
    EXPECT_EQ(call("POST", "/api/v1/auth/login", login_body("erin", "x-wrong-1"), "", "10.1.1.1").status, 401u);
    EXPECT_EQ(call("POST", "/api/v1/auth/login", login_body("erin", "correct-horse-1"), "", "10.1.1.1").status, 200u);
    EXPECT_EQ(call("POST", "/api/v1/auth/login", login_body("erin", "correct-horse-1"), "", "10.1.1.1").status, 429u);
    EXPECT_EQ(call("POST", "/api/v1/auth/login", login_body("erin", "correct-horse-1"), "", "10.1.1.2").status, 200u);
}

TEST_F(AccountFlows, SessionsWorkUntilLogoutAndRevokeAll) {
    make_user("frank");
    const auto s1 = login("frank");
    const auto s2 = login("frank");
    EXPECT_EQ(sql("SELECT encode(token_hash, 'hex') = encode(sha256('" + s1 + "'::bytea), 'hex') FROM user_sessions "
                  "ORDER BY created_at LIMIT 1"),
              "t")
        << "only the SHA-256 of the token is stored";
    EXPECT_EQ(call("GET", "/api/v1/me", "", s1).status, 200u);
    auto r = call("GET", "/api/v1/me/sessions", "", s1);
    EXPECT_EQ(r.integer("/pagination/total"), 2);
    r = call("GET", "/api/v1/me/sessions?page=2&per_page=1", "", s1);
    EXPECT_EQ(r.str("/sessions/0/id").empty(), false);
    r = call("GET", "/api/v1/me/sessions?page=9&per_page=1", "", s1);
    EXPECT_FALSE(r.has("/sessions/0"));
    EXPECT_EQ(r.integer("/pagination/total"), 2) << "the total is known past the last page too";

    EXPECT_EQ(call("POST", "/api/v1/auth/logout", "", s1).status, 204u);
    r = call("GET", "/api/v1/me", "", s1);
    EXPECT_EQ(r.status, 401u);
    EXPECT_EQ(r.error(), "unauthorized");
    EXPECT_EQ(call("GET", "/api/v1/me", "", s2).status, 200u);

    const auto s3 = login("frank");
    r = call("POST", "/api/v1/auth/logout-all", "", s3);
    EXPECT_EQ(r.integer("/revoked"), 2);
    EXPECT_EQ(call("GET", "/api/v1/me", "", s2).status, 401u);
    EXPECT_EQ(call("GET", "/api/v1/me", "", s3).status, 401u);
    EXPECT_EQ(call("GET", "/api/v1/me", "", "sls_0000").status, 401u);
}

TEST_F(AccountFlows, ExpiredSessionIsRefused) {
    make_user("gina");
    const auto s = login("gina");
    sql("UPDATE user_sessions SET created_at = now() - interval '2 days', expires_at = now() - interval '1 day'");
    EXPECT_EQ(call("GET", "/api/v1/me", "", s).status, 401u);
}

TEST_F(AccountFlows, ApiTokensWorkForScriptsButCannotMintTokens) {
    make_user("hank", "Sysop");
    const auto s = login("hank");
    auto r = call("POST", "/api/v1/me/tokens", R"({"name":"sonarr","scopes":["read","download"]})", s);
    ASSERT_EQ(r.status, 201u) << r.body;
    const auto token = r.str("/token");
    const auto id = r.str("/id");
    EXPECT_TRUE(token.starts_with("slt_"));

    EXPECT_EQ(call("GET", "/api/v1/me", "", token).status, 200u);
    r = call("POST", "/api/v1/me/tokens", R"({"name":"another"})", token);
    EXPECT_EQ(r.status, 403u);
    EXPECT_EQ(r.error(), "session_required");
    r = call("GET", "/api/v1/users", "", token);
    EXPECT_EQ(r.status, 403u) << "a token without the admin scope does not carry the group's admin rights";
    EXPECT_EQ(r.error(), "missing_right");
    EXPECT_EQ(call("GET", "/api/v1/users", "", s).status, 200u);

    r = call("POST", "/api/v1/me/tokens", R"({"name":"bad","scopes":["root"]})", s);
    EXPECT_EQ(r.status, 422u);

    EXPECT_EQ(call("DELETE", "/api/v1/me/tokens/" + id, "", s).status, 204u);
    EXPECT_EQ(call("GET", "/api/v1/me", "", token).status, 401u);
}

TEST_F(AccountFlows, PasswordChangeEndsOtherSessions) {
    make_user("ivy");
    const auto keep = login("ivy");
    const auto other = login("ivy");
    auto r = call("PUT", "/api/v1/me/password", R"({"current_password":"wrong-one","new_password":"brand-new-pass"})", keep);
    EXPECT_EQ(r.status, 403u);
    EXPECT_EQ(r.error(), "wrong_password");
    r = call("PUT", "/api/v1/me/password", R"({"current_password":"correct-horse-1","new_password":"short"})", keep);
    EXPECT_EQ(r.status, 422u);
    r = call("PUT", "/api/v1/me/password", R"({"current_password":"correct-horse-1","new_password":"brand-new-pass"})", keep);
    ASSERT_EQ(r.status, 200u) << r.body;
    EXPECT_EQ(r.integer("/revoked_sessions"), 1);
    EXPECT_EQ(call("GET", "/api/v1/me", "", keep).status, 200u);
    EXPECT_EQ(call("GET", "/api/v1/me", "", other).status, 401u);
    EXPECT_EQ(call("POST", "/api/v1/auth/login", login_body("ivy", "correct-horse-1")).status, 401u);
    EXPECT_EQ(call("POST", "/api/v1/auth/login", login_body("ivy", "brand-new-pass")).status, 200u);
}

TEST_F(AccountFlows, PasskeyResetIssuesANewThirtyTwoCharacterKey) {
    const auto id = make_user("jill");
    const auto s = login("jill");
    const auto before = call("GET", "/api/v1/me", "", s).str("/passkey");
    auto r = call("POST", "/api/v1/me/passkey", "", s);
    ASSERT_EQ(r.status, 200u);
    const auto after = r.str("/passkey");
    EXPECT_NE(before, after);
    EXPECT_TRUE(std::regex_match(after, std::regex("[0-9a-zA-Z]{32}")));
    EXPECT_EQ(r.str("/announce_url"), "http://127.0.0.1:6969/" + after + "/announce");
    EXPECT_EQ(sql("SELECT passkey FROM users WHERE id = '" + id + "'"), after);
}

TEST_F(AccountFlows, SoftDeletedAndDisabledAccountsCannotSignIn) {
    make_user("boss", "Administrator");
    const auto victim = make_user("kim");
    const auto admin = login("boss");
    const auto s = login("kim");
    EXPECT_EQ(call("DELETE", "/api/v1/users/" + victim, R"({"reason":"spam"})", admin).status, 204u);
    EXPECT_EQ(call("GET", "/api/v1/me", "", s).status, 401u);
    EXPECT_EQ(call("POST", "/api/v1/auth/login", login_body("kim", "correct-horse-1")).status, 401u);
    EXPECT_EQ(sql("SELECT deletion_reason FROM users WHERE id = '" + victim + "'"), "spam");
    EXPECT_EQ(sql("SELECT is_enabled FROM users WHERE id = '" + victim + "'"), "f");

    make_user("lee");
    {
        PgConn db(database().url());
        disable_user(db, "lee", "test");
    }
    auto r = call("POST", "/api/v1/auth/login", login_body("lee", "correct-horse-1"));
    EXPECT_EQ(r.status, 403u);
    EXPECT_EQ(r.error(), "account_disabled");
}

TEST_F(AccountFlows, StaffCannotActAboveTheirRank) {
    make_user("mod", "Moderator");
    make_user("adm", "Administrator");
    const auto sysop = make_user("top", "Sysop");
    const auto member = make_user("plain");
    const auto admin = login("adm");
    auto r = call("PUT", "/api/v1/users/" + member + "/group", R"({"group":"Sysop"})", admin);
    EXPECT_EQ(r.status, 403u);
    EXPECT_EQ(r.error(), "rank");
    r = call("POST", "/api/v1/users/" + sysop + "/disable", "", admin);
    EXPECT_EQ(r.status, 403u);
    r = call("PUT", "/api/v1/users/" + member + "/group", R"({"group":"Power User"})", admin);
    ASSERT_EQ(r.status, 200u) << r.body;
    EXPECT_EQ(r.str("/group"), "Power User");
    EXPECT_EQ(call("GET", "/api/v1/users", "", login("mod")).status, 403u) << "moderators do not manage users";
}

TEST_F(AccountFlows, PrivacySwitchesHideProfileFieldsFromOtherMembers) {
    make_user("viewer");
    const auto owner = make_user("owner");
    make_user("staffer", "Moderator");
    const auto v = login("viewer");
    const auto o = login("owner");

    auto r = call("GET", "/api/v1/users/" + owner, "", v);
    ASSERT_EQ(r.status, 200u);
    EXPECT_TRUE(r.has("/uploaded"));
    EXPECT_FALSE(r.has("/email")) << "e-mail is hidden by default";

    ASSERT_EQ(call("PUT", "/api/v1/me/privacy", R"({"show_uploaded":false,"show_ratio":false})", o).status, 200u);
    r = call("GET", "/api/v1/users/" + owner, "", v);
    EXPECT_FALSE(r.has("/uploaded"));
    EXPECT_FALSE(r.has("/ratio"));
    EXPECT_TRUE(r.has("/downloaded"));
    EXPECT_NE(r.body.find("\"uploaded\""), std::string::npos) << "listed under hidden";

    r = call("GET", "/api/v1/users/" + owner, "", login("staffer"));
    EXPECT_TRUE(r.has("/uploaded")) << "staff see everything";
    EXPECT_TRUE(r.has("/email"));
    r = call("GET", "/api/v1/users/" + owner, "", o);
    EXPECT_TRUE(r.has("/uploaded")) << "owners see everything";
    EXPECT_EQ(call("GET", "/api/v1/users/00000000-0000-0000-0000-000000000000", "", v).status, 404u);
}

// Searching by uploader lists what a member uploaded: hidden by their show_uploads switch from
// other members, never from themselves or staff.
TEST_F(AccountFlows, HiddenUploadsAreNotFoundBySearchingTheUploader) {
    make_user("viewer");
    const auto owner = make_user("owner");
    make_user("staffer", "Moderator");
    sql("INSERT INTO torrents (info_hash, name, category_id, size, status, moderated_at, uploader_id) "
        "VALUES (decode(repeat('ab', 20), 'hex'), 'Ubuntu 24.04', (SELECT min(id) FROM torrent_categories), 1000, "
        "'approved', now(), '" + owner + "')");
    const auto v = login("viewer");
    const auto o = login("owner");
    const auto staffer = login("staffer");
    auto found = [&](const std::string& session) {
        const auto r = call("GET", "/api/v1/torrents?uploader=owner", "", session);
        EXPECT_EQ(r.status, 200u) << r.body;
        return r.integer("/pagination/total");
    };
    EXPECT_EQ(found(v), 1) << "uploads are shown by default";

    ASSERT_EQ(call("PUT", "/api/v1/me/privacy", R"({"show_uploads":false})", o).status, 200u);
    EXPECT_EQ(found(v), 0);
    EXPECT_EQ(found(o), 1) << "owners see their own";
    EXPECT_EQ(found(staffer), 1) << "staff see everything";
    const auto all = call("GET", "/api/v1/torrents", "", v);
    EXPECT_EQ(all.integer("/pagination/total"), 1) << "the torrent itself stays listed";
}

TEST_F(AccountFlows, InvitesSpendTheMembersQuota) {
    const auto id = make_user("pu", "Power User");
    const auto s = login("pu");
    auto r = call("POST", "/api/v1/invites", R"({"email":"friend@example.test"})", s);
    EXPECT_EQ(r.status, 403u);
    EXPECT_EQ(r.error(), "no_invites_left");
    sql("UPDATE users SET invites_available = 1 WHERE id = '" + id + "'");
    r = call("POST", "/api/v1/invites", R"({"email":"friend@example.test","days":3})", s);
    ASSERT_EQ(r.status, 201u) << r.body;
    EXPECT_TRUE(r.str("/code").starts_with("sli_"));
    EXPECT_EQ(sql("SELECT invites_available FROM users WHERE id = '" + id + "'"), "0");
    r = call("GET", "/api/v1/invites", "", s);
    EXPECT_EQ(r.str("/invites/0/status"), "pending");
    EXPECT_EQ(call("DELETE", "/api/v1/invites/" + r.str("/invites/0/id"), "", s).status, 204u);
    EXPECT_EQ(sql("SELECT invites_available FROM users WHERE id = '" + id + "'"), "1");
}
