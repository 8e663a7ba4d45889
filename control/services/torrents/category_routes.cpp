// Staff management of the category tree (`manage_site`): new categories (top-level or under a
// parent, one level deep as the seeded tree is) and changes to name, description, icon, colour,
// order and whether a category is active or takes uploads. A category with torrents is never
// deleted (torrents reference it); it is deactivated instead.
#include <charconv>

#include "http/api_error.hpp"
#include "http/json_input.hpp"
#include "http/json_writer.hpp"
#include "services/handlers.hpp"
#include "services/torrents/torrent_routes.hpp"

namespace swarmline::control {

using http::ApiError;
using http::JsonInput;
using http::Response;

namespace {

std::string category_id_param(const Ctx& c) {
    const auto& p = c.req.params.at(0);
    std::int64_t v = 0;
    const auto [end, ec] = std::from_chars(p.data(), p.data() + p.size(), v);
    if (ec != std::errc{} || end != p.data() + p.size() || v <= 0) throw ApiError::not_found("no such category");
    return p;
}

// A constraint the request broke, as the field it concerns; called inside a catch block (any other
// error is rethrown as it is).
[[noreturn]] void rethrow_category_error(const db::Error& e) {
    if (unique_violation(e)) throw ApiError::conflict("a category with this slug, or this name under the same parent, exists");
    if (e.sqlstate() == db::sqlstate::check_violation) {
        if (e.constraint().find("slug") != std::string::npos)
            throw ApiError::invalid("'slug' is lower-case letters, digits and '-'");
        if (e.constraint().find("color") != std::string::npos) throw ApiError::invalid("'color' is #rrggbb");
        throw ApiError::invalid("a field is out of range (" + e.constraint() + ")");
    }
    throw;
}

Response category_json(const db::Result& r, unsigned status) {
    http::JsonWriter w;
    w.begin_object().field("id", r.get_int64(0, 0)).key("parent_id");
    r.is_null(0, 1) ? w.null() : w.value(r.get_int64(0, 1));
    w.field("name", r.get(0, 2)).field("slug", r.get(0, 3)).field("description", r.get(0, 4)).key("icon");
    r.is_null(0, 5) ? w.null() : w.value(r.get(0, 5));
    w.field("color", r.get(0, 6)).field("sort_order", r.get_int64(0, 7)).field("active", r.get_bool(0, 8));
    w.field("allow_uploads", r.get_bool(0, 9)).end_object();
    return Response::json(w.take(), status);
}

}  // namespace

Response post_category(Ctx& c) {
    JsonInput in(c.body_or_empty());
    const auto name = in.string("name", 64);
    const auto slug = in.string("slug", 64);
    const auto parent = in.optional_string("parent", 64);
    const auto description = in.optional_string("description", 500).value_or("");
    const auto icon = in.optional_string("icon", 32);
    const auto color = in.optional_string("color", 7).value_or("#607d8b");
    const auto sort_order = in.optional_int("sort_order").value_or(0);
    if (name.empty()) throw ApiError::invalid("'name' must not be empty");
    auto& db = c.db();
    std::optional<std::string> parent_id;
    if (parent) {
        // One level deep: a parent is a top-level category.
        static const Statement kParent{"torrents_category_parent",
                                       "SELECT id FROM torrent_categories WHERE slug = $1 AND parent_id IS NULL"};
        const auto p = db.run(kParent, {*parent});
        if (p.rows() == 0) throw ApiError::invalid("no top-level category '" + *parent + "'");
        parent_id = std::string(p.get(0, 0));
    }
    static const Statement kInsert{
        "torrents_category_insert",
        "INSERT INTO torrent_categories (parent_id, name, slug, description, icon, color, sort_order) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7) "
        "RETURNING id, parent_id, name, slug, description, icon, color, sort_order, is_active, allow_uploads"};
    try {
        return category_json(db.run(kInsert, {parent_id, name, slug, description, icon, color, sort_order}), 201);
    } catch (const db::Error& e) {
        rethrow_category_error(e);
    }
}

Response patch_category(Ctx& c) {
    const auto id = category_id_param(c);
    JsonInput in(c.body_or_empty());
    const auto name = in.optional_string("name", 64);
    const auto description = in.optional_string("description", 500);
    const auto icon = in.optional_string("icon", 32);
    const auto color = in.optional_string("color", 7);
    const auto sort_order = in.optional_int("sort_order");
    const auto active = in.optional_bool("active");
    const auto uploads = in.optional_bool("allow_uploads");
    if (name && name->empty()) throw ApiError::invalid("'name' must not be empty");
    static const Statement kUpdate{
        "torrents_category_update",
        "UPDATE torrent_categories SET name = coalesce($2, name), description = coalesce($3, description), "
        "icon = coalesce($4, icon), color = coalesce($5, color), sort_order = coalesce($6::integer, sort_order), "
        "is_active = coalesce($7::boolean, is_active), allow_uploads = coalesce($8::boolean, allow_uploads) "
        "WHERE id = $1::integer "
        "RETURNING id, parent_id, name, slug, description, icon, color, sort_order, is_active, allow_uploads"};
    try {
        const auto r = c.db().run(kUpdate, {id, name, description, icon, color,
                                            sort_order ? db::Param(*sort_order) : db::Param(nullptr),
                                            active ? db::Param(*active) : db::Param(nullptr),
                                            uploads ? db::Param(*uploads) : db::Param(nullptr)});
        if (r.rows() == 0) throw ApiError::not_found("no such category");
        return category_json(r, 200);
    } catch (const db::Error& e) {
        rethrow_category_error(e);
    }
}

}  // namespace swarmline::control
