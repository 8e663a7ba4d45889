// Staff curate the tag list (the `is_staff` right): create a tag with its type, rename it, change
// its type, description or approval, merge one into another (its torrents get the other tag, the
// old name becomes an alias, so members adding it get the other), and delete one. Each change is
// recorded in audit_logs (entity_type 'tag') and queues a search index update of the torrents it
// touches.
#include <regex>

#include "http/api_error.hpp"
#include "http/json_input.hpp"
#include "http/json_writer.hpp"
#include "services/handlers.hpp"
#include "services/torrents/torrent_journal.hpp"
#include "services/torrents/torrent_routes.hpp"

namespace swarmline::control {

using http::ApiError;
using http::JsonInput;
using http::JsonWriter;
using http::Response;

namespace {

constexpr const char* kTagRule = "a tag is lower-case letters, digits and . + - (at most 64)";

std::string tag_name(const JsonInput& in, std::string_view key) {
    static const std::regex kTag("^[a-z0-9][a-z0-9.+-]{0,63}$");
    auto name = in.string(key, 64);
    if (!std::regex_match(name, kTag)) throw ApiError::invalid(kTagRule);
    return name;
}

void check_type(const std::optional<std::string>& type) {
    if (type && *type != "user" && *type != "system" && *type != "genre" && *type != "quality")
        throw ApiError::invalid("'type' is user, system, genre or quality");
}

// name, type, description, approved, usage_count, alias_of: the columns every answer selects.
Response tag_json(const db::Result& r, unsigned status) {
    JsonWriter w;
    w.begin_object().field("name", r.get(0, 0)).field("type", r.get(0, 1)).field("description", r.get(0, 2));
    w.field("approved", r.get_bool(0, 3)).field("usage_count", r.get_int64(0, 4));
    if (r.is_null(0, 5))
        w.key("alias_of").null();
    else
        w.field("alias_of", r.get(0, 5));
    w.end_object();
    return Response::json(w.take(), status);
}

void audit(PgConn& db, const Ctx& c, std::string_view action, std::string_view tag_id, const std::string& changes) {
    static const Statement kAudit{
        "tags_admin_audit",
        "INSERT INTO audit_logs (actor_id, actor_ip, action, entity_type, entity_id, changes, metadata) "
        "VALUES ($1, nullif($2, '')::inet, $3, 'tag', $4, $5::jsonb, jsonb_build_object('request_id', $6::text))"};
    db.run(kAudit, {c.me(), c.req.remote_ip, action, tag_id, changes, c.req.request_id});
}

// The tag named by the path, locked for the change; 404 when there is none.
std::string locked_tag_id(PgConn& db, const std::string& name) {
    static const Statement kFind{"tags_admin_find", "SELECT id FROM torrent_tags WHERE name = $1 FOR UPDATE"};
    const auto r = db.run(kFind, {name});
    if (r.rows() == 0) throw ApiError::not_found("no tag '" + name + "'");
    return std::string(r.get(0, 0));
}

}  // namespace

Response post_tag(Ctx& c) {
    JsonInput in(c.req.body);
    const auto name = tag_name(in, "name");
    const auto type = in.optional_string("type", 16);
    check_type(type);
    const auto description = in.optional_string("description", 1000);
    auto& db = c.db();
    Transaction tx(db);
    static const Statement kInsert{
        "tags_admin_insert",
        "WITH t AS (INSERT INTO torrent_tags (name, tag_type, description, created_by) "
        "VALUES ($1, coalesce($2, 'user'), coalesce($3, ''), $4) ON CONFLICT (name) DO NOTHING RETURNING *) "
        "SELECT t.name, t.tag_type, t.description, t.is_approved, t.usage_count::bigint, NULL::text, t.id FROM t"};
    const auto r = db.run(kInsert, {name, type, description, c.me()});
    if (r.rows() == 0) throw ApiError::conflict("the tag '" + name + "' exists");
    audit(db, c, "tag.create", r.get(0, 6), "{}");
    tx.commit();
    return tag_json(r, 201);
}

Response patch_tag(Ctx& c) {
    const auto& current = c.req.params.at(0);
    JsonInput in(c.body_or_empty());
    const auto rename = in.optional_string("name", 64);
    const std::optional<std::string> name = rename ? std::optional(tag_name(in, "name")) : std::nullopt;
    const auto type = in.optional_string("type", 16);
    check_type(type);
    const auto description = in.optional_string("description", 1000);
    const auto approved = in.optional_bool("approved");
    auto& db = c.db();
    Transaction tx(db);
    const auto id = locked_tag_id(db, current);
    static const Statement kUpdate{
        "tags_admin_update",
        "WITH old AS (SELECT * FROM torrent_tags WHERE id = $1), "
        "t AS (UPDATE torrent_tags SET name = coalesce($2, name), tag_type = coalesce($3, tag_type), "
        "description = coalesce($4, description), is_approved = coalesce($5::boolean, is_approved) WHERE id = $1 "
        "RETURNING *) "
        "SELECT t.name, t.tag_type, t.description, t.is_approved, t.usage_count::bigint, "
        "(SELECT a.name FROM torrent_tags a WHERE a.id = t.alias_of), "
        "(SELECT coalesce(jsonb_object_agg(k, jsonb_build_object('old', o.v, 'new', n.v)), '{}')::text "
        " FROM jsonb_each(to_jsonb(old) - 'updated_at') o(k, v) JOIN jsonb_each(to_jsonb(t) - 'updated_at') n(k, v) "
        " USING (k) WHERE o.v IS DISTINCT FROM n.v) FROM t, old"};
    db::Result r;
    try {
        r = db.run(kUpdate, {id, name, type, description, approved});
    } catch (const db::Error& e) {
        if (unique_violation(e)) throw ApiError::conflict("the tag '" + *name + "' exists (merge into it instead)");
        throw;
    }
    audit(db, c, "tag.update", id, std::string(r.get(0, 6)));
    torrents::queue_search_updates(db, torrents::tagged_torrents(db, id));
    tx.commit();
    return tag_json(r, 200);
}

Response post_tag_merge(Ctx& c) {
    const auto& from = c.req.params.at(0);
    JsonInput in(c.req.body);
    const auto into = tag_name(in, "into");
    if (into == from) throw ApiError::invalid("a tag cannot be merged into itself");
    auto& db = c.db();
    Transaction tx(db);
    const auto from_id = locked_tag_id(db, from);
    const auto into_id = locked_tag_id(db, into);
    // Torrents that have both keep the target's assignment (the source's goes with its votes);
    // the others move over with their votes. The source becomes an alias of the target, and so do
    // the source's own aliases.
    static const Statement kDropBoth{
        "tags_admin_merge_drop",
        "DELETE FROM torrent_tag_assignments a WHERE a.tag_id = $1 AND EXISTS "
        "(SELECT 1 FROM torrent_tag_assignments b WHERE b.tag_id = $2 AND b.torrent_id = a.torrent_id)"};
    static const Statement kMove{"tags_admin_merge_move",
                                 "UPDATE torrent_tag_assignments SET tag_id = $2 WHERE tag_id = $1"};
    static const Statement kAlias{
        "tags_admin_merge_alias",
        "UPDATE torrent_tags SET alias_of = $2, usage_count = 0 WHERE id = $1 OR alias_of = $1"};
    static const Statement kRecount{
        "tags_admin_merge_recount",
        "UPDATE torrent_tags t SET usage_count = (SELECT count(*) FROM torrent_tag_assignments WHERE tag_id = t.id) "
        "WHERE id = $1"};
    db.run(kDropBoth, {from_id, into_id});
    const auto moved = db.run(kMove, {from_id, into_id}).affected_rows();
    db.run(kAlias, {from_id, into_id});
    db.run(kRecount, {into_id});
    audit(db, c, "tag.merge", from_id,
          "{\"alias_of\":{\"old\":null,\"new\":\"" + into + "\"},\"torrents_moved\":" + std::to_string(moved) + "}");
    static const Statement kShow{"tags_admin_show",
                                 "SELECT t.name, t.tag_type, t.description, t.is_approved, t.usage_count::bigint, "
                                 "(SELECT a.name FROM torrent_tags a WHERE a.id = t.alias_of) FROM torrent_tags t "
                                 "WHERE t.id = $1"};
    const auto r = db.run(kShow, {into_id});
    torrents::queue_search_updates(db, torrents::tagged_torrents(db, into_id));
    tx.commit();
    return tag_json(r, 200);
}

Response delete_tag(Ctx& c) {
    const auto& name = c.req.params.at(0);
    auto& db = c.db();
    Transaction tx(db);
    const auto id = locked_tag_id(db, name);
    // Its assignments and their votes go with it (ON DELETE CASCADE), and so do its aliases, which
    // would otherwise come back as tags of their own.
    static const Statement kDelete{"tags_admin_delete", "DELETE FROM torrent_tags WHERE id = $1 OR alias_of = $1"};
    const auto tagged = torrents::tagged_torrents(db, id);
    const auto gone = db.run(kDelete, {id}).affected_rows();
    torrents::queue_search_updates(db, tagged);
    audit(db, c, "tag.delete", id, "{\"name\":{\"old\":\"" + name + "\",\"new\":null},\"tags_deleted\":" +
                                       std::to_string(gone) + "}");
    tx.commit();
    return Response::no_content();
}

}  // namespace swarmline::control
