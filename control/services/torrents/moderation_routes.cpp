// The moderation workflow: the queue of pending and postponed uploads; approve / reject / postpone;
// edits of a torrent's metadata and promotions (freeleech, double upload with expiry, featured,
// sticky); soft deletion. Each is one transaction that also writes torrent_moderation (with the
// changes as JSON), audit_logs and the search index queue. An approved, live torrent is what the
// tracker announces (the sync's NOTIFY trigger on torrents carries it to the dataplane).
#include "http/api_error.hpp"
#include "http/json_input.hpp"
#include "http/json_writer.hpp"
#include "http/pagination.hpp"
#include "services/handlers.hpp"
#include "services/torrents/torrent_journal.hpp"
#include "services/torrents/torrent_routes.hpp"

namespace swarmline::control {

using http::ApiError;
using http::JsonInput;
using http::JsonWriter;
using http::Response;
using namespace torrents;

namespace {

Actor actor(const Ctx& c) { return Actor{c.me(), c.req.remote_ip, c.req.request_id}; }

// The torrent's editable columns as JSON, locked for the transaction; nullopt when it does not
// exist or is deleted.
std::optional<std::string> lock_snapshot(PgConn& db, const std::string& id) {
    static const Statement kSnapshot{
        "torrents_moderation_snapshot",
        "SELECT to_jsonb(t) - 'metainfo' - 'search_vector' - 'updated_at' FROM torrents t "
        "WHERE id = $1 AND deleted_at IS NULL FOR UPDATE"};
    const auto r = db.run(kSnapshot, {id});
    if (r.rows() == 0) return std::nullopt;
    return std::string(r.get(0, 0));
}

// {"field": {"old": .., "new": ..}} for every field that differs between two snapshots.
std::string diff(PgConn& db, const std::string& id, const std::string& before) {
    static const Statement kDiff{
        "torrents_moderation_diff",
        "SELECT coalesce(jsonb_object_agg(n.key, jsonb_build_object('old', o.value, 'new', n.value)), '{}') "
        "FROM jsonb_each($2::jsonb) o JOIN jsonb_each((SELECT to_jsonb(t) - 'metainfo' - 'search_vector' - "
        "'updated_at' FROM torrents t WHERE id = $1)) n USING (key) WHERE o.value IS DISTINCT FROM n.value"};
    return std::string(db.run(kDiff, {id, before}).get(0, 0));
}

}  // namespace

Response list_torrent_queue(Ctx& c) {
    const auto page = http::Page::from(c.req);
    static const Statement kList{
        "torrents_moderation_queue_list",
        "SELECT t.id, t.name, c.slug, t.size, t.status, up.username, t.created_at, q.id, count(*) OVER () "
        "FROM torrents t JOIN torrent_categories c ON c.id = t.category_id LEFT JOIN users up ON up.id = t.uploader_id "
        "LEFT JOIN moderation_queue q ON q.item_type = 'torrent' AND q.item_id = t.id "
        " AND q.status IN ('pending', 'in_review', 'escalated') "
        "WHERE t.status IN ('pending', 'postponed') AND t.deleted_at IS NULL ORDER BY t.created_at LIMIT $1 OFFSET $2"};
    const auto r = c.db().run(kList, {static_cast<std::int64_t>(page.per_page), static_cast<std::int64_t>(page.offset())});
    JsonWriter w;
    w.begin_object().key("torrents").begin_array();
    for (int i = 0; i < r.rows(); ++i) {
        w.begin_object().field("id", r.get(i, 0)).field("name", r.get(i, 1)).field("category", r.get(i, 2));
        w.field("size", r.get_int64(i, 3)).field("status", r.get(i, 4)).key("uploader");
        r.is_null(i, 5) ? w.null() : w.value(r.get(i, 5));
        w.field("created_at", r.get(i, 6)).key("queue_item_id");
        r.is_null(i, 7) ? w.null() : w.value(r.get(i, 7));
        w.end_object();
    }
    w.end_array();
    page.write(w, r.rows() == 0 ? 0 : static_cast<std::uint64_t>(r.get_int64(0, 8)));
    w.end_object();
    return Response::json(w.take());
}

Response post_torrent_moderation(Ctx& c) {
    const auto& id = uuid_param(c, 0);
    JsonInput in(c.body_or_empty());
    const auto action = in.string("action", 16);
    const auto reason = in.optional_string("reason", 2000);
    const auto notes = in.optional_string("notes", 2000);
    std::string status, queue_status, done;
    if (action == "approve") status = "approved", queue_status = "approved", done = "approved";
    else if (action == "reject") status = "rejected", queue_status = "rejected", done = "rejected";
    else if (action == "postpone") status = "postponed", done = "postponed";
    else throw ApiError::invalid("'action' is one of approve, reject, postpone");
    if (action == "reject" && !reason) throw ApiError::invalid("a rejection needs a 'reason' for the uploader");

    auto& db = c.db();
    Transaction tx(db);
    static const Statement kStatus{"torrents_moderation_status",
                                   "SELECT status FROM torrents WHERE id = $1 AND deleted_at IS NULL FOR UPDATE"};
    const auto cur = db.run(kStatus, {id});
    if (cur.rows() == 0) throw ApiError::not_found("no such torrent");
    const std::string previous(cur.get(0, 0));
    if (previous == status) throw ApiError::conflict("the torrent is already " + status);
    static const Statement kSet{
        "torrents_moderation_set",
        "UPDATE torrents SET status = $2, moderated_by = $3, moderated_at = now(), moderation_reason = $4 WHERE id = $1"};
    db.run(kSet, {id, status, c.me(), reason});
    if (!queue_status.empty()) {
        static const Statement kResolve{
            "torrents_moderation_resolve",
            "UPDATE moderation_queue SET status = $2, resolved_by = $3, resolved_at = now(), resolution_notes = $4 "
            "WHERE item_type = 'torrent' AND item_id = $1 AND status IN ('pending', 'in_review', 'escalated')"};
        db.run(kResolve, {id, queue_status, c.me(), reason});
    }
    const std::string changes = "{\"status\": {\"old\": \"" + previous + "\", \"new\": \"" + status + "\"}}";
    record_moderation(db, actor(c), id, {done, previous, status, reason, notes, changes});
    record_audit(db, actor(c), "torrent." + action, id, changes);
    queue_search_index(db, id, "update");
    tx.commit();
    JsonWriter w;
    w.begin_object().field("id", id).field("status", status).field("previous_status", previous).end_object();
    return Response::json(w.take());
}

Response patch_torrent(Ctx& c) {
    const auto& id = uuid_param(c, 0);
    JsonInput in(c.body_or_empty());
    const auto name = in.optional_string("name", 512);
    const auto description = in.optional_string("description", 65536);
    const auto category = in.optional_string("category", 64);
    const auto resolution = in.optional_string("resolution", 32);
    const auto release_group = in.optional_string("release_group", 64);
    const auto media_type = in.optional_string("media_type", 16);
    const auto video_codec = in.optional_string("video_codec", 32);
    const auto audio_codec = in.optional_string("audio_codec", 32);
    const auto source = in.optional_string("source", 32);
    const auto container = in.optional_string("container", 32);
    const auto hdr_format = in.optional_string("hdr_format", 32);
    const auto imdb_id = in.optional_string("imdb_id", 16);
    const auto year = in.optional_int("year");
    const auto tmdb_id = in.optional_int("tmdb_id");
    const auto season = in.optional_int("season_number");
    const auto episode = in.optional_int("episode_number");
    const auto nfo = in.optional_string("nfo", 65536);
    const auto fl = in.optional_int("freeleech_percentage");
    const auto fl_until = in.optional_string("freeleech_until", 64);
    const auto du = in.optional_bool("double_upload");
    const auto du_until = in.optional_string("double_upload_until", 64);
    const auto featured = in.optional_bool("featured");
    const auto sticky = in.optional_bool("sticky");
    const auto reason = in.optional_string("reason", 2000);
    if (fl && (*fl < 0 || *fl > 100)) throw ApiError::invalid("'freeleech_percentage' is 0 to 100");
    const auto num = [](const std::optional<std::int64_t>& v) { return v ? db::Param(*v) : db::Param(nullptr); };

    auto& db = c.db();
    Transaction tx(db);
    const auto before = lock_snapshot(db, id);
    if (!before) throw ApiError::not_found("no such torrent");
    // A promotion's expiry is kept while the promotion is not changed, and cleared when it is
    // changed without one (a new promotion without an end lasts until changed again).
    static const Statement kUpdate{
        "torrents_edit_update",
        "UPDATE torrents SET name = coalesce($2, name), description = coalesce($3, description), "
        "category_id = coalesce((SELECT id FROM torrent_categories WHERE slug = $4), category_id), "
        "resolution = coalesce($5, resolution), release_group = coalesce($6, release_group), nfo = coalesce($7, nfo), "
        "freeleech_percentage = coalesce($8::smallint, freeleech_percentage), "
        "freeleech_until = CASE WHEN $8::smallint IS NULL AND $9::timestamptz IS NULL THEN freeleech_until ELSE $9::timestamptz END, "
        "double_upload = coalesce($10::boolean, double_upload), "
        "double_upload_until = CASE WHEN $10::boolean IS NULL AND $11::timestamptz IS NULL THEN double_upload_until "
        "ELSE $11::timestamptz END, "
        "is_featured = coalesce($12, is_featured), is_sticky = coalesce($13, is_sticky), "
        "media_type = coalesce($14, media_type), video_codec = coalesce($15, video_codec), "
        "audio_codec = coalesce($16, audio_codec), source = coalesce($17, source), container = coalesce($18, container), "
        "hdr_format = coalesce($19, hdr_format), imdb_id = coalesce($20, imdb_id), year = coalesce($21::smallint, year), "
        "tmdb_id = coalesce($22::integer, tmdb_id), season_number = coalesce($23::smallint, season_number), "
        "episode_number = coalesce($24::smallint, episode_number) WHERE id = $1"};
    if (category) {
        static const Statement kCat{"torrents_edit_category", "SELECT 1 FROM torrent_categories WHERE slug = $1"};
        if (db.run(kCat, {*category}).rows() == 0) throw ApiError::invalid("no such category '" + *category + "'");
    }
    try {
        db.run(kUpdate, {id, name, description, category, resolution, release_group, nfo, num(fl), fl_until,
                         du ? db::Param(*du) : db::Param(nullptr), du_until,
                         featured ? db::Param(*featured) : db::Param(nullptr),
                         sticky ? db::Param(*sticky) : db::Param(nullptr), media_type, video_codec, audio_codec,
                         source, container, hdr_format, imdb_id, num(year), num(tmdb_id), num(season), num(episode)});
    } catch (const db::Error& e) {
        if (e.sqlstate() == "22007" || e.sqlstate() == "22008")
            throw ApiError::invalid("an expiry is not a timestamp (ISO 8601, e.g. 2026-12-01T00:00:00Z)");
        if (e.sqlstate() == db::sqlstate::check_violation) throw ApiError::invalid("a field is out of range: " + e.constraint());
        if (e.sqlstate() == "22003") throw ApiError::invalid("a number is out of its column's range");
        throw;
    }
    const auto changes = diff(db, id, *before);
    const bool promotion = fl || du || featured || sticky;
    record_moderation(db, actor(c), id, {promotion ? "promoted" : "edited", std::nullopt, std::nullopt, reason,
                                         std::nullopt, changes});
    record_audit(db, actor(c), "torrent.edit", id, changes);
    queue_search_index(db, id, "update");
    tx.commit();
    JsonWriter w;
    w.begin_object().field("id", id).key("changes").raw(changes).end_object();
    return Response::json(w.take());
}

Response delete_torrent(Ctx& c) {
    const auto& id = uuid_param(c, 0);
    JsonInput in(c.body_or_empty());
    const auto reason = in.optional_string("reason", 2000);
    auto& db = c.db();
    Transaction tx(db);
    const auto before = lock_snapshot(db, id);
    if (!before) throw ApiError::not_found("no such torrent");
    static const Statement kDelete{
        "torrents_soft_delete",
        "UPDATE torrents SET deleted_at = now(), deleted_by = $2, deletion_reason = $3 WHERE id = $1"};
    db.run(kDelete, {id, c.me(), reason.value_or("deleted by staff")});
    // A deleted upload leaves the moderation queue.
    static const Statement kUnqueue{
        "torrents_soft_delete_unqueue",
        "UPDATE moderation_queue SET status = 'rejected', resolved_by = $2, resolved_at = now(), "
        "resolution_notes = 'deleted: ' || $3 WHERE item_type = 'torrent' AND item_id = $1 "
        "AND status IN ('pending', 'in_review', 'escalated')"};
    db.run(kUnqueue, {id, c.me(), reason.value_or("deleted by staff")});
    const auto changes = diff(db, id, *before);
    record_moderation(db, actor(c), id, {"deleted", std::nullopt, std::nullopt, reason, std::nullopt, changes});
    record_audit(db, actor(c), "torrent.delete", id, changes);
    queue_search_index(db, id, "delete");
    tx.commit();
    return Response::no_content();
}

}  // namespace swarmline::control
