#include "services/accounts.hpp"

#include <regex>

#include "auth/password.hpp"
#include "auth/secrets.hpp"
#include "http/api_error.hpp"

namespace swarmline::control {

using http::ApiError;

namespace {

// The columns every UserRef is read from; `u` is users.
constexpr const char* kUserColumns =
    "u.id, u.tracker_id, u.username, u.email, u.status, "
    "(SELECT name FROM user_groups WHERE id = u.group_id), u.passkey";

UserRef user_from(const db::Result& r) {
    if (r.rows() == 0) throw ApiError::not_found("no such user");
    return {std::string(r.get(0, 0)), r.get_int64(0, 1), std::string(r.get(0, 2)), std::string(r.get(0, 3)), std::string(r.get(0, 4)), std::string(r.get(0, 5)), std::string(r.get(0, 6))};
}

std::string sql_with_user_columns(const std::string& before, const std::string& after) {
    return before + kUserColumns + after;
}

bool looks_like_uuid(const std::string& s) {
    static const std::regex re("^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$");
    return std::regex_match(s, re);
}

std::int64_t group_id(PgConn& db, const std::string& group) {
    static const Statement kDefault{"group_default", "SELECT id FROM user_groups WHERE is_default"};
    static const Statement kFind{"group_find",
                                 "SELECT id FROM user_groups WHERE lower(name) = lower($1) OR slug = lower($1) "
                                 "OR id::text = $1"};
    const auto r = group.empty() ? db.run(kDefault) : db.run(kFind, {group});
    if (r.rows() == 0) throw ApiError::not_found("no such group: '" + group + "'");
    return r.get_int64(0, 0);
}

}  // namespace

void validate_username(const std::string& username) {
    static const std::regex re("^[A-Za-z0-9_.-]{2,32}$");
    if (!std::regex_match(username, re))
        throw ApiError::invalid("username must be 2 to 32 letters, digits, '_', '.' or '-'");
}

void validate_email(const std::string& email) {
    static const std::regex re("^[^@\\s]+@[^@\\s]+$");
    if (email.size() > 254 || !std::regex_match(email, re)) throw ApiError::invalid("email is not an e-mail address");
}

void validate_password(const std::string& password) {
    if (password.size() < auth::kMinPasswordLength || password.size() > auth::kMaxPasswordLength)
        throw ApiError::invalid("password must be " + std::to_string(auth::kMinPasswordLength) + " to " +
                                std::to_string(auth::kMaxPasswordLength) + " bytes");
}

UserRef create_user(PgConn& db, const NewUser& user) {
    validate_username(user.username);
    validate_email(user.email);
    validate_password(user.password);
    const auto group = group_id(db, user.group);
    const std::string hash = auth::hash_password(user.password);
    static const std::string sql = sql_with_user_columns(
        "INSERT INTO users AS u (username, email, password_hash, passkey, rss_key, group_id, status, invited_by, "
        "registration_ip, email_verified_at, password_changed_at) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7, $8::uuid, $9::inet, "
        "CASE WHEN $7 = 'active' THEN now() END, now()) RETURNING ",
        "");
    static const Statement kInsert{"user_insert", sql.c_str()};
    try {
        return user_from(db.run(kInsert, {user.username, user.email, hash, auth::new_passkey(), auth::new_passkey(),
                                          group, user.status, user.invited_by, user.registration_ip}));
    } catch (const db::Error& e) {
        if (unique_violation(e)) throw ApiError::conflict("that username or e-mail address is already registered");
        throw;
    }
}

UserRef find_user(PgConn& db, const std::string& ref) {
    static const std::string by_id = sql_with_user_columns("SELECT ", " FROM users u WHERE u.id = $1::uuid AND u.deleted_at IS NULL");
    static const std::string by_name =
        sql_with_user_columns("SELECT ", " FROM users u WHERE lower(u.username) = lower($1) AND u.deleted_at IS NULL");
    static const Statement kById{"user_by_id", by_id.c_str()};
    static const Statement kByName{"user_by_name", by_name.c_str()};
    return user_from(looks_like_uuid(ref) ? db.run(kById, {ref}) : db.run(kByName, {ref}));
}

UserRef set_group(PgConn& db, const std::string& ref, const std::string& group) {
    const auto target = find_user(db, ref);
    const auto gid = group_id(db, group);
    static const std::string sql =
        sql_with_user_columns("UPDATE users u SET group_id = $2 WHERE u.id = $1::uuid RETURNING ", "");
    static const Statement kSet{"user_set_group", sql.c_str()};
    return user_from(db.run(kSet, {target.id, gid}));
}

UserRef disable_user(PgConn& db, const std::string& ref, const std::string& reason) {
    const auto target = find_user(db, ref);
    Transaction tx(db);
    static const std::string sql = sql_with_user_columns(
        "UPDATE users u SET status = 'disabled', disabled_reason = $2 WHERE u.id = $1::uuid RETURNING ", "");
    static const Statement kDisable{"user_disable", sql.c_str()};
    auto out = user_from(db.run(kDisable, {target.id, reason}));
    revoke_all_sessions(db, target.id, "account disabled");
    tx.commit();
    return out;
}

UserRef reset_passkey(PgConn& db, const std::string& ref) {
    const auto target = find_user(db, ref);
    static const std::string sql =
        sql_with_user_columns("UPDATE users u SET passkey = $2 WHERE u.id = $1::uuid RETURNING ", "");
    static const Statement kReset{"user_passkey_reset", sql.c_str()};
    return user_from(db.run(kReset, {target.id, auth::new_passkey()}));
}

UserRef soft_delete_user(PgConn& db, const std::string& ref, const std::optional<std::string>& by,
                         const std::string& reason) {
    const auto target = find_user(db, ref);
    Transaction tx(db);
    static const std::string sql = sql_with_user_columns(
        "UPDATE users u SET deleted_at = now(), deleted_by = $2::uuid, deletion_reason = $3 "
        "WHERE u.id = $1::uuid RETURNING ",
        "");
    static const Statement kDelete{"user_soft_delete", sql.c_str()};
    auto out = user_from(db.run(kDelete, {target.id, by, reason}));
    revoke_all_sessions(db, target.id, "account deleted");
    static const Statement kTokens{"api_tokens_revoke_all",
                                   "UPDATE user_api_tokens SET revoked_at = now() WHERE user_id = $1 AND revoked_at IS NULL"};
    db.run(kTokens, {target.id});
    tx.commit();
    return out;
}

std::int64_t revoke_all_sessions(PgConn& db, const std::string& user_id, const std::string& reason) {
    static const Statement kRevoke{"sessions_revoke_all",
                                   "UPDATE user_sessions SET revoked_at = now(), revoked_reason = $2 "
                                   "WHERE user_id = $1 AND revoked_at IS NULL AND expires_at > now()"};
    return db.run(kRevoke, {user_id, reason}).affected_rows();
}

Invite create_invite(PgConn& db, const std::optional<std::string>& inviter, const std::string& email,
                     std::uint32_t days, const std::optional<std::string>& message, bool unlimited) {
    validate_email(email);
    if (days == 0) days = static_cast<std::uint32_t>(std::stoul(site_setting(db, "invites.expiry_days").value_or("7")));
    if (days == 0 || days > 365) throw ApiError::invalid("an invite lasts 1 to 365 days");
    Transaction tx(db);
    if (inviter && !unlimited) {
        static const Statement kSpend{"invite_spend",
                                      "UPDATE users SET invites_available = invites_available - 1 "
                                      "WHERE id = $1 AND invites_available > 0"};
        if (db.run(kSpend, {*inviter}).affected_rows() == 0)
            throw ApiError(403, "no_invites_left", "you have no invites left");
    }
    const std::string code = auth::new_token("sli_");
    static const Statement kInsert{"invite_insert",
                                   "INSERT INTO invites (inviter_id, code_hash, email, message, expires_at) "
                                   "VALUES ($1::uuid, $2::bytea, $3, $4, now() + make_interval(days => $5::int)) "
                                   "RETURNING id, email, expires_at"};
    const auto r = db.run(kInsert, {inviter, "\\x" + auth::to_hex(auth::sha256(code)), email, message,
                                    static_cast<std::int64_t>(days)});
    tx.commit();
    return {std::string(r.get(0, 0)), code, std::string(r.get(0, 1)), std::string(r.get(0, 2))};
}

std::optional<std::string> site_setting(PgConn& db, const std::string& key) {
    static const Statement kGet{"site_setting_get", "SELECT value #>> '{}' FROM site_settings WHERE key = $1"};
    const auto r = db.run(kGet, {key});
    if ((r.rows() == 0) || r.is_null(0, 0)) return std::nullopt;
    return std::string(r.get(0, 0));
}

}  // namespace swarmline::control
