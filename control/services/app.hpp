// The control API as one object: configuration, the PostgreSQL pool, rate limits, metrics, the route
// table and the dispatcher that every request goes through (authenticate, check the route's right,
// run the handler, turn errors into the one error shape, count).
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>

#include "auth/rate_limiter.hpp"
#include "http/message.hpp"
#include "http/metrics.hpp"
#include "http/static_files.hpp"
#include "services/pg_pool.hpp"
#include "services/principal.hpp"

namespace swarmline::control {

struct ControlConfig {
    std::string database_url;
    std::uint32_t pg_pool_size = 8;
    std::string web_root;                // web/ files; empty: no UI
    std::string announce_url = "http://127.0.0.1:6969";  // the dataplane's public base URL
    bool cookie_secure = false;          // set behind TLS so browsers send the cookie only over HTTPS
    std::uint32_t session_hours = 24;    // a session not marked "remember me"
    std::uint32_t login_attempts_per_ip = 30;       // per login_window_s, any outcome
    std::uint32_t login_failures_per_account = 5;   // per login_window_s, wrong password or code
    std::uint32_t login_window_s = 900;
    std::uint32_t totp_max_failures = 5;            // wrong codes in a row before the lock-out
    std::uint32_t totp_lockout_s = 900;
};

class App;

// What a handler gets: the request, the caller, and a PostgreSQL connection leased on first use.
struct Ctx {
    App& app;
    http::Request& req;
    Principal who;
    std::optional<PgPool::Lease> lease;

    PgConn& db();
    // The body, or "{}" when there is none: for routes whose JSON body is optional.
    std::string_view body_or_empty() const noexcept { return req.body.empty() ? std::string_view("{}") : req.body; }
    // The caller's user id; only on routes that require a right other than `none`.
    const std::string& me() const noexcept { return who.user_id; }
};

using Handler = http::Response (*)(Ctx&);

struct Route {
    const char* method;
    const char* pattern;   // OpenAPI path syntax: /api/v1/users/{id}
    auth::Right right;     // checked by the dispatcher before the handler runs
    Handler handler;
    // Only a browser session may call it, not an API token: minting tokens, changing the password
    // or 2FA must not be possible with a leaked script token.
    bool session_only = false;
};

// Every route of the API (control/services/routes.cpp).
std::span<const Route> routes();

class App {
public:
    explicit App(ControlConfig config);

    http::Response handle(http::Request& req);

    const ControlConfig& config() const noexcept { return config_; }
    PgPool& pool() noexcept { return pool_; }
    http::Metrics& metrics() noexcept { return metrics_; }
    auth::RateLimiter& login_ip_limiter() noexcept { return login_ip_; }
    auth::RateLimiter& login_account_limiter() noexcept { return login_account_; }

private:
    http::Response dispatch(http::Request& req, const char*& route_name);
    ControlConfig config_;
    PgPool pool_;
    http::Metrics metrics_;
    auth::RateLimiter login_ip_;
    auth::RateLimiter login_account_;
    std::optional<http::StaticFiles> static_files_;
};

}  // namespace swarmline::control
