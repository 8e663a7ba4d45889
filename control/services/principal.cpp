#include "services/principal.hpp"

#include "auth/secrets.hpp"
#include "http/message.hpp"
#include "services/pg_pool.hpp"

namespace swarmline::control {

namespace {

using auth::Right;

// Columns shared by both lookups, then one boolean per group right, then one per user restriction.
std::string principal_select(std::string_view from_where) {
    std::string sql = "SELECT u.id, u.tracker_id, u.username, u.status, u.group_id, g.name, cred.id";
    for (const auto& c : auth::kGroupRightColumns) sql += ", g." + std::string(c.column);
    for (const auto& c : auth::kUserRestrictionColumns) sql += ", u." + std::string(c.column);
    sql += " ";
    sql += from_where;
    return sql;
}

const std::string& session_sql() {
    static const std::string sql = principal_select(
        "FROM user_sessions cred JOIN users u ON u.id = cred.user_id JOIN user_groups g ON g.id = u.group_id "
        "WHERE cred.token_hash = $1::bytea AND cred.revoked_at IS NULL AND cred.expires_at > now() "
        "AND u.deleted_at IS NULL AND u.status IN ('active', 'parked')");
    return sql;
}

const std::string& api_token_sql() {
    static const std::string sql = principal_select(
        ", cred.scopes::text FROM user_api_tokens cred JOIN users u ON u.id = cred.user_id "
        "JOIN user_groups g ON g.id = u.group_id "
        "WHERE cred.token_hash = $1::bytea AND cred.revoked_at IS NULL "
        "AND (cred.expires_at IS NULL OR cred.expires_at > now()) "
        "AND u.deleted_at IS NULL AND u.status IN ('active', 'parked')");
    return sql;
}

// Rights an API token keeps only when it carries the scope.
struct ScopeRights {
    std::string_view scope;
    Right rights[5];
};
constexpr ScopeRights kScopeRights[] = {
    {"upload", {Right::upload}},
    {"download", {Right::download}},
    {"moderate", {Right::moderate, Right::edit_torrents, Right::delete_torrents, Right::view_peer_ips}},
    {"admin", {Right::manage_users, Right::manage_groups, Right::manage_site, Right::admin, Right::staff}},
};

bool has_scope(std::string_view scopes_array, std::string_view scope) {
    // scopes::text is "{read,upload}"; scope names are plain words, so splitting on ',' is exact.
    if (scopes_array.size() < 2) return false;
    scopes_array = scopes_array.substr(1, scopes_array.size() - 2);
    while (!scopes_array.empty()) {
        const auto comma = scopes_array.find(',');
        if (scopes_array.substr(0, comma) == scope) return true;
        if (comma == std::string_view::npos) break;
        scopes_array.remove_prefix(comma + 1);
    }
    return false;
}

Principal from_row(const db::Result& r) {
    Principal p;
    p.authenticated = true;
    p.user_id = std::string(r.get(0, 0));
    p.tracker_id = r.get_int64(0, 1);
    p.username = std::string(r.get(0, 2));
    p.status = std::string(r.get(0, 3));
    p.group_id = r.get_int64(0, 4);
    p.group_name = std::string(r.get(0, 5));
    int col = 7;
    for (const auto& c : auth::kGroupRightColumns) p.rights.set(static_cast<std::size_t>(c.right), r.get_bool(0, col++));
    for (const auto& c : auth::kUserRestrictionColumns)
        if (!r.get_bool(0, col++)) p.rights.reset(static_cast<std::size_t>(c.right));
    // A member who parked the account may sign in to unpark it, and nothing else.
    if (p.status == "parked") p.rights &= auth::RightSet().set(static_cast<std::size_t>(Right::login));
    // Without can_login the group grants nothing at all.
    if (!p.rights.test(static_cast<std::size_t>(Right::login))) p.rights.reset();
    return p;
}

}  // namespace

std::string_view presented_token(const http::Request& req) {
    const std::string_view auth = req.header("authorization");
    if (auth.size() > 7 && (auth.substr(0, 7) == "Bearer " || auth.substr(0, 7) == "bearer ")) return auth.substr(7);
    return req.cookie(kSessionCookie);
}

std::optional<Principal> authenticate(PgConn& db, const http::Request& req) {
    const std::string_view token = presented_token(req);
    if (token.empty()) return Principal{};
    const std::string hash = "\\x" + auth::to_hex(auth::sha256(token));
    if (token.starts_with(kSessionPrefix)) {
        static const Statement kFind{"principal_by_session", session_sql().c_str()};
        const auto r = db.run(kFind, {hash});
        if (r.rows() == 0) return std::nullopt;
        Principal p = from_row(r);
        p.session_id = std::string(r.get(0, 6));
        // last_seen_at moves at most once a minute, so reading pages does not write a row each time.
        static const Statement kSeen{"session_seen",
                                     "UPDATE user_sessions SET last_seen_at = now() WHERE id = $1 "
                                     "AND last_seen_at < now() - interval '1 minute'"};
        db.run(kSeen, {p.session_id});
        return p;
    }
    if (token.starts_with(kApiTokenPrefix)) {
        static const Statement kFind{"principal_by_api_token", api_token_sql().c_str()};
        const auto r = db.run(kFind, {hash});
        if (r.rows() == 0) return std::nullopt;
        Principal p = from_row(r);
        p.api_token_id = std::string(r.get(0, 6));
        const auto scopes = r.get(0, r.column("scopes"));
        for (const auto& s : kScopeRights) {
            if (has_scope(scopes, s.scope)) continue;
            for (auto right : s.rights)
                if (right != Right::none) p.rights.reset(static_cast<std::size_t>(right));
        }
        static const Statement kUsed{"api_token_used",
                                     "UPDATE user_api_tokens SET last_used_at = now(), last_used_ip = $2::inet "
                                     "WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute')"};
        db.run(kUsed, {p.api_token_id, req.remote_ip.empty() ? std::optional<std::string>() : req.remote_ip});
        return p;
    }
    return std::nullopt;
}

}  // namespace swarmline::control
