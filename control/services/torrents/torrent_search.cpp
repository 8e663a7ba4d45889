#include "services/torrents/torrent_search.hpp"

#include <charconv>

#include "http/api_error.hpp"

namespace swarmline::control::torrents {

namespace {

std::optional<std::int64_t> query_int(const http::Request& req, std::string_view name) {
    const auto v = req.query_param(name);
    if (!v) return std::nullopt;
    std::int64_t out = 0;
    const auto [end, ec] = std::from_chars(v->data(), v->data() + v->size(), out);
    if (ec != std::errc{} || end != v->data() + v->size() || out < 0)
        throw http::ApiError::bad_request("'" + std::string(name) + "' must be a non-negative integer");
    return out;
}

bool query_flag(const http::Request& req, std::string_view name) {
    const auto v = req.query_param(name);
    return v && (*v == "1" || *v == "true");
}

std::vector<std::string> split_list(std::string_view text) {
    std::vector<std::string> out;
    while (!text.empty()) {
        const auto comma = text.find(',');
        if (const auto item = text.substr(0, comma); !item.empty()) out.emplace_back(item);
        text = comma == std::string_view::npos ? std::string_view{} : text.substr(comma + 1);
    }
    return out;
}

}  // namespace

SearchFilters filters_from_query(const http::Request& req) {
    SearchFilters f;
    f.q = req.query_param("q").value_or("");
    if (f.q.size() > 200) throw http::ApiError::bad_request("'q' is longer than 200 characters");
    if (const auto cat = req.query_param("category")) f.categories = split_list(*cat);
    if (const auto tags = req.query_param("tags")) f.tags = split_list(*tags);
    f.freeleech = query_flag(req, "freeleech");
    f.double_upload = query_flag(req, "double_upload");
    f.resolution = req.query_param("resolution");
    f.uploader = req.query_param("uploader");
    f.min_size = query_int(req, "min_size");
    f.max_size = query_int(req, "max_size");
    f.min_seeders = query_int(req, "min_seeders");
    f.sort = req.query_param("sort").value_or("");
    f.order = req.query_param("order").value_or("");
    return f;
}

db::Result search_torrents(PgConn& db, const SearchFilters& f, const std::string& viewer_id, bool staff) {
    std::vector<std::string> args{viewer_id, staff ? "t" : "f"};
    const auto arg = [&](std::string v) {
        args.push_back(std::move(v));
        return "$" + std::to_string(args.size());
    };
    std::string where = " WHERE t.deleted_at IS NULL AND t.status = " + arg(f.status);
    std::string rank = "0";
    if (!f.q.empty()) {
        const auto p = arg(f.q);
        // The words as typed, or their English stems (the vector has both: migration 20250110000000).
        const auto query = "(websearch_to_tsquery('simple', " + p + ") || websearch_to_tsquery('english', " + p + "))";
        where += " AND (t.search_vector @@ " + query + " OR " + p + " <% t.name)";
        rank = "ts_rank(t.search_vector, " + query + ") + word_similarity(" + p + ", t.name)";
    }
    if (!f.categories.empty()) {
        std::string list = "{";
        for (const auto& c : f.categories)
            if (c.empty() || c.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-") != std::string::npos)
                throw http::ApiError::bad_request("'" + c + "' is not a category slug");
        for (const auto& c : f.categories) list += (list.size() > 1 ? ",\"" : "\"") + c + "\"";
        const auto p = arg(list + "}");
        where += " AND t.category_id IN (SELECT id FROM torrent_categories WHERE slug = ANY(" + p +
                 "::text[]) OR parent_id IN (SELECT id FROM torrent_categories WHERE slug = ANY(" + p + "::text[])))";
    }
    for (const auto& tag : f.tags)
        where += " AND EXISTS (SELECT 1 FROM torrent_tag_assignments a JOIN torrent_tags g ON g.id = a.tag_id "
                 "WHERE a.torrent_id = t.id AND g.name = " + arg(tag) + ")";
    if (f.freeleech) where += " AND t.freeleech_percentage > 0 AND (t.freeleech_until IS NULL OR t.freeleech_until > now())";
    if (f.double_upload) where += " AND t.double_upload AND (t.double_upload_until IS NULL OR t.double_upload_until > now())";
    if (f.resolution) where += " AND t.resolution = " + arg(*f.resolution);
    if (f.imdb_id) where += " AND t.imdb_id = " + arg(*f.imdb_id);
    // The list of what one member uploaded: their anonymous uploads are not in it, nor anything
    // when their privacy switch hides their uploads (user_privacy.show_uploads), except for
    // themselves and staff.
    if (f.uploader)
        where += " AND up.username = " + arg(*f.uploader) +
                 " AND (t.uploader_id = $1 OR $2 OR (NOT t.is_anonymous AND coalesce((SELECT p.show_uploads FROM "
                 "user_privacy p WHERE p.user_id = up.id), true)))";
    const auto num = [&](const std::optional<std::int64_t>& v, const char* cond) {
        if (v) where += std::string(" AND ") + cond + arg(std::to_string(*v));
    };
    num(f.min_size, "t.size >= ");
    num(f.max_size, "t.size <= ");
    num(f.min_seeders, "t.seeders >= ");
    num(f.tmdb_id, "t.tmdb_id = ");
    num(f.season, "t.season_number = ");
    num(f.episode, "t.episode_number = ");

    const auto sort = f.sort.empty() ? (f.q.empty() ? std::string("created") : std::string("relevance")) : f.sort;
    std::string order;
    if (sort == "created") order = "t.created_at";
    else if (sort == "name") order = "t.name";
    else if (sort == "size") order = "t.size";
    else if (sort == "seeders") order = "t.seeders";
    else if (sort == "leechers") order = "t.leechers";
    else if (sort == "completed") order = "t.times_completed";
    else if (sort == "relevance") order = rank;
    else throw http::ApiError::bad_request("'sort' is one of created, name, size, seeders, leechers, completed, relevance");
    const auto dir = f.order.empty() ? (sort == "name" ? std::string("asc") : std::string("desc")) : f.order;
    if (dir != "asc" && dir != "desc") throw http::ApiError::bad_request("'order' is asc or desc");

    const auto limit = arg(std::to_string(f.limit));
    const auto offset = arg(std::to_string(f.offset));
    const std::string sql =
        std::string("SELECT ") + kSummarySelect +
        ", to_char(t.created_at AT TIME ZONE 'UTC', 'Dy, DD Mon YYYY HH24:MI:SS \"+0000\"'), "
        "count(*) OVER () FROM torrents t JOIN torrent_categories c ON c.id = t.category_id "
        "LEFT JOIN users up ON up.id = t.uploader_id" +
        where + " ORDER BY t.is_sticky DESC, " + order + " " + dir + ", t.created_at DESC, t.id LIMIT " + limit +
        " OFFSET " + offset;
    std::vector<db::Param> params(args.begin(), args.end());
    return db.connection().exec_params(sql, params);
}

}  // namespace swarmline::control::torrents
