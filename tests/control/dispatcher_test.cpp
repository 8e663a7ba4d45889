// The dispatcher without a reachable database: routing, the error shape, 401 before any query,
// /health and other routes answering 503 when PostgreSQL is down, and request metrics; and the web
// UI's calls checked against the route table.
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <regex>

#include "services/app.hpp"

using namespace swarmline;
using namespace swarmline::control;

namespace {

ControlConfig unreachable() {
    ControlConfig c;
    // A socket directory that does not exist: every connection attempt fails at once.
    c.database_url = "host=/nonexistent/swarmline dbname=none connect_timeout=1";
    return c;
}

http::Response call(App& app, const std::string& method, const std::string& path, const std::string& token = "") {
    http::Request req;
    req.method = method;
    req.path = path;
    req.request_id = "unit";
    if (!token.empty()) req.headers.emplace_back("authorization", "Bearer " + token);
    return app.handle(req);
}

}  // namespace

TEST(Dispatcher, UnknownRouteAndWrongMethod) {
    App app(unreachable());
    auto r = call(app, "GET", "/api/v1/nope");
    EXPECT_EQ(r.status, 404u);
    EXPECT_EQ(r.body, R"({"error":{"code":"not_found","message":"no route for GET /api/v1/nope"}})");
    r = call(app, "PATCH", "/api/v1/me/privacy");
    EXPECT_EQ(r.status, 405u);
    EXPECT_NE(r.body.find("method_not_allowed"), std::string::npos);
    ASSERT_FALSE(r.headers.empty());
    bool allow = false;
    for (const auto& [k, v] : r.headers) allow = allow || (k == "Allow" && v == "GET, PUT");
    EXPECT_TRUE(allow) << "405 names the methods the path has";
}

TEST(Dispatcher, ProtectedRouteWithoutCredentialIsRefusedBeforeAnyQuery) {
    App app(unreachable());
    for (const auto& route : routes()) {
        if (route.right == auth::Right::none || std::string_view(route.pattern).find('{') != std::string_view::npos) continue;
        const auto r = call(app, route.method, route.pattern);
        EXPECT_EQ(r.status, 401u) << route.method << " " << route.pattern;
    }
}

TEST(Dispatcher, DatabaseDownIsA503) {
    App app(unreachable());
    auto r = call(app, "GET", "/health");
    EXPECT_EQ(r.status, 503u);
    EXPECT_NE(r.body.find(R"("code":"database_unavailable")"), std::string::npos) << r.body;
    r = call(app, "GET", "/api/v1/me", "sls_whatever");
    EXPECT_EQ(r.status, 503u);
    EXPECT_NE(r.body.find(R"("code":"database_unavailable")"), std::string::npos) << r.body;
}

TEST(Dispatcher, CountsRequestsByRoutePatternNotRawPath) {
    App app(unreachable());
    call(app, "GET", "/api/v1/users/00000000-0000-0000-0000-000000000000");
    call(app, "GET", "/api/v1/users/11111111-0000-0000-0000-000000000000");
    const auto text = call(app, "GET", "/metrics").body;
    EXPECT_NE(text.find(R"(swarmline_http_requests_total{method="GET",route="/api/v1/users/{id}",status="401"} 2)"),
              std::string::npos)
        << text;
    EXPECT_NE(text.find("swarmline_pg_pool_size 8"), std::string::npos);
}

// The web UI calls only routes that exist, with the method the route table has: every
// api("METHOD", "/path") or api("METHOD", `/path/${id}?query`) in its scripts.
TEST(WebUi, CallsOnlyRoutesOfTheTable) {
    const auto generic = [](std::string path) {  // every {param} or ${expression} becomes {}
        static const std::regex param(R"re(\$?\{[^}]*\})re");
        return std::regex_replace(path, param, "{}");
    };
    const std::regex call(R"re(api\("(GET|POST|PUT|PATCH|DELETE)", ["`](/[^"`?]*))re");
    int calls = 0;
    for (const char* script : {"/app.js", "/torrents.js"}) {
        std::ifstream in(std::string(SWARMLINE_WEB_DIR) + script);
        ASSERT_TRUE(in) << script;
        const std::string js((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        for (auto it = std::sregex_iterator(js.begin(), js.end(), call); it != std::sregex_iterator(); ++it, ++calls) {
            const std::string method = (*it)[1];
            const std::string path = generic("/api/v1" + (*it)[2].str());
            bool found = false;
            for (const auto& r : routes()) found = found || (method == r.method && path == generic(r.pattern));
            EXPECT_TRUE(found) << "web" << script << " calls " << method << " " << path << ", which is not a route";
        }
    }
    EXPECT_GE(calls, 12);
}
