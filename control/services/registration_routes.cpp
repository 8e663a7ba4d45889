// Registration (with an invite, or open when site.registration_mode is "open") and e-mail
// verification. A new account is 'unconfirmed' until its owner returns the token mailed through
// email_outbox; the mail is inserted in the same transaction as the account.
#include "auth/password.hpp"
#include "auth/secrets.hpp"
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

constexpr int kVerificationHours = 48;

// Locks the invite row so two registrations cannot spend one invite; returns the inviter (or
// nullopt for a site invite) and the invite id.
std::pair<std::optional<std::string>, std::string> take_invite(PgConn& db, const std::string& code) {
    static const Statement kFind{"invite_lookup",
                                 "SELECT id, inviter_id, expires_at <= now(), used_at IS NOT NULL, revoked_at IS NOT NULL "
                                 "FROM invites WHERE code_hash = $1::bytea FOR UPDATE"};
    const auto r = db.run(kFind, {token_hash_param(code)});
    if (r.rows() == 0) throw ApiError(422, "invalid_invite", "no such invite code");
    if (r.get_bool(0, 3)) throw ApiError(409, "invite_used", "this invite has already been used");
    if (r.get_bool(0, 4)) throw ApiError(410, "invite_revoked", "this invite was revoked");
    if (r.get_bool(0, 2)) throw ApiError(410, "invite_expired", "this invite has expired");
    const auto inviter = r.get_optional(0, 1);
    return {inviter ? std::optional<std::string>(*inviter) : std::nullopt, std::string(r.get(0, 0))};
}

void mail_verification(Ctx& c, const UserRef& user) {
    const std::string token = auth::new_token("slv_");
    static const Statement kToken{"verification_token_insert",
                                  "INSERT INTO user_tokens (user_id, purpose, token_hash, requested_ip, expires_at) "
                                  "VALUES ($1, 'email_verification', $2::bytea, $3::inet, now() + make_interval(hours => $4))"};
    c.db().run(kToken, {user.id, token_hash_param(token),
                        c.req.remote_ip.empty() ? std::optional<std::string>() : c.req.remote_ip, kVerificationHours});
    const std::string site = site_setting(c.db(), "site.name").value_or("Swarmline");
    const std::string body = "Welcome to " + site + ", " + user.username +
                             ".\n\nTo confirm your e-mail address, enter this code on the site within " +
                             std::to_string(kVerificationHours) + " hours:\n\n" + token +
                             "\n\nIf you did not register, ignore this message.\n";
    static const Statement kMail{"outbox_insert",
                                 "INSERT INTO email_outbox (user_id, to_address, subject, body_text, template) "
                                 "VALUES ($1, $2, $3, $4, $5)"};
    c.db().run(kMail, {user.id, user.email, "Confirm your e-mail address for " + site, body, "verify_email"});
}

}  // namespace

Response post_register(Ctx& c) {
    JsonInput in(c.req.body);
    NewUser user;
    user.username = in.string("username", 32);
    user.email = in.string("email", 254);
    user.password = in.string("password", auth::kMaxPasswordLength);
    const auto invite_code = in.optional_string("invite_code", 128);
    user.status = "unconfirmed";
    if (!c.req.remote_ip.empty()) user.registration_ip = c.req.remote_ip;
    // Fields first, so a typo is reported before an invite is looked at.
    validate_username(user.username);
    validate_email(user.email);
    validate_password(user.password);

    auto& db = c.db();
    Transaction tx(db);
    std::optional<std::string> invite_id;
    const std::string mode = site_setting(db, "site.registration_mode").value_or("invite");
    if (invite_code) {
        if (mode == "closed") throw ApiError(403, "registration_closed", "registration is closed");
        auto [inviter, id] = take_invite(db, *invite_code);
        user.invited_by = inviter;
        invite_id = id;
    } else if (mode != "open") {
        throw ApiError(403, "invite_required", "registration needs an invite");
    }
    static const Statement kCount{"users_enabled_count", "SELECT count(*) FROM users WHERE is_enabled"};
    if (const auto max = site_setting(db, "site.max_users"); max && db.run(kCount).get_int64(0, 0) >= std::stoll(*max))
        throw ApiError(403, "registration_full", "the site has reached its member limit");

    const auto created = create_user(db, user);
    if (invite_id) {
        static const Statement kUse{"invite_use", "UPDATE invites SET used_at = now(), invitee_id = $2 WHERE id = $1"};
        db.run(kUse, {*invite_id, created.id});
        if (user.invited_by) {
            static const Statement kCounted{"inviter_count",
                                            "UPDATE user_statistics SET invited_count = invited_count + 1 WHERE user_id = $1"};
            db.run(kCounted, {*user.invited_by});
        }
    }
    mail_verification(c, created);
    tx.commit();

    JsonWriter w;
    w.begin_object().key("user").begin_object();
    w.field("id", created.id).field("username", created.username).field("status", created.status).end_object();
    w.field("verification", "sent").end_object();
    return Response::json(w.take(), 201);
}

Response post_verify_email(Ctx& c) {
    JsonInput in(c.req.body);
    const std::string token = in.string("token", 128);
    auto& db = c.db();
    Transaction tx(db);
    static const Statement kUse{"verification_token_use",
                                "UPDATE user_tokens SET used_at = now() WHERE token_hash = $1::bytea "
                                "AND purpose = 'email_verification' AND used_at IS NULL AND expires_at > now() "
                                "RETURNING user_id"};
    const auto r = db.run(kUse, {token_hash_param(token)});
    if (r.rows() == 0) throw ApiError(422, "invalid_token", "the code is wrong, expired or already used");
    static const Statement kActivate{"user_activate",
                                     "UPDATE users SET status = 'active', email_verified_at = now() "
                                     "WHERE id = $1 AND status = 'unconfirmed' AND deleted_at IS NULL RETURNING username"};
    const auto u = db.run(kActivate, {std::string(r.get(0, 0))});
    tx.commit();
    JsonWriter w;
    w.begin_object().field("verified", true).field("username", (u.rows() == 0) ? "" : std::string(u.get(0, 0))).end_object();
    return Response::json(w.take());
}

}  // namespace swarmline::control
