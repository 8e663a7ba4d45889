// The admin CLI (swarmline-control user ... / invite create) against a real database: what it
// prints with --json is what the run script and operators rely on, and what it writes signs in.
#include <gtest/gtest.h>

#include <cstdio>
#include <regex>

#include "control_fixture.hpp"

using swarmline::control::test::ControlTest;
using swarmline::control::test::Reply;

namespace {

// Runs the control binary with `args` and the test database; returns stdout and the exit status.
std::pair<std::string, int> run_cli(const std::string& url, const std::string& args) {
    const char* bin = std::getenv("SWARMLINE_CONTROL_BIN");
    EXPECT_NE(bin, nullptr) << "SWARMLINE_CONTROL_BIN is set by meson";
    const std::string cmd = std::string(bin ? bin : "false") + " " + args + " --database-url \"" + url + "\" 2>/dev/null";
    FILE* p = popen(cmd.c_str(), "r");
    std::string out;
    char buf[512];
    while (p && fgets(buf, sizeof buf, p)) out += buf;
    const int status = p ? pclose(p) : -1;
    return {out, WIFEXITED(status) ? WEXITSTATUS(status) : -1};
}

class AdminCli : public ControlTest {};

}  // namespace

TEST_F(AdminCli, UserAddPrintsTheGeneratedPasswordAndPasskeyOnce) {
    auto [out, rc] = run_cli(database().url(), "user add --username admin --email admin@localhost --group Sysop --json");
    ASSERT_EQ(rc, 0) << out;
    Reply r{200, out, {}};
    EXPECT_EQ(r.str("/username"), "admin");
    EXPECT_EQ(r.str("/group"), "Sysop");
    EXPECT_EQ(r.str("/status"), "active");
    EXPECT_EQ(r.integer("/tracker_id"), 1);
    EXPECT_TRUE(std::regex_match(r.str("/passkey"), std::regex("[0-9a-zA-Z]{32}"))) << out;
    const auto password = r.str("/password");
    ASSERT_GE(password.size(), 16u);
    EXPECT_EQ(sql("SELECT passkey FROM users WHERE username = 'admin'"), r.str("/passkey"));

    const auto token = login("admin", password);
    EXPECT_EQ(call("GET", "/api/v1/users", "", token).status, 200u) << "the first administrator can manage users";

    std::tie(out, rc) = run_cli(database().url(), "user add --username admin --email other@localhost --json");
    EXPECT_EQ(rc, 1) << "a duplicate is refused";
}

TEST_F(AdminCli, SetGroupDisableAndPasskeyReset) {
    make_user("member1");
    auto [out, rc] = run_cli(database().url(), "user set-group --user member1 --group 'Power User' --json");
    ASSERT_EQ(rc, 0);
    EXPECT_EQ((Reply{200, out, {}}.str("/group")), "Power User");
    EXPECT_EQ(sql("SELECT g.name FROM users u JOIN user_groups g ON g.id = u.group_id WHERE username = 'member1'"),
              "Power User");

    const auto before = sql("SELECT passkey FROM users WHERE username = 'member1'");
    std::tie(out, rc) = run_cli(database().url(), "user passkey-reset --user member1 --json");
    ASSERT_EQ(rc, 0);
    EXPECT_NE((Reply{200, out, {}}.str("/passkey")), before);
    EXPECT_EQ(sql("SELECT passkey FROM users WHERE username = 'member1'"), (Reply{200, out, {}}.str("/passkey")));

    const auto session = login("member1");
    std::tie(out, rc) = run_cli(database().url(), "user disable --user member1 --reason 'test' --json");
    ASSERT_EQ(rc, 0);
    EXPECT_EQ((Reply{200, out, {}}.str("/status")), "disabled");
    EXPECT_EQ(call("GET", "/api/v1/me", "", session).status, 401u) << "disabling ends the sessions";
    EXPECT_EQ(sql("SELECT is_enabled FROM users WHERE username = 'member1'"), "f");

    std::tie(out, rc) = run_cli(database().url(), "user disable --user nobody");
    EXPECT_EQ(rc, 1);
}

TEST_F(AdminCli, InviteCreatePrintsACodeThatRegisters) {
    auto [out, rc] = run_cli(database().url(), "invite create --email guest@example.test --days 2 --json");
    ASSERT_EQ(rc, 0) << out;
    const auto code = Reply{200, out, {}}.str("/code");
    ASSERT_TRUE(code.starts_with("sli_")) << out;
    const auto r = call("POST", "/api/v1/auth/register",
                        R"({"username":"guest","email":"guest@example.test","password":"long-enough-pw","invite_code":")" +
                            code + "\"}");
    EXPECT_EQ(r.status, 201u) << r.body;
    EXPECT_EQ(sql("SELECT invited_by IS NULL FROM users WHERE username = 'guest'"), "t") << "a site invite has no inviter";
}
