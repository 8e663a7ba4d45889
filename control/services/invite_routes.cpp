// Invites from members (the `invite` right, one of users.invites_available each) and staff
// (`manage_users`: no quota). The code is shown once; only its SHA-256 is stored.
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

Response post_invite(Ctx& c) {
    JsonInput in(c.req.body);
    const auto email = in.string("email", 254);
    const auto message = in.optional_string("message", 2000);
    const auto days = in.optional_int("days").value_or(0);
    if (days < 0 || days > 365) throw ApiError::invalid("'days' must be 1 to 365");
    const auto inv = create_invite(c.db(), c.me(), email, static_cast<std::uint32_t>(days), message,
                                   c.who.has(auth::Right::manage_users));
    JsonWriter w;
    w.begin_object().field("id", inv.id).field("code", inv.code).field("email", inv.email);
    w.field("expires_at", inv.expires_at).end_object();
    return Response::json(w.take(), 201);
}

Response list_invites(Ctx& c) {
    const auto page = http::Page::from(c.req);
    static const Statement kList{
        "invites_list",
        "SELECT i.id, i.email, i.created_at, i.expires_at, "
        "CASE WHEN i.used_at IS NOT NULL THEN 'used' WHEN i.revoked_at IS NOT NULL THEN 'revoked' "
        "WHEN i.expires_at <= now() THEN 'expired' ELSE 'pending' END, u.username, count(*) OVER () "
        "FROM invites i LEFT JOIN users u ON u.id = i.invitee_id WHERE i.inviter_id = $1 "
        "ORDER BY i.created_at DESC LIMIT $2 OFFSET $3"};
    const auto r = c.db().run(kList, {c.me(), static_cast<std::int64_t>(page.per_page),
                                      static_cast<std::int64_t>(page.offset())});
    JsonWriter w;
    w.begin_object().key("invites").begin_array();
    for (int i = 0; i < r.rows(); ++i) {
        w.begin_object().field("id", std::string(r.get(i, 0))).field("email", std::string(r.get(i, 1))).field("created_at", std::string(r.get(i, 2)));
        w.field("expires_at", std::string(r.get(i, 3))).field("status", std::string(r.get(i, 4))).key("invitee");
        r.is_null(i, 5) ? w.null() : w.value(r.get(i, 5));
        w.end_object();
    }
    w.end_array();
    // Past the last page no row carries the window count, so it is counted on its own.
    static const Statement kCount{"invites_count", "SELECT count(*) FROM invites WHERE inviter_id = $1"};
    page.write(w, static_cast<std::uint64_t>(r.rows() ? r.get_int64(0, 6) : c.db().run(kCount, {c.me()}).get_int64(0, 0)));
    w.end_object();
    return Response::json(w.take());
}

Response delete_invite(Ctx& c) {
    // A revoked pending invite gives its slot back to the member.
    static const Statement kRevoke{
        "invite_revoke",
        "WITH r AS (UPDATE invites SET revoked_at = now(), revoked_by = $2 WHERE id = $1 AND inviter_id = $2 "
        "AND used_at IS NULL AND revoked_at IS NULL AND expires_at > now() RETURNING inviter_id) "
        "UPDATE users SET invites_available = invites_available + 1 FROM r WHERE users.id = r.inviter_id"};
    if (c.db().run(kRevoke, {uuid_param(c, 0), c.me()}).affected_rows() == 0)
        throw ApiError::not_found("no such pending invite");
    return Response::no_content();
}

}  // namespace swarmline::control
