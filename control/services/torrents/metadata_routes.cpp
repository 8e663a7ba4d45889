// External metadata of a torrent (TMDB, IMDb, TVDB, IGDB, MusicBrainz, Discogs, AniDB ids, the
// descriptive fields, and the provider's response as JSON), set by staff or a metadata tool: no
// network fetch is needed for the site to work. A PUT replaces the whole record.
#include "http/api_error.hpp"
#include "http/json_input.hpp"
#include "http/json_writer.hpp"
#include "services/handlers.hpp"
#include "services/torrents/torrent_journal.hpp"
#include "services/torrents/torrent_routes.hpp"

namespace swarmline::control {

using http::ApiError;
using http::JsonInput;
using http::Response;

namespace {

// The body's members; `metadata` is the provider's JSON (stored as metadata_json).
constexpr const char* kFields =
    "{provider,tmdb_id,imdb_id,tvdb_id,igdb_id,musicbrainz_id,discogs_id,anidb_id,title,original_title,year,tagline,"
    "plot,genres,directors,writers,actors,languages,countries,runtime_minutes,poster_url,backdrop_url,trailer_url,"
    "rating,rating_count,imdb_rating,metadata}";

}  // namespace

Response put_torrent_metadata(Ctx& c) {
    const auto& id = uuid_param(c, 0);
    const std::string body(c.body_or_empty());
    JsonInput in(body);  // a JSON object, or 400
    const auto raw = in.optional_raw("metadata");
    if (raw && raw->front() != '{') throw ApiError::invalid("'metadata' is the provider's JSON object");
    auto& db = c.db();
    static const Statement kUnknown{"torrents_metadata_unknown",
                                    "SELECT string_agg(k, ', ') FROM jsonb_object_keys($1::jsonb) k WHERE k <> ALL($2::text[])"};
    if (const auto u = db.run(kUnknown, {body, kFields}); !u.is_null(0, 0))
        throw ApiError::invalid("unknown field(s): " + std::string(u.get(0, 0)));

    Transaction tx(db);
    static const Statement kLive{"torrents_metadata_live",
                                 "SELECT 1 FROM torrents WHERE id = $1 AND deleted_at IS NULL FOR UPDATE"};
    if (db.run(kLive, {id}).rows() == 0) throw ApiError::not_found("no such torrent");
    static const Statement kBefore{"torrents_metadata_before",
                                   "SELECT to_jsonb(m) - 'id' - 'torrent_id' - 'created_at' - 'updated_at' - 'fetched_at' "
                                   "FROM torrent_metadata m WHERE torrent_id = $1"};
    const auto before = db.run(kBefore, {id});
    static const Statement kUpsert{
        "torrents_metadata_upsert",
        "INSERT INTO torrent_metadata (torrent_id, provider, tmdb_id, imdb_id, tvdb_id, igdb_id, musicbrainz_id, "
        "discogs_id, anidb_id, title, original_title, year, tagline, plot, genres, directors, writers, actors, "
        "languages, countries, runtime_minutes, poster_url, backdrop_url, trailer_url, rating, rating_count, "
        "imdb_rating, metadata_json, fetched_at) "
        "SELECT $1, coalesce(r.provider, 'manual'), r.tmdb_id, r.imdb_id, r.tvdb_id, r.igdb_id, r.musicbrainz_id, "
        "r.discogs_id, r.anidb_id, r.title, r.original_title, r.year, r.tagline, r.plot, coalesce(r.genres, '{}'), "
        "coalesce(r.directors, '{}'), coalesce(r.writers, '{}'), coalesce(r.actors, '{}'), "
        "coalesce(r.languages, '{}'), coalesce(r.countries, '{}'), r.runtime_minutes, r.poster_url, r.backdrop_url, "
        "r.trailer_url, r.rating, r.rating_count, r.imdb_rating, coalesce($3::jsonb, '{}'), "
        "CASE WHEN coalesce(r.provider, 'manual') <> 'manual' THEN now() END "
        "FROM jsonb_populate_record(NULL::torrent_metadata, $2::jsonb) r "
        "ON CONFLICT (torrent_id) DO UPDATE SET provider = EXCLUDED.provider, tmdb_id = EXCLUDED.tmdb_id, "
        "imdb_id = EXCLUDED.imdb_id, tvdb_id = EXCLUDED.tvdb_id, igdb_id = EXCLUDED.igdb_id, "
        "musicbrainz_id = EXCLUDED.musicbrainz_id, discogs_id = EXCLUDED.discogs_id, anidb_id = EXCLUDED.anidb_id, "
        "title = EXCLUDED.title, original_title = EXCLUDED.original_title, year = EXCLUDED.year, "
        "tagline = EXCLUDED.tagline, plot = EXCLUDED.plot, genres = EXCLUDED.genres, directors = EXCLUDED.directors, "
        "writers = EXCLUDED.writers, actors = EXCLUDED.actors, languages = EXCLUDED.languages, "
        "countries = EXCLUDED.countries, runtime_minutes = EXCLUDED.runtime_minutes, poster_url = EXCLUDED.poster_url, "
        "backdrop_url = EXCLUDED.backdrop_url, trailer_url = EXCLUDED.trailer_url, rating = EXCLUDED.rating, "
        "rating_count = EXCLUDED.rating_count, imdb_rating = EXCLUDED.imdb_rating, "
        "metadata_json = EXCLUDED.metadata_json, fetched_at = EXCLUDED.fetched_at "
        "RETURNING to_jsonb(torrent_metadata) - 'id' - 'torrent_id' - 'created_at' - 'updated_at' - 'fetched_at'"};
    db::Result after;
    try {
        after = db.run(kUpsert, {id, body, raw});
    } catch (const db::Error& e) {
        // 22xxx: a value of the wrong type or out of range (jsonb_populate_record's casts);
        // 23514: a CHECK (the ids' formats and ranges, the provider).
        if (e.sqlstate().rfind("22", 0) == 0 || e.sqlstate() == db::sqlstate::check_violation)
            throw ApiError::invalid(std::string("metadata: ") + e.what());
        throw;
    }
    const std::string now(after.get(0, 0));
    const std::string old = before.rows() ? std::string(before.get(0, 0)) : "null";
    const std::string changes = "{\"metadata\": {\"old\": " + old + ", \"new\": " + now + "}}";
    const torrents::Actor who{c.me(), c.req.remote_ip, c.req.request_id};
    torrents::record_moderation(db, who, id, {"edited", std::nullopt, std::nullopt, std::nullopt, std::nullopt, changes});
    torrents::record_audit(db, who, "torrent.metadata", id, changes);
    torrents::queue_search_index(db, id, "update");
    tx.commit();
    return Response::json(now);
}

}  // namespace swarmline::control
