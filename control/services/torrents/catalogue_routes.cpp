// Browsing the catalogue: search with filters, sorts and pages; one torrent with its files and
// tags; the category tree; the tags. Anonymous uploads name their uploader only to staff and to
// the uploader.
#include "http/api_error.hpp"
#include "http/json_writer.hpp"
#include "http/pagination.hpp"
#include "services/handlers.hpp"
#include "services/torrents/torrent_routes.hpp"
#include "services/torrents/torrent_search.hpp"

namespace swarmline::control {

using http::ApiError;
using http::JsonWriter;
using http::Response;

namespace {

// The summary columns (torrents::kSummarySelect) of a search row and of get_torrent's row.
void write_summary(JsonWriter& w, const db::Result& r, int i) {
    using namespace torrents;
    const auto opt = [&](int col) { r.is_null(i, col) ? w.null() : w.value(r.get(i, col)); };
    const auto opt_int = [&](int col) { r.is_null(i, col) ? w.null() : w.value(r.get_int64(i, col)); };
    w.field("id", r.get(i, 0)).field("name", r.get(i, 1)).field("category", r.get(i, 2));
    w.field("size", r.get_int64(i, 3)).field("file_count", r.get_int64(i, 4)).field("seeders", r.get_int64(i, 5));
    w.field("leechers", r.get_int64(i, 6)).field("times_completed", r.get_int64(i, 7)).field("status", r.get(i, 8));
    w.field("info_hash", r.get(i, 9)).key("info_hash_v2");
    opt(10);
    w.key("resolution");
    opt(11);
    w.key("release_group");
    opt(12);
    w.field("freeleech_percentage", r.get_int64(i, 13)).field("double_upload", r.get_bool(i, 14));
    w.field("created_at", r.get(i, 15)).key("uploader");
    opt(16);
    w.field("anonymous", r.get_bool(i, 17)).field("sticky", r.get_bool(i, 18)).field("featured", r.get_bool(i, 19));
    for (const auto& [key, col] : {std::pair{"media_type", kMediaType}, {"video_codec", kVideoCodec},
                                   {"audio_codec", kAudioCodec}, {"source", kSource}, {"container", kContainer},
                                   {"hdr_format", kHdrFormat}, {"imdb_id", kImdbId}}) {
        w.key(key);
        opt(col);
    }
    for (const auto& [key, col] : {std::pair{"year", kYear}, {"tmdb_id", kTmdbId}, {"season_number", kSeason},
                                   {"episode_number", kEpisode}}) {
        w.key(key);
        opt_int(col);
    }
}

}  // namespace

Response list_torrents(Ctx& c) {
    const auto& req = c.req;
    const auto page = http::Page::from(req);
    const bool staff = c.who.has(auth::Right::moderate);
    auto f = torrents::filters_from_query(req);
    // Members see approved torrents; moderators may list any status.
    if (const auto status = req.query_param("status"); status && staff) {
        if (*status != "pending" && *status != "approved" && *status != "rejected" && *status != "postponed")
            throw ApiError::bad_request("'status' is one of pending, approved, rejected, postponed");
        f.status = *status;
    }
    f.limit = page.per_page;
    f.offset = page.offset();
    const auto r = torrents::search_torrents(c.db(), f, c.me(), staff);
    JsonWriter w;
    w.begin_object().key("torrents").begin_array();
    for (int i = 0; i < r.rows(); ++i) {
        w.begin_object();
        write_summary(w, r, i);
        w.end_object();
    }
    w.end_array();
    page.write(w, r.rows() == 0 ? 0 : static_cast<std::uint64_t>(r.get_int64(0, torrents::kTotal)));
    w.end_object();
    return Response::json(w.take());
}

Response get_torrent(Ctx& c) {
    static const std::string kSql =
        std::string("SELECT ") + torrents::kSummarySelect +
        ", t.description, t.nfo, t.source_tag, t.piece_length, t.freeleech_until, t.double_upload_until, "
        "(SELECT coalesce(json_agg(g.name ORDER BY a.score DESC, g.name), '[]') FROM torrent_tag_assignments a "
        " JOIN torrent_tags g ON g.id = a.tag_id WHERE a.torrent_id = t.id), "
        "(SELECT coalesce(json_agg(json_build_object('path', f.path, 'size', f.size, 'media', f.is_media, "
        "  'mime_type', f.mime_type) ORDER BY f.file_index), '[]') FROM "
        "  (SELECT * FROM torrent_files WHERE torrent_id = t.id AND NOT is_padding ORDER BY file_index LIMIT 1000) f), "
        "(SELECT to_jsonb(m) - 'id' - 'torrent_id' FROM torrent_metadata m WHERE m.torrent_id = t.id), t.mediainfo "
        "FROM torrents t JOIN torrent_categories c ON c.id = t.category_id LEFT JOIN users up ON up.id = t.uploader_id "
        "WHERE t.id = $3 AND t.deleted_at IS NULL AND (t.status = 'approved' OR t.uploader_id = $1 OR $2)";
    static const Statement kGet{"torrents_get", kSql.c_str()};
    const bool staff = c.who.has(auth::Right::moderate);
    const auto r = c.db().run(kGet, {c.me(), staff, uuid_param(c, 0)});
    if (r.rows() == 0) throw ApiError::not_found("no such torrent");
    JsonWriter w;
    w.begin_object();
    write_summary(w, r, 0);
    // The columns after the summary, as kGet selects them.
    const auto col = [](int n) { return torrents::kSummaryColumns + n; };
    const auto opt = [&](const char* key, int n) {
        w.key(key);
        r.is_null(0, col(n)) ? w.null() : w.value(r.get(0, col(n)));
    };
    w.field("description", r.get(0, col(0)));
    opt("nfo", 1);
    opt("source_tag", 2);
    opt("piece_length", 3);
    opt("freeleech_until", 4);
    opt("double_upload_until", 5);
    w.key("tags").raw(r.get(0, col(6))).key("files").raw(r.get(0, col(7))).key("metadata");
    r.is_null(0, col(8)) ? w.null() : w.raw(r.get(0, col(8)));
    opt("mediainfo", 9);
    w.end_object();
    return Response::json(w.take());
}

Response list_categories(Ctx& c) {
    static const Statement kList{
        "torrents_categories_list",
        // Counted live (an index-only count per category) rather than read from torrent_count,
        // which nothing keeps current; a parent counts its subcategories' torrents too.
        "SELECT c.id, c.parent_id, c.name, c.slug, c.description, c.icon, c.color, c.allow_uploads, "
        "(SELECT count(*) FROM torrents t WHERE t.status = 'approved' AND t.deleted_at IS NULL AND t.category_id IN "
        " (SELECT s.id FROM torrent_categories s WHERE s.id = c.id OR s.parent_id = c.id)) "
        "FROM torrent_categories c WHERE c.is_active ORDER BY coalesce(c.parent_id, c.id), c.parent_id NULLS FIRST, c.sort_order"};
    const auto r = c.db().run(kList);
    JsonWriter w;
    w.begin_object().key("categories").begin_array();
    for (int i = 0; i < r.rows(); ++i) {
        w.begin_object().field("id", r.get_int64(i, 0)).key("parent_id");
        r.is_null(i, 1) ? w.null() : w.value(r.get_int64(i, 1));
        w.field("name", r.get(i, 2)).field("slug", r.get(i, 3)).field("description", r.get(i, 4)).key("icon");
        r.is_null(i, 5) ? w.null() : w.value(r.get(i, 5));
        w.field("color", r.get(i, 6)).field("allow_uploads", r.get_bool(i, 7)).field("torrent_count", r.get_int64(i, 8));
        w.end_object();
    }
    w.end_array().end_object();
    return Response::json(w.take());
}

Response list_tags(Ctx& c) {
    const auto page = http::Page::from(c.req);
    static const Statement kList{
        "torrents_tags_list",
        "SELECT name, tag_type, usage_count, count(*) OVER () FROM torrent_tags WHERE is_approved AND alias_of IS NULL "
        "AND ($1 = '' OR name LIKE $1 || '%') ORDER BY usage_count DESC, name LIMIT $2 OFFSET $3"};
    const auto prefix = c.req.query_param("prefix").value_or("");
    if (prefix.find_first_of("%_\\") != std::string::npos) throw ApiError::bad_request("'prefix' is a tag's beginning");
    const auto r = c.db().run(kList, {prefix, static_cast<std::int64_t>(page.per_page), static_cast<std::int64_t>(page.offset())});
    JsonWriter w;
    w.begin_object().key("tags").begin_array();
    for (int i = 0; i < r.rows(); ++i)
        w.begin_object().field("name", r.get(i, 0)).field("type", r.get(i, 1)).field("usage_count", r.get_int64(i, 2)).end_object();
    w.end_array();
    page.write(w, r.rows() == 0 ? 0 : static_cast<std::uint64_t>(r.get_int64(0, 3)));
    w.end_object();
    return Response::json(w.take());
}

}  // namespace swarmline::control
