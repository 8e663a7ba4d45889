// Every route of the route table, called by a member of every group and by nobody: a route is
// refused with 403 missing_right exactly when the caller's group lacks the route's right, and with
// 401 when nobody is signed in. Driven from routes() and user_groups, so a new route or group is
// covered without editing this test.
#include <gtest/gtest.h>

#include <map>

#include "auth/secrets.hpp"
#include "control_fixture.hpp"

using namespace swarmline;
using namespace swarmline::control;
using swarmline::control::test::ControlTest;

namespace {

// A concrete path for a pattern: every {parameter} becomes an id that names nothing.
std::string concrete(std::string pattern) {
    for (auto open = pattern.find('{'); open != std::string::npos; open = pattern.find('{')) {
        const auto close = pattern.find('}', open);
        const auto name = pattern.substr(open + 1, close - open - 1);
        pattern.replace(open, close - open + 1, name == "key" ? "no.such.key" : "00000000-0000-4000-8000-000000000000");
    }
    return pattern;
}

class Permissions : public ControlTest {
protected:
    // A fresh session for `user_id`, made directly so that groups without can_login get one too:
    // the dispatcher, not the sign-in, is under test.
    std::string session_for(const std::string& user_id) {
        const auto token = auth::new_token(kSessionPrefix);
        sql("INSERT INTO user_sessions (user_id, token_hash, expires_at) VALUES ('" + user_id + "', sha256('" + token +
            "'::bytea), now() + interval '1 hour')");
        return token;
    }
};

}  // namespace

TEST_F(Permissions, EveryRouteForEveryGroup) {
    struct Group {
        std::string name;
        std::map<std::string, bool> rights;  // column -> granted
        std::string user_id;
    };
    std::vector<Group> groups;
    {
        auto conn = database().connect();
        std::string cols;
        for (const auto& c : auth::kGroupRightColumns) cols += ", " + std::string(c.column);
        auto r = conn.exec("SELECT name" + cols + " FROM user_groups ORDER BY level");
        for (int i = 0; i < r.rows(); ++i) {
            Group g{std::string(r.get(i, 0)), {}, {}};
            int col = 1;
            for (const auto& c : auth::kGroupRightColumns) g.rights[std::string(c.column)] = r.get_bool(i, col++);
            groups.push_back(std::move(g));
        }
    }
    ASSERT_GE(groups.size(), 10u);
    for (std::size_t i = 0; i < groups.size(); ++i) groups[i].user_id = make_user("perm" + std::to_string(i), groups[i].name);

    int checked = 0;
    for (const auto& route : routes()) {
        const std::string path = concrete(route.pattern);
        const std::string what = std::string(route.method) + " " + route.pattern;

        const auto anon = call(route.method, path, "{}");
        if (route.right == auth::Right::none) {
            EXPECT_NE(anon.status, 401u) << what << " is public";
            EXPECT_NE(anon.status, 403u) << what << " is public";
        } else {
            EXPECT_EQ(anon.status, 401u) << what << " needs a signed-in caller";
            EXPECT_EQ(anon.error(), "unauthorized") << what;
        }
        if (route.right == auth::Right::none) continue;

        for (const auto& g : groups) {
            // Without can_login a group grants nothing at all.
            const bool can_login = g.rights.at("can_login");
            const bool allowed = can_login && g.rights.at(std::string(auth::right_name(route.right)));
            const auto r = call(route.method, path, "{}", session_for(g.user_id));
            if (allowed) {
                EXPECT_NE(r.status, 401u) << what << " as " << g.name << ": " << r.body;
                EXPECT_NE(r.error(), "missing_right") << what << " as " << g.name;
                EXPECT_LT(r.status, 500u) << what << " as " << g.name << ": " << r.body;
            } else {
                EXPECT_EQ(r.status, 403u) << what << " as " << g.name << ": " << r.body;
                EXPECT_EQ(r.error(), "missing_right") << what << " as " << g.name;
            }
            ++checked;
        }
    }
    EXPECT_GT(checked, 100);
}
