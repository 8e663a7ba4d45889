// Profiles: the member's own (with passkey and announce URL), another member's through the privacy
// (paranoia) switches in user_privacy, and the privacy switches themselves.
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

// The visibility switches a member may change (user_privacy columns, all boolean).
constexpr const char* kPrivacySwitches[] = {
    "show_email",      "show_uploaded",    "show_downloaded",   "show_ratio",      "show_bonus_points",
    "show_seeding",    "show_leeching",    "show_snatched",     "show_uploads",    "show_requests",
    "show_collections", "show_invitees",   "show_inviter",      "show_last_seen",  "show_achievements",
    "show_comments",   "show_forum_posts", "hide_online_status",
};

enum class Kind { text, integer, number };

// A profile field another member sees only when its owner's switch allows it (`guard` is null for
// fields that are always visible).
struct ProfileField {
    const char* name;
    const char* expr;
    Kind kind;
    const char* guard;
};

constexpr ProfileField kProfileFields[] = {
    {"id", "u.id", Kind::text, nullptr},
    {"username", "u.username", Kind::text, nullptr},
    {"group", "g.name", Kind::text, nullptr},
    {"title", "u.title", Kind::text, nullptr},
    {"avatar_url", "u.avatar_url", Kind::text, nullptr},
    {"about", "u.about", Kind::text, nullptr},
    {"joined_at", "u.created_at", Kind::text, nullptr},
    {"email", "u.email", Kind::text, "show_email"},
    {"last_seen_at", "u.last_access_at", Kind::text, "show_last_seen"},
    {"uploaded", "s.uploaded_adjusted", Kind::integer, "show_uploaded"},
    {"downloaded", "s.downloaded_adjusted", Kind::integer, "show_downloaded"},
    {"ratio", "s.ratio", Kind::number, "show_ratio"},
    {"bonus_points", "s.bonus_points", Kind::number, "show_bonus_points"},
    {"seeding", "s.seeding_count", Kind::integer, "show_seeding"},
    {"leeching", "s.leeching_count", Kind::integer, "show_leeching"},
    {"snatched", "s.snatched_count", Kind::integer, "show_snatched"},
    {"uploads", "s.uploads_count", Kind::integer, "show_uploads"},
    {"invited_by", "(SELECT username FROM users i WHERE i.id = u.invited_by)", Kind::text, "show_inviter"},
};

std::string profile_sql() {
    std::string sql = "SELECT ";
    for (const auto& f : kProfileFields) sql += std::string(f.expr) + ", ";
    for (const auto& f : kProfileFields) sql += f.guard ? "p." + std::string(f.guard) + ", " : "true, ";
    sql += "u.id FROM users u JOIN user_groups g ON g.id = u.group_id JOIN user_statistics s ON s.user_id = u.id "
           "JOIN user_privacy p ON p.user_id = u.id WHERE u.id = $1 AND u.deleted_at IS NULL";
    return sql;
}

void write_field(JsonWriter& w, const db::Result& r, int col, Kind kind) {
    if (r.is_null(0, col)) {
        w.null();
        return;
    }
    switch (kind) {
        case Kind::text: w.value(r.get(0, col)); break;
        case Kind::integer: w.value(r.get_int64(0, col)); break;
        case Kind::number: w.value(get_double(r, 0, col)); break;
    }
}

std::string privacy_json(const db::Result& r) {
    JsonWriter w;
    w.begin_object();
    int col = 0;
    for (const char* s : kPrivacySwitches) w.field(s, r.get_bool(0, col++));
    w.end_object();
    return w.take();
}

std::string privacy_columns() {
    std::string cols;
    for (const char* s : kPrivacySwitches) cols += std::string(cols.empty() ? "" : ", ") + s;
    return cols;
}

}  // namespace

Response get_me(Ctx& c) {
    static const Statement kMe{
        "me_get",
        "SELECT u.id, u.username, u.email, u.status, g.id, g.name, u.passkey, u.invites_available, u.created_at, "
        "s.uploaded, s.downloaded, s.uploaded_adjusted, s.downloaded_adjusted, s.ratio, s.bonus_points, "
        "s.seeding_count, s.leeching_count, s.snatched_count, s.seedtime_seconds, "
        "EXISTS (SELECT 1 FROM user_2fa f WHERE f.user_id = u.id AND f.is_enabled), u.tracker_id "
        "FROM users u JOIN user_groups g ON g.id = u.group_id JOIN user_statistics s ON s.user_id = u.id "
        "WHERE u.id = $1"};
    const auto r = c.db().run(kMe, {c.me()});
    if (r.rows() == 0) throw ApiError::not_found("no such user");
    JsonWriter w;
    w.begin_object().field("id", std::string(r.get(0, 0))).field("tracker_id", r.get_int64(0, 20)).field("username", std::string(r.get(0, 1)));
    w.field("email", std::string(r.get(0, 2))).field("status", std::string(r.get(0, 3)));
    w.key("group").begin_object().field("id", r.get_int64(0, 4)).field("name", std::string(r.get(0, 5))).end_object();
    w.field("passkey", std::string(r.get(0, 6))).field("announce_url", announce_url(c.app, std::string(r.get(0, 6))));
    w.field("invites_available", r.get_int64(0, 7)).field("joined_at", std::string(r.get(0, 8)));
    w.field("two_factor_enabled", r.get_bool(0, 19));
    w.key("rights").begin_array();
    for (const auto& col : auth::kGroupRightColumns)
        if (c.who.has(col.right)) w.value(col.column);
    w.end_array();
    w.key("stats").begin_object();
    w.field("uploaded", r.get_int64(0, 9)).field("downloaded", r.get_int64(0, 10));
    w.field("uploaded_adjusted", r.get_int64(0, 11)).field("downloaded_adjusted", r.get_int64(0, 12)).key("ratio");
    r.is_null(0, 13) ? w.null() : w.value(get_double(r, 0, 13));
    w.field("bonus_points", get_double(r, 0, 14)).field("seeding", r.get_int64(0, 15)).field("leeching", r.get_int64(0, 16));
    w.field("snatched", r.get_int64(0, 17)).field("seedtime_seconds", r.get_int64(0, 18));
    w.end_object().end_object();
    return Response::json(w.take());
}

Response post_my_passkey(Ctx& c) {
    const auto u = reset_passkey(c.db(), c.me());
    JsonWriter w;
    w.begin_object().field("passkey", u.passkey).field("announce_url", announce_url(c.app, u.passkey)).end_object();
    return Response::json(w.take());
}

Response get_my_privacy(Ctx& c) {
    static const std::string sql = "SELECT " + privacy_columns() + " FROM user_privacy WHERE user_id = $1";
    static const Statement kGet{"privacy_get", sql.c_str()};
    const auto r = c.db().run(kGet, {c.me()});
    if (r.rows() == 0) throw ApiError::not_found("no privacy settings");
    return Response::json(privacy_json(r));
}

Response put_my_privacy(Ctx& c) {
    JsonInput in(c.req.body);
    // One statement for every switch: an absent member keeps its value (COALESCE with NULL).
    static const std::string sql = [] {
        std::string s = "UPDATE user_privacy SET ";
        int n = 2;
        for (const char* col : kPrivacySwitches) {
            if (n > 2) s += ", ";
            s += std::string(col) + " = COALESCE($" + std::to_string(n++) + "::boolean, " + col + ")";
        }
        return s + " WHERE user_id = $1 RETURNING " + privacy_columns();
    }();
    static const Statement kPut{"privacy_put", sql.c_str()};
    std::vector<db::Param> params{db::Param(c.me())};
    for (const char* col : kPrivacySwitches) params.emplace_back(in.optional_bool(col));
    const auto r = c.db().run(kPut, params);
    if (r.rows() == 0) throw ApiError::not_found("no privacy settings");
    return Response::json(privacy_json(r));
}

Response get_user(Ctx& c) {
    static const std::string sql = profile_sql();
    static const Statement kGet{"profile_get", sql.c_str()};
    const auto r = c.db().run(kGet, {uuid_param(c, 0)});
    if (r.rows() == 0) throw ApiError::not_found("no such user");
    constexpr int n = static_cast<int>(std::size(kProfileFields));
    // The owner and staff see everything; anyone else sees what the owner's switches allow.
    const bool everything = c.who.is_staff() || std::string(r.get(0, 0)) == c.me();
    JsonWriter w;
    w.begin_object();
    std::vector<const char*> hidden;
    for (int i = 0; i < n; ++i) {
        if (!everything && !r.get_bool(0, n + i)) {
            hidden.push_back(kProfileFields[i].name);
            continue;
        }
        w.key(kProfileFields[i].name);
        write_field(w, r, i, kProfileFields[i].kind);
    }
    w.key("hidden").begin_array();
    for (const char* h : hidden) w.value(h);
    w.end_array().end_object();
    return Response::json(w.take());
}

Response list_groups(Ctx& c) {
    static const std::string sql = [] {
        std::string s = "SELECT id, name, slug, level, color";
        for (const auto& col : auth::kGroupRightColumns) s += ", " + std::string(col.column);
        return s + " FROM user_groups ORDER BY level, sort_order";
    }();
    static const Statement kList{"groups_list", sql.c_str()};
    const auto r = c.db().run(kList);
    JsonWriter w;
    w.begin_object().key("groups").begin_array();
    for (int i = 0; i < r.rows(); ++i) {
        w.begin_object().field("id", r.get_int64(i, 0)).field("name", std::string(r.get(i, 1))).field("slug", std::string(r.get(i, 2)));
        w.field("level", r.get_int64(i, 3)).field("color", std::string(r.get(i, 4))).key("rights").begin_array();
        int col = 5;
        for (const auto& right : auth::kGroupRightColumns)
            if (r.get_bool(i, col++)) w.value(right.column);
        w.end_array().end_object();
    }
    w.end_array().end_object();
    return Response::json(w.take());
}

}  // namespace swarmline::control
