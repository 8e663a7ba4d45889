#include "control_fixture.hpp"

#include "services/accounts.hpp"

namespace swarmline::control::test {

namespace {

simdjson::dom::element parse(simdjson::dom::parser& p, const std::string& body, bool& ok) {
    simdjson::dom::element e;
    ok = p.parse(body).get(e) == simdjson::SUCCESS;
    return e;
}

}  // namespace

std::string Reply::str(const char* pointer) const {
    simdjson::dom::parser p;
    bool ok = false;
    auto doc = parse(p, body, ok);
    std::string_view v;
    if (!ok || doc.at_pointer(pointer).get(v) != simdjson::SUCCESS) return {};
    return std::string(v);
}

std::int64_t Reply::integer(const char* pointer) const {
    simdjson::dom::parser p;
    bool ok = false;
    auto doc = parse(p, body, ok);
    std::int64_t v = -1;
    if (!ok || doc.at_pointer(pointer).get(v) != simdjson::SUCCESS) return -1;
    return v;
}

bool Reply::has(const char* pointer) const {
    simdjson::dom::parser p;
    bool ok = false;
    auto doc = parse(p, body, ok);
    return ok && doc.at_pointer(pointer).error() == simdjson::SUCCESS;
}

std::string Reply::header(std::string_view name) const {
    for (const auto& [k, v] : headers)
        if (k == name) return v;
    return {};
}

App& ControlTest::app() {
    if (!app_) {
        config_.database_url = database().url();
        if (config_.login_attempts_per_ip == ControlConfig{}.login_attempts_per_ip) config_.login_attempts_per_ip = 10000;
        app_ = std::make_unique<App>(config_);
    }
    return *app_;
}

Reply ControlTest::call(const std::string& method, const std::string& target, const std::string& body,
                        const std::string& token, const std::string& ip) {
    http::Request req;
    req.method = method;
    const auto q = target.find('?');
    req.path = target.substr(0, q);
    if (q != std::string::npos) req.query = target.substr(q + 1);
    req.body = body;
    req.remote_ip = ip;
    req.request_id = "test";
    req.headers.emplace_back("user-agent", "control-test");
    if (!token.empty()) req.headers.emplace_back("authorization", "Bearer " + token);
    auto res = app().handle(req);
    return {res.status, res.body, res.headers};
}

std::string ControlTest::make_user(const std::string& username, const std::string& group, const std::string& password) {
    PgConn db(database().url());
    NewUser u;
    u.username = username;
    u.email = username + "@example.test";
    u.password = password;
    u.group = group;
    return create_user(db, u).id;
}

std::string ControlTest::login(const std::string& username, const std::string& password) {
    const auto r = call("POST", "/api/v1/auth/login", R"({"username":")" + username + R"(","password":")" + password + "\"}");
    EXPECT_EQ(r.status, 200u) << r.body;
    return r.str("/token");
}

std::string ControlTest::sql(const std::string& statement) {
    auto conn = database().connect();
    auto r = conn.exec(statement);
    return r.rows() > 0 && r.columns() > 0 && !r.is_null(0, 0) ? std::string(r.get(0, 0)) : std::string();
}

}  // namespace swarmline::control::test
