// Sign-in (password, then TOTP or a backup code when 2FA is on), sign-out, and the member's
// list of sessions. A session token is 256 random bits; only its SHA-256 is stored.
#include <algorithm>
#include <array>
#include <cctype>

#include "auth/password.hpp"
#include "auth/secrets.hpp"
#include "auth/totp.hpp"
#include "http/api_error.hpp"
#include "http/json_input.hpp"
#include "http/json_writer.hpp"
#include "http/pagination.hpp"
#include "services/accounts.hpp"
#include "services/handlers.hpp"

namespace swarmline::control {

using http::ApiError;
using http::JsonInput;
using http::JsonWriter;
using http::Response;

namespace {

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
    return s;
}

// A hash to verify against when the account does not exist, so "no such user" costs the same
// Argon2id time as "wrong password" and the timing does not tell which it was.
const std::string& dummy_hash() {
    static const std::string h = auth::hash_password("swarmline-timing-equaliser");
    return h;
}

constexpr Statement kAttemptInsert{"login_attempt_insert",
                                   "INSERT INTO login_attempts (user_id, username_tried, ip, user_agent, success, failure_reason) "
                                   "VALUES ($1::uuid, $2, $3::inet, $4, $5, $6)"};

// One row of login_attempts (recorded only for a request with a peer address): the values its
// INSERT's parameters view.
struct Attempt {
    Attempt(const Ctx& c, std::optional<std::string> user, const std::string& tried_name, const char* why)
        : user_id(std::move(user)),
          tried(tried_name.substr(0, 254)),
          ip(c.req.remote_ip),
          user_agent(std::string(c.req.header("user-agent")).substr(0, 512)),
          failure(why ? std::optional<std::string>(why) : std::nullopt) {}
    bool recorded() const noexcept { return !ip.empty(); }
    std::array<db::Param, 6> params() const { return {user_id, tried, ip, user_agent, !failure, failure}; }

    std::optional<std::string> user_id;
    std::string tried, ip, user_agent;
    std::optional<std::string> failure;
};

void record_attempt(Ctx& c, const std::optional<std::string>& user_id, const std::string& tried, const char* failure) {
    const Attempt attempt(c, user_id, tried, failure);
    if (attempt.recorded()) c.db().run(kAttemptInsert, attempt.params());
}

[[noreturn]] void rate_limited(std::uint64_t retry_after) {
    ApiError e(429, "rate_limited", "too many sign-in attempts; retry in " + std::to_string(retry_after) + " s");
    throw e;
}

struct Account {
    std::string id, password_hash, status, username;
    bool can_login = false;
    bool has_2fa = false;
    std::string secret, algorithm;
    unsigned digits = 6;
    std::uint32_t period = 30;
    std::optional<std::uint64_t> last_step;
    bool totp_locked = false;
};

std::optional<Account> find_account(Ctx& c, const std::string& login) {
    static const Statement kFind{
        "login_find",
        "SELECT u.id, u.password_hash, u.status, g.can_login, f.secret, f.algorithm, f.digits, f.period_seconds, "
        "f.last_used_step, COALESCE(f.locked_until > now(), false), u.username "
        "FROM users u JOIN user_groups g ON g.id = u.group_id "
        "LEFT JOIN user_2fa f ON f.user_id = u.id AND f.is_enabled "
        "WHERE (lower(u.username) = lower($1) OR lower(u.email) = lower($1)) AND u.deleted_at IS NULL "
        "ORDER BY lower(u.username) = lower($1) DESC LIMIT 1"};
    const auto r = c.db().run(kFind, {login});
    if (r.rows() == 0) return std::nullopt;
    Account a;
    a.id = std::string(r.get(0, 0));
    a.password_hash = std::string(r.get(0, 1));
    a.status = std::string(r.get(0, 2));
    a.can_login = r.get_bool(0, 3);
    a.has_2fa = !r.is_null(0, 4);
    if (a.has_2fa) {
        a.secret = std::string(r.get(0, 4));
        a.algorithm = std::string(r.get(0, 5));
        a.digits = static_cast<unsigned>(r.get_int64(0, 6));
        a.period = static_cast<std::uint32_t>(r.get_int64(0, 7));
        if (!r.is_null(0, 8)) a.last_step = static_cast<std::uint64_t>(r.get_int64(0, 8));
    }
    a.totp_locked = r.get_bool(0, 9);
    a.username = std::string(r.get(0, 10));
    return a;
}

auth::TotpParams totp_params(const Account& a) {
    auth::TotpParams p;
    p.algorithm = a.algorithm == "SHA256" ? auth::TotpAlgorithm::sha256
                  : a.algorithm == "SHA512" ? auth::TotpAlgorithm::sha512
                                            : auth::TotpAlgorithm::sha1;
    p.digits = a.digits;
    p.period_s = a.period;
    return p;
}

// Checks the second factor; true when it passed. Counts a failure towards the lock-out.
bool second_factor(Ctx& c, const Account& a, const std::optional<std::string>& code,
                   const std::optional<std::string>& backup) {
    bool ok = false;
    if (code) {
        const auto key = auth::base32_decode(a.secret);
        const auto step = key ? auth::totp_verify(*key, *code, unix_now(), totp_params(a), a.last_step) : std::nullopt;
        if (step) {
            // The step only moves forward, so two requests racing with one code cannot both pass.
            static const Statement kUse{"totp_use",
                                        "UPDATE user_2fa SET last_used_step = $2, last_used_at = now(), failed_attempts = 0, "
                                        "locked_until = NULL WHERE user_id = $1 AND (last_used_step IS NULL OR last_used_step < $2)"};
            ok = c.db().run(kUse, {a.id, static_cast<std::int64_t>(*step)}).affected_rows() == 1;
        }
    } else if (backup) {
        std::string normal = lower(*backup);
        std::erase_if(normal, [](char ch) { return ch == ' '; });
        static const Statement kBackup{"totp_backup_use",
                                       "UPDATE user_2fa SET backup_codes = array_remove(backup_codes, $2), last_used_at = now(), "
                                       "failed_attempts = 0, locked_until = NULL WHERE user_id = $1 AND $2 = ANY(backup_codes)"};
        ok = c.db().run(kBackup, {a.id, auth::to_hex(auth::sha256(normal))}).affected_rows() == 1;
    }
    if (!ok) {
        static const Statement kFail{
            "totp_fail",
            "UPDATE user_2fa SET failed_attempts = failed_attempts + 1, locked_until = CASE WHEN failed_attempts + 1 >= $2 "
            "THEN now() + make_interval(secs => $3::int) END WHERE user_id = $1"};
        c.db().run(kFail, {a.id, static_cast<std::int64_t>(c.app.config().totp_max_failures),
                           static_cast<std::int64_t>(c.app.config().totp_lockout_s)});
    }
    return ok;
}

std::string session_cookie(const App& app, const std::string& token, std::int64_t max_age) {
    std::string cookie = std::string(kSessionCookie) + "=" + token + "; Path=/; HttpOnly; SameSite=Strict; Max-Age=" +
                         std::to_string(max_age);
    if (app.config().cookie_secure) cookie += "; Secure";
    return cookie;
}

void clear_cookie(Response& r, const App& app) { r.headers.emplace_back("Set-Cookie", session_cookie(app, "", 0)); }

}  // namespace

Response post_login(Ctx& c) {
    JsonInput in(c.req.body);
    const std::string login = in.string("username", 254);
    const std::string password = in.string("password", auth::kMaxPasswordLength);
    const auto code = in.optional_string("totp_code", 16);
    const auto backup = in.optional_string("backup_code", 32);
    const bool remember = in.optional_bool("remember").value_or(false);
    const std::string device = in.optional_string("device_name", 128).value_or("");

    const auto now = unix_now();
    auto& per_ip = c.app.login_ip_limiter();
    auto& per_account = c.app.login_account_limiter();
    const std::string account_key = lower(login);
    if (!per_ip.allowed(c.req.remote_ip, now) || !per_account.allowed(account_key, now)) {
        record_attempt(c, std::nullopt, login, "rate_limited");
        rate_limited(std::max(per_ip.retry_after(c.req.remote_ip, now), per_account.retry_after(account_key, now)));
    }
    per_ip.record(c.req.remote_ip, now);

    const auto account = find_account(c, login);
    if (!account) {
        auth::verify_password(password, dummy_hash());
        per_account.record(account_key, now);
        record_attempt(c, std::nullopt, login, "unknown_user");
        throw ApiError(401, "invalid_credentials", "wrong username or password");
    }
    if (!auth::verify_password(password, account->password_hash)) {
        per_account.record(account_key, now);
        record_attempt(c, account->id, login, "bad_password");
        throw ApiError(401, "invalid_credentials", "wrong username or password");
    }
    if (account->status == "unconfirmed") {
        record_attempt(c, account->id, login, "unconfirmed");
        throw ApiError(403, "email_unverified", "confirm your e-mail address first");
    }
    if (account->status == "disabled" || account->status == "banned" || !account->can_login) {
        record_attempt(c, account->id, login, account->status == "disabled" ? "disabled" : "banned");
        throw ApiError(403, "account_disabled", "this account may not sign in");
    }
    if (account->has_2fa) {
        if (account->totp_locked) {
            record_attempt(c, account->id, login, "bad_2fa");
            throw ApiError(429, "totp_locked", "too many wrong codes; two-factor sign-in is locked for a while");
        }
        if (!code && !backup) throw ApiError(401, "totp_required", "enter the code from your authenticator app");
        if (!second_factor(c, *account, code, backup)) {
            per_account.record(account_key, now);
            record_attempt(c, account->id, login, "bad_2fa");
            throw ApiError(401, "invalid_totp", "wrong or already used two-factor code");
        }
    }
    per_account.reset(account_key);

    std::int64_t hours = c.app.config().session_hours;
    if (remember) hours = 24 * std::stoll(site_setting(c.db(), "sessions.lifetime_days").value_or("30"));
    const std::string token = auth::new_token(kSessionPrefix);
    static const Statement kCreate{
        "session_create",
        "INSERT INTO user_sessions (user_id, token_hash, device_name, user_agent, ip, is_remembered, expires_at) "
        "VALUES ($1, $2::bytea, NULLIF($3, ''), NULLIF($4, ''), $5::inet, $6, now() + make_interval(hours => $7::int)) "
        "RETURNING id, expires_at"};
    static const Statement kSeen{"user_logged_in", "UPDATE users SET last_login_at = now(), last_ip = $2::inet WHERE id = $1"};
    const Attempt attempt(c, account->id, login, nullptr);
    const std::string hash = token_hash_param(token);
    const auto ip = attempt.recorded() ? std::optional<std::string>(attempt.ip) : std::nullopt;
    const db::Param session[] = {account->id, hash, device, attempt.user_agent, ip, remember, hours};
    const db::Param seen[] = {account->id, ip};
    const auto recorded = attempt.params();
    // The session, the member's last sign-in and the attempt's record do not depend on each
    // other: one round trip for the three.
    std::vector<PgConn::Call> calls{{kCreate, session}, {kSeen, seen}};
    if (attempt.recorded()) calls.push_back({kAttemptInsert, recorded});
    const auto done = c.db().run_all(calls);
    const auto& s = done[0];

    JsonWriter w;
    w.begin_object().field("token", token).field("session_id", std::string(s.get(0, 0))).field("expires_at", std::string(s.get(0, 1)));
    w.key("user").begin_object().field("id", account->id).field("username", account->username).end_object();
    w.end_object();
    auto res = Response::json(w.take());
    res.headers.emplace_back("Set-Cookie", session_cookie(c.app, token, hours * 3600));
    return res;
}

Response post_logout(Ctx& c) {
    static const Statement kRevoke{"session_revoke_current",
                                   "UPDATE user_sessions SET revoked_at = now(), revoked_reason = 'logout' "
                                   "WHERE id = $1 AND revoked_at IS NULL"};
    c.db().run(kRevoke, {c.who.session_id});
    auto res = Response::no_content();
    clear_cookie(res, c.app);
    return res;
}

Response post_logout_all(Ctx& c) {
    const auto n = revoke_all_sessions(c.db(), c.me(), "logout everywhere");
    JsonWriter w;
    w.begin_object().field("revoked", n).end_object();
    auto res = Response::json(w.take());
    clear_cookie(res, c.app);
    return res;
}

Response list_sessions(Ctx& c) {
    const auto page = http::Page::from(c.req);
    static const Statement kList{
        "sessions_list",
        "SELECT id, device_name, user_agent, host(ip), created_at, last_seen_at, expires_at, count(*) OVER () "
        "FROM user_sessions WHERE user_id = $1 AND revoked_at IS NULL AND expires_at > now() "
        "ORDER BY last_seen_at DESC LIMIT $2 OFFSET $3"};
    const auto r = c.db().run(kList, {c.me(), static_cast<std::int64_t>(page.per_page),
                                      static_cast<std::int64_t>(page.offset())});
    JsonWriter w;
    w.begin_object().key("sessions").begin_array();
    for (int i = 0; i < r.rows(); ++i) {
        w.begin_object().field("id", std::string(r.get(i, 0)));
        w.key("device_name");
        r.is_null(i, 1) ? w.null() : w.value(r.get(i, 1));
        w.key("user_agent");
        r.is_null(i, 2) ? w.null() : w.value(r.get(i, 2));
        w.key("ip");
        r.is_null(i, 3) ? w.null() : w.value(r.get(i, 3));
        w.field("created_at", std::string(r.get(i, 4))).field("last_seen_at", std::string(r.get(i, 5))).field("expires_at", std::string(r.get(i, 6)));
        w.field("current", std::string(r.get(i, 0)) == c.who.session_id).end_object();
    }
    w.end_array();
    // Past the last page no row carries the window count, so it is counted on its own.
    static const Statement kCount{"sessions_count",
                                  "SELECT count(*) FROM user_sessions WHERE user_id = $1 AND revoked_at IS NULL "
                                  "AND expires_at > now()"};
    page.write(w, static_cast<std::uint64_t>(r.rows() ? r.get_int64(0, 7) : c.db().run(kCount, {c.me()}).get_int64(0, 0)));
    w.end_object();
    return Response::json(w.take());
}

Response delete_session(Ctx& c) {
    static const Statement kRevoke{"session_revoke_own",
                                   "UPDATE user_sessions SET revoked_at = now(), revoked_reason = 'revoked by owner' "
                                   "WHERE id = $1 AND user_id = $2 AND revoked_at IS NULL"};
    if (c.db().run(kRevoke, {uuid_param(c, 0), c.me()}).affected_rows() == 0) throw ApiError::not_found("no such session");
    return Response::no_content();
}

}  // namespace swarmline::control
