// Members' tags on torrents (the `tag` right): adding a tag to a live torrent, and up/down votes
// on each tag of a torrent (one vote per member per tag; a new vote replaces the old one). A tag's
// score orders the tags a torrent shows. Both queue the torrent's search index update.
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

void require_live(PgConn& db, const std::string& id) {
    static const Statement kLive{"torrents_tag_live",
                                 "SELECT 1 FROM torrents WHERE id = $1 AND status = 'approved' AND deleted_at IS NULL"};
    if (db.run(kLive, {id}).rows() == 0) throw ApiError::not_found("no such torrent");
}

Response assignment_json(const db::Result& r, unsigned status) {
    JsonWriter w;
    w.begin_object().field("tag", r.get(0, 0)).field("upvotes", r.get_int64(0, 1)).field("downvotes", r.get_int64(0, 2));
    w.field("score", r.get_int64(0, 3)).end_object();
    return Response::json(w.take(), status);
}

}  // namespace

Response post_torrent_tag(Ctx& c) {
    static const std::regex kTag("^[a-z0-9][a-z0-9.+-]{0,63}$");
    const auto& id = uuid_param(c, 0);
    JsonInput in(c.body_or_empty());
    const auto name = in.string("name", 64);
    if (!std::regex_match(name, kTag)) throw ApiError::invalid("a tag is lower-case letters, digits and . + - (at most 64)");
    auto& db = c.db();
    Transaction tx(db);
    require_live(db, id);
    // An alias stands for the tag it names.
    static const Statement kTagId{
        "torrents_tag_add_tag",
        "WITH t AS (INSERT INTO torrent_tags (name, created_by) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE "
        "SET name = EXCLUDED.name RETURNING id, alias_of) SELECT coalesce(alias_of, id) FROM t"};
    const std::string tag_id(db.run(kTagId, {name, c.me()}).get(0, 0));
    static const Statement kAssign{
        "torrents_tag_add_assign",
        "INSERT INTO torrent_tag_assignments (torrent_id, tag_id, assigned_by) VALUES ($1, $2, $3) "
        "ON CONFLICT (torrent_id, tag_id) DO NOTHING RETURNING id"};
    if (db.run(kAssign, {id, tag_id, c.me()}).rows() == 0) throw ApiError::conflict("the torrent already has this tag");
    static const Statement kCount{"torrents_tag_add_count",
                                  "UPDATE torrent_tags SET usage_count = usage_count + 1 WHERE id = $1 "
                                  "RETURNING name, 0::bigint, 0::bigint, 0::bigint"};
    const auto r = db.run(kCount, {tag_id});
    torrents::queue_search_index(db, id, "update");
    tx.commit();
    return assignment_json(r, 201);
}

Response post_torrent_tag_vote(Ctx& c) {
    const auto& id = uuid_param(c, 0);
    const auto& name = c.req.params.at(1);
    JsonInput in(c.body_or_empty());
    const auto vote = in.optional_int("vote");
    if (!vote || (*vote != 1 && *vote != -1)) throw ApiError::invalid("'vote' is 1 or -1");
    auto& db = c.db();
    Transaction tx(db);
    require_live(db, id);
    static const Statement kAssignment{
        "torrents_tag_vote_assignment",
        "SELECT a.id FROM torrent_tag_assignments a JOIN torrent_tags g ON g.id = a.tag_id "
        "WHERE a.torrent_id = $1 AND g.name = $2 FOR UPDATE OF a"};
    const auto a = db.run(kAssignment, {id, name});
    if (a.rows() == 0) throw ApiError::not_found("the torrent has no tag '" + name + "'");
    const std::string assignment(a.get(0, 0));
    static const Statement kVote{
        "torrents_tag_vote_upsert",
        "INSERT INTO torrent_tag_votes (assignment_id, user_id, vote) VALUES ($1, $2, $3) "
        "ON CONFLICT (assignment_id, user_id) DO UPDATE SET vote = EXCLUDED.vote, created_at = now()"};
    db.run(kVote, {assignment, c.me(), static_cast<std::int64_t>(*vote)});
    // The counters are recounted from the votes (the assignment row is locked), so they cannot drift.
    static const Statement kRecount{
        "torrents_tag_vote_recount",
        "UPDATE torrent_tag_assignments a SET upvotes = v.up, downvotes = v.down FROM "
        "(SELECT count(*) FILTER (WHERE vote = 1) AS up, count(*) FILTER (WHERE vote = -1) AS down "
        " FROM torrent_tag_votes WHERE assignment_id = $1) v WHERE a.id = $1 "
        "RETURNING $2::text, a.upvotes::bigint, a.downvotes::bigint, a.score::bigint"};
    const auto r = db.run(kRecount, {assignment, name});
    // A torrent's tags are indexed best score first.
    torrents::queue_search_index(db, id, "update");
    tx.commit();
    return assignment_json(r, 200);
}

}  // namespace swarmline::control
