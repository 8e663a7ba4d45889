// Staff tools on accounts (the `manage_users` right): list and search, change group, disable,
// reset a passkey, soft delete. Staff may act only on accounts whose group ranks below their own,
// and may give a group no higher than their own.
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

std::string user_json(const UserRef& u, bool with_passkey) {
    JsonWriter w;
    w.begin_object().field("id", u.id).field("tracker_id", u.tracker_id).field("username", u.username);
    w.field("email", u.email).field("status", u.status).field("group", u.group_name);
    if (with_passkey) w.field("passkey", u.passkey);
    w.end_object();
    return w.take();
}

// Refuses when the target's group is not below the caller's, or (with `new_group`) when the new
// group ranks above the caller's.
void check_rank(Ctx& c, const std::string& target_id, const std::optional<std::string>& new_group) {
    static const Statement kRank{
        "staff_rank_check",
        "SELECT (SELECT g.level FROM users u JOIN user_groups g ON g.id = u.group_id WHERE u.id = $1), "
        "(SELECT g.level FROM users u JOIN user_groups g ON g.id = u.group_id WHERE u.id = $2), "
        "(SELECT level FROM user_groups WHERE lower(name) = lower($3) OR slug = lower($3) OR id::text = $3)"};
    const auto r = c.db().run(kRank, {c.me(), target_id, new_group});
    const auto mine = r.get_int64(0, 0);
    if (r.get_int64(0, 1) >= mine) throw ApiError(403, "rank", "that account's group ranks as high as yours or higher");
    if (new_group && !r.is_null(0, 2) && r.get_int64(0, 2) > mine)
        throw ApiError(403, "rank", "you cannot give a group that ranks above yours");
}

}  // namespace

Response list_users(Ctx& c) {
    const auto page = http::Page::from(c.req);
    const auto q = c.req.query_param("q").value_or("");
    if (q.size() > 64) throw ApiError::invalid("'q' is longer than 64 bytes");
    static const Statement kList{
        "users_list",
        "SELECT u.id, u.tracker_id, u.username, u.email, u.status, g.name, u.created_at, count(*) OVER () "
        "FROM users u JOIN user_groups g ON g.id = u.group_id "
        "WHERE u.deleted_at IS NULL AND ($1 = '' OR u.username ILIKE '%' || $1 || '%' OR u.email ILIKE '%' || $1 || '%') "
        "ORDER BY u.created_at DESC, u.id LIMIT $2 OFFSET $3"};
    const auto r = c.db().run(kList, {q, static_cast<std::int64_t>(page.per_page), static_cast<std::int64_t>(page.offset())});
    JsonWriter w;
    w.begin_object().key("users").begin_array();
    for (int i = 0; i < r.rows(); ++i) {
        w.begin_object().field("id", std::string(r.get(i, 0))).field("tracker_id", r.get_int64(i, 1)).field("username", std::string(r.get(i, 2)));
        w.field("email", std::string(r.get(i, 3))).field("status", std::string(r.get(i, 4))).field("group", std::string(r.get(i, 5)));
        w.field("joined_at", std::string(r.get(i, 6))).end_object();
    }
    w.end_array();
    // Past the last page no row carries the window count, so it is counted on its own.
    static const Statement kCount{
        "users_count",
        "SELECT count(*) FROM users u WHERE u.deleted_at IS NULL "
        "AND ($1 = '' OR u.username ILIKE '%' || $1 || '%' OR u.email ILIKE '%' || $1 || '%')"};
    page.write(w, static_cast<std::uint64_t>(r.rows() ? r.get_int64(0, 7) : c.db().run(kCount, {q}).get_int64(0, 0)));
    w.end_object();
    return Response::json(w.take());
}

Response put_user_group(Ctx& c) {
    JsonInput in(c.req.body);
    const auto group = in.string("group", 64);
    const auto& id = uuid_param(c, 0);
    find_user(c.db(), id);
    check_rank(c, id, group);
    return Response::json(user_json(set_group(c.db(), id, group), false));
}

Response post_user_disable(Ctx& c) {
    JsonInput in(c.body_or_empty());
    const auto reason = in.optional_string("reason", 500).value_or("disabled by staff");
    const auto& id = uuid_param(c, 0);
    find_user(c.db(), id);
    check_rank(c, id, std::nullopt);
    return Response::json(user_json(disable_user(c.db(), id, reason), false));
}

Response post_user_passkey(Ctx& c) {
    const auto& id = uuid_param(c, 0);
    find_user(c.db(), id);
    check_rank(c, id, std::nullopt);
    return Response::json(user_json(reset_passkey(c.db(), id), true));
}

Response delete_user(Ctx& c) {
    JsonInput in(c.body_or_empty());
    const auto reason = in.optional_string("reason", 500).value_or("deleted by staff");
    const auto& id = uuid_param(c, 0);
    find_user(c.db(), id);
    check_rank(c, id, std::nullopt);
    soft_delete_user(c.db(), id, c.me(), reason);
    return Response::no_content();
}

}  // namespace swarmline::control
