// A member's own credentials: password change, TOTP two-factor set-up, and API tokens for scripts.
#include <regex>

#include "auth/password.hpp"
#include "auth/secrets.hpp"
#include "auth/totp.hpp"
#include "http/api_error.hpp"
#include "http/json_input.hpp"
#include "http/json_writer.hpp"
#include "services/accounts.hpp"
#include "services/handlers.hpp"

namespace swarmline::control {

using http::ApiError;
using http::JsonInput;
using http::JsonWriter;
using http::Response;

namespace {

constexpr int kBackupCodes = 10;
constexpr std::size_t kTotpSecretBytes = 20;  // RFC 4226 section 4: 160 bits, the HMAC-SHA1 block

void check_password(Ctx& c, const std::string& password) {
    static const Statement kHash{"user_password_hash", "SELECT password_hash FROM users WHERE id = $1"};
    const auto r = c.db().run(kHash, {c.me()});
    if ((r.rows() == 0) || !auth::verify_password(password, std::string(r.get(0, 0))))
        throw ApiError(403, "wrong_password", "the current password is wrong");
}

std::string scopes_literal(const std::vector<std::string>& scopes) {
    static const std::regex word("^[a-z]{1,16}$");
    std::string out = "{";
    for (const auto& s : scopes) {
        if (!std::regex_match(s, word)) throw ApiError::invalid("unknown scope '" + s + "'");
        if (out.size() > 1) out += ',';
        out += s;
    }
    return out + "}";
}

}  // namespace

Response put_password(Ctx& c) {
    JsonInput in(c.req.body);
    const auto current = in.string("current_password", auth::kMaxPasswordLength);
    const auto next = in.string("new_password", auth::kMaxPasswordLength);
    validate_password(next);
    check_password(c, current);
    auto& db = c.db();
    Transaction tx(db);
    static const Statement kSet{"user_password_set",
                                "UPDATE users SET password_hash = $2, password_changed_at = now() WHERE id = $1"};
    db.run(kSet, {c.me(), auth::hash_password(next)});
    // Every other session ends: a password change is what a member does after a suspected leak.
    static const Statement kOthers{"sessions_revoke_others",
                                   "UPDATE user_sessions SET revoked_at = now(), revoked_reason = 'password changed' "
                                   "WHERE user_id = $1 AND id <> $2 AND revoked_at IS NULL AND expires_at > now()"};
    const auto n = db.run(kOthers, {c.me(), c.who.session_id}).affected_rows();
    tx.commit();
    JsonWriter w;
    w.begin_object().field("revoked_sessions", n).end_object();
    return Response::json(w.take());
}

Response post_2fa_setup(Ctx& c) {
    const std::string secret = auth::base32_encode(auth::random_bytes(kTotpSecretBytes));
    static const Statement kUpsert{
        "totp_setup",
        "INSERT INTO user_2fa (user_id, secret) VALUES ($1, $2) "
        "ON CONFLICT (user_id) DO UPDATE SET secret = EXCLUDED.secret, failed_attempts = 0, locked_until = NULL, "
        "last_used_step = NULL WHERE NOT user_2fa.is_enabled"};
    if (c.db().run(kUpsert, {c.me(), secret}).affected_rows() == 0)
        throw ApiError::conflict("two-factor authentication is already on; turn it off first");
    const std::string site = site_setting(c.db(), "site.name").value_or("Swarmline");
    JsonWriter w;
    w.begin_object().field("secret", secret).field("otpauth_uri", auth::totp_uri(site, c.who.username, secret, {}));
    w.end_object();
    return Response::json(w.take());
}

Response post_2fa_enable(Ctx& c) {
    JsonInput in(c.req.body);
    const auto code = in.string("code", 16);
    static const Statement kPending{"totp_pending", "SELECT secret FROM user_2fa WHERE user_id = $1 AND NOT is_enabled"};
    const auto r = c.db().run(kPending, {c.me()});
    if (r.rows() == 0) throw ApiError::conflict("start with POST /api/v1/me/2fa/setup");
    const auto key = auth::base32_decode(std::string(r.get(0, 0)));
    const auto step = key ? auth::totp_verify(*key, code, unix_now(), {}, std::nullopt) : std::nullopt;
    if (!step) throw ApiError(422, "invalid_totp", "the code does not match; check the phone's clock");

    std::vector<std::string> codes;
    std::string hashes = "{";
    for (int i = 0; i < kBackupCodes; ++i) {
        codes.push_back(auth::new_backup_code());
        if (i) hashes += ',';
        hashes += auth::to_hex(auth::sha256(codes.back()));
    }
    hashes += '}';
    static const Statement kEnable{"totp_enable",
                                   "UPDATE user_2fa SET is_enabled = true, enabled_at = now(), last_used_step = $2, "
                                   "backup_codes = $3::text[], failed_attempts = 0 WHERE user_id = $1 AND NOT is_enabled"};
    if (c.db().run(kEnable, {c.me(), static_cast<std::int64_t>(*step), hashes}).affected_rows() == 0)
        throw ApiError::conflict("two-factor authentication changed meanwhile");
    JsonWriter w;
    w.begin_object().field("enabled", true).key("backup_codes").begin_array();
    for (const auto& bc : codes) w.value(bc);
    w.end_array().end_object();
    return Response::json(w.take());
}

Response post_2fa_disable(Ctx& c) {
    JsonInput in(c.req.body);
    check_password(c, in.string("password", auth::kMaxPasswordLength));
    static const Statement kDelete{"totp_delete", "DELETE FROM user_2fa WHERE user_id = $1"};
    if (c.db().run(kDelete, {c.me()}).affected_rows() == 0)
        throw ApiError::not_found("two-factor authentication is not on");
    return Response::no_content();
}

Response list_api_tokens(Ctx& c) {
    static const Statement kList{"api_tokens_list",
                                 "SELECT id, name, token_prefix, scopes::text, created_at, last_used_at, expires_at "
                                 "FROM user_api_tokens WHERE user_id = $1 AND revoked_at IS NULL "
                                 "ORDER BY created_at DESC LIMIT 100"};
    const auto r = c.db().run(kList, {c.me()});
    JsonWriter w;
    w.begin_object().key("tokens").begin_array();
    for (int i = 0; i < r.rows(); ++i) {
        w.begin_object().field("id", std::string(r.get(i, 0))).field("name", std::string(r.get(i, 1))).field("prefix", std::string(r.get(i, 2)));
        std::string scopes = std::string(r.get(i, 3));
        w.key("scopes").begin_array();
        std::string_view rest = std::string_view(scopes).substr(1, scopes.size() - 2);
        while (!rest.empty()) {
            const auto comma = rest.find(',');
            w.value(rest.substr(0, comma));
            rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
        }
        w.end_array().field("created_at", std::string(r.get(i, 4)));
        w.key("last_used_at");
        r.is_null(i, 5) ? w.null() : w.value(r.get(i, 5));
        w.key("expires_at");
        r.is_null(i, 6) ? w.null() : w.value(r.get(i, 6));
        w.end_object();
    }
    w.end_array().end_object();
    return Response::json(w.take());
}

Response post_api_token(Ctx& c) {
    JsonInput in(c.req.body);
    const auto name = in.string("name", 64);
    if (name.empty()) throw ApiError::invalid("'name' must not be empty");
    const auto scopes = in.optional_string_array("scopes", 6, 16).value_or(std::vector<std::string>{"read"});
    const auto days = in.optional_int("expires_in_days");
    if (days && (*days < 1 || *days > 3650)) throw ApiError::invalid("'expires_in_days' must be 1 to 3650");
    const std::string token = auth::new_token(kApiTokenPrefix);
    static const Statement kInsert{
        "api_token_insert",
        "INSERT INTO user_api_tokens (user_id, name, token_hash, token_prefix, scopes, expires_at) "
        "VALUES ($1, $2, $3::bytea, $4, $5::text[], now() + make_interval(days => $6::int)) RETURNING id, created_at, expires_at"};
    try {
        const auto r = c.db().run(kInsert, {c.me(), name, token_hash_param(token), token.substr(0, 8),
                                            scopes_literal(scopes), days});
        JsonWriter w;
        w.begin_object().field("id", std::string(r.get(0, 0))).field("name", name).field("token", token);
        w.field("created_at", std::string(r.get(0, 1))).key("expires_at");
        r.is_null(0, 2) ? w.null() : w.value(r.get(0, 2));
        w.end_object();
        return Response::json(w.take(), 201);
    } catch (const db::Error& e) {
        if (unique_violation(e)) throw ApiError::conflict("you already have a token with that name");
        if (e.sqlstate() == "23514") throw ApiError::invalid("unknown scope; use read, download, upload, rss, moderate, admin");
        throw;
    }
}

Response delete_api_token(Ctx& c) {
    static const Statement kRevoke{"api_token_revoke",
                                   "UPDATE user_api_tokens SET revoked_at = now() WHERE id = $1 AND user_id = $2 "
                                   "AND revoked_at IS NULL"};
    if (c.db().run(kRevoke, {uuid_param(c, 0), c.me()}).affected_rows() == 0) throw ApiError::not_found("no such token");
    return Response::no_content();
}

}  // namespace swarmline::control
