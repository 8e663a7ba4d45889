// The catalogue's one search: full text over the weighted search_vector (name, release group,
// description; the words as typed or their English stems) or a trigram match on the name, with filters, a sort and a page. Used by the JSON
// API, RSS and Torznab; the caller decides what the viewer may see (moderators may ask for a status).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "http/message.hpp"
#include "services/pg_pool.hpp"

namespace swarmline::control::torrents {

struct SearchFilters {
    std::string q;
    std::vector<std::string> categories;  // slugs; a parent includes its subcategories
    std::vector<std::string> tags;        // all must be present
    bool freeleech = false, double_upload = false;
    std::optional<std::string> resolution, uploader, imdb_id;
    std::optional<std::int64_t> min_size, max_size, min_seeders, tmdb_id, season, episode;
    std::string status = "approved";
    std::string sort;  // created | name | size | seeders | leechers | completed | relevance (default: relevance with q)
    std::string order;  // asc | desc (default: asc for name, else desc)
    std::uint64_t limit = 25, offset = 0;
};

// A torrent's summary as every listing and the torrent's own page select it (the columns kId ..
// kEpisode below), from `torrents t JOIN torrent_categories c` and the uploader `LEFT JOIN users up`;
// $1 is the viewer's id and $2 whether the viewer is staff (an anonymous uploader is named to them).
inline constexpr const char* kSummarySelect =
    "t.id, t.name, c.slug, t.size, t.file_count, t.seeders, t.leechers, t.times_completed, t.status, "
    "encode(t.info_hash, 'hex'), encode(t.info_hash_v2, 'hex'), t.resolution, t.release_group, "
    "CASE WHEN t.freeleech_until IS NULL OR t.freeleech_until > now() THEN t.freeleech_percentage ELSE 0 END, "
    "t.double_upload AND (t.double_upload_until IS NULL OR t.double_upload_until > now()), t.created_at, "
    "CASE WHEN NOT t.is_anonymous OR t.uploader_id = $1 OR $2 THEN up.username END, t.is_anonymous, "
    "t.is_sticky, t.is_featured, t.media_type, t.video_codec, t.audio_codec, t.source, t.container, t.hdr_format, "
    "t.year, t.imdb_id, t.tmdb_id, t.season_number, t.episode_number";

// The columns of every search row, in this order: the summary; then the creation time in RFC 822
// (for feeds) and the total count over all pages.
enum SearchColumn {
    kId, kName, kCategory, kSize, kFileCount, kSeeders, kLeechers, kCompleted, kStatus, kInfoHash, kInfoHashV2,
    kResolution, kReleaseGroup, kFreeleech, kDoubleUpload, kCreatedAt, kUploader, kAnonymous, kSticky, kFeatured,
    kMediaType, kVideoCodec, kAudioCodec, kSource, kContainer, kHdrFormat, kYear, kImdbId, kTmdbId, kSeason, kEpisode,
    kSummaryColumns,
    kCreatedRfc822 = kSummaryColumns, kTotal
};

// The filters, sort and order a listing's query string gives (q, category and tags as
// comma-separated lists, freeleech, double_upload, resolution, uploader, min_size, max_size,
// min_seeders, sort, order), as the JSON search and the RSS feed take them. Throws ApiError 400
// for a malformed one.
SearchFilters filters_from_query(const http::Request& req);

// `viewer_id` and `staff` decide whether an anonymous uploader is named. Throws ApiError 400 for a
// bad sort or order.
db::Result search_torrents(PgConn& db, const SearchFilters& f, const std::string& viewer_id, bool staff);

}  // namespace swarmline::control::torrents
