// The catalogue's one search: full text over the weighted search_vector (name, release group,
// description; the words as typed or their English stems) or a trigram match on the name, with filters, a sort and a page. Used by the JSON
// API, RSS and Torznab; the caller decides what the viewer may see (moderators may ask for a status).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

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

// The columns of every row, in this order; then the total count over all pages.
enum SearchColumn {
    kId, kName, kCategory, kSize, kFileCount, kSeeders, kLeechers, kCompleted, kStatus, kInfoHash, kInfoHashV2,
    kResolution, kReleaseGroup, kFreeleech, kDoubleUpload, kCreatedAt, kUploader, kAnonymous, kSticky, kFeatured,
    kCreatedRfc822, kTotal
};

// `viewer_id` and `staff` decide whether an anonymous uploader is named. Throws ApiError 400 for a
// bad sort or order.
db::Result search_torrents(PgConn& db, const SearchFilters& f, const std::string& viewer_id, bool staff);

}  // namespace swarmline::control::torrents
