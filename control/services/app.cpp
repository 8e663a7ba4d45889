#include "services/app.hpp"

#include <chrono>

#include "base/log.hpp"
#include "http/api_error.hpp"
#include "http/path_pattern.hpp"

namespace swarmline::control {

using http::ApiError;
using http::Response;

PgConn& Ctx::db() {
    if (!lease) lease.emplace(app.pool().acquire());
    return **lease;
}

App::App(ControlConfig config)
    : config_(std::move(config)),
      pool_(config_.database_url, config_.pg_pool_size),
      login_ip_(config_.login_attempts_per_ip, config_.login_window_s),
      login_account_(config_.login_failures_per_account, config_.login_window_s) {
    if (!config_.web_root.empty()) static_files_.emplace(config_.web_root);
    metrics_.add_reading("swarmline_pg_pool_in_use", "PostgreSQL connections leased by handlers now.", "gauge",
                         [this] { return static_cast<double>(pool_.in_use()); });
    metrics_.add_reading("swarmline_pg_pool_size", "Largest number of PostgreSQL connections.", "gauge",
                         [this] { return static_cast<double>(pool_.size()); });
}

Response App::handle(http::Request& req) {
    const auto t0 = std::chrono::steady_clock::now();
    const char* route_name = "unmatched";
    Response res;
    try {
        res = dispatch(req, route_name);
    } catch (const ApiError& e) {
        res = Response::error(e.status(), e.code(), e.what());
        if (e.status() == 429) res.headers.emplace_back("Retry-After", "60");
    } catch (const db::Error& e) {
        if (connection_lost(e)) {
            log::warn("PostgreSQL unavailable", {{"rid", req.request_id}, {"error", e.what()}});
            res = Response::error(503, "database_unavailable", "the database is unavailable; try again shortly");
        } else {
            log::error("query failed", {{"rid", req.request_id}, {"sqlstate", e.sqlstate()}, {"error", e.what()}});
            res = Response::error(500, "internal", "internal error (request " + req.request_id + ")");
        }
    } catch (const std::exception& e) {
        log::error("handler failed", {{"rid", req.request_id}, {"error", e.what()}});
        res = Response::error(500, "internal", "internal error (request " + req.request_id + ")");
    }
    if (res.content_type == "application/json") res.headers.emplace_back("Cache-Control", "no-store");
    const std::chrono::duration<double> dt = std::chrono::steady_clock::now() - t0;
    metrics_.observe(req.method, route_name, res.status, dt.count());
    return res;
}

Response App::dispatch(http::Request& req, const char*& route_name) {
    const Route* found = nullptr;
    std::string allowed;  // methods of the routes whose pattern matches, for 405's Allow header
    for (const auto& r : routes()) {
        req.params.clear();
        if (!http::match_path(r.pattern, req.path, req.params)) continue;
        if (req.method == r.method || (req.method == "HEAD" && std::string_view(r.method) == "GET")) {
            found = &r;
            break;
        }
        allowed += (allowed.empty() ? "" : ", ") + std::string(r.method);
    }
    if (!found) {
        req.params.clear();
        if (!allowed.empty()) {
            route_name = "method_not_allowed";
            auto res = Response::error(405, "method_not_allowed", req.method + " is not allowed on " + req.path);
            res.headers.emplace_back("Allow", allowed);
            return res;
        }
        if ((req.method == "GET" || req.method == "HEAD") && static_files_ && !req.path.starts_with("/api/")) {
            if (auto file = static_files_->get(req.path)) {
                route_name = "static";
                return std::move(*file);
            }
        }
        throw ApiError::not_found("no route for " + req.method + " " + req.path);
    }
    route_name = found->pattern;

    // Public routes do not look at credentials at all, so a stale cookie never stands in the way of
    // signing in again.
    Ctx ctx{*this, req, Principal{}, std::nullopt};
    if (found->right != auth::Right::none) {
        if (presented_token(req).empty()) throw ApiError::unauthorized("sign in to use this route");
        auto who = authenticate(ctx.db(), req);
        if (!who) throw ApiError::unauthorized("the session or token is invalid, expired or revoked");
        ctx.who = std::move(*who);
        if (found->session_only && ctx.who.session_id.empty())
            throw ApiError(403, "session_required", "this route needs a signed-in session, not an API token");
        if (!ctx.who.has(found->right))
            throw ApiError(403, "missing_right",
                           "your group lacks the right '" + std::string(auth::right_name(found->right)) + "'");
    }
    return found->handler(ctx);
}

}  // namespace swarmline::control
