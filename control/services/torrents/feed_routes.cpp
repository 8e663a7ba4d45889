// Feeds for programs, authenticated by the member's RSS key instead of a session: the RSS feed
// (/rss/KEY), the Torznab API (/api/torznab?apikey=KEY: t=caps, search, tvsearch, movie) that
// Prowlarr adds as a generic Torznab indexer, and the .torrent download their links point at
// (/rss/KEY/download/ID, with that member's passkey written in, as the site download does).
#include <charconv>
#include <cstdio>
#include <map>

#include "http/api_error.hpp"
#include "services/handlers.hpp"
#include "services/torrents/newznab_categories.hpp"
#include "services/torrents/personal_torrent.hpp"
#include "services/torrents/site_source.hpp"
#include "services/torrents/torrent_routes.hpp"
#include "services/torrents/torrent_search.hpp"

namespace swarmline::control {

using http::ApiError;
using http::Response;
using namespace torrents;

namespace {

struct FeedUser {
    std::string id;
    std::string passkey;
    bool can_download = false;
};

// The account an RSS key names, if it may use the site at all.
std::optional<FeedUser> feed_user(PgConn& db, const std::string& key) {
    static const Statement kUser{
        "torrents_feed_user",
        "SELECT u.id, u.passkey, g.can_download AND u.can_download FROM users u JOIN user_groups g ON g.id = u.group_id "
        "WHERE u.rss_key = $1 AND u.is_enabled AND g.can_login"};
    if (key.size() != 32) return std::nullopt;
    const auto r = db.run(kUser, {key});
    if (r.rows() == 0) return std::nullopt;
    return FeedUser{std::string(r.get(0, 0)), std::string(r.get(0, 1)), r.get_bool(0, 2)};
}

void xml_escape(std::string& out, std::string_view text) {
    for (char ch : text) {
        switch (ch) {
            case '&': out += "&amp;"; break;
            case '<': out += "&lt;"; break;
            case '>': out += "&gt;"; break;
            case '"': out += "&quot;"; break;
            case '\'': out += "&apos;"; break;
            default:
                // XML 1.0 has no form for other control characters.
                if (static_cast<unsigned char>(ch) < 0x20 && ch != '\t' && ch != '\n' && ch != '\r') out += ' ';
                else out += ch;
        }
    }
}

std::string xml(std::string_view text) {
    std::string s;
    xml_escape(s, text);
    return s;
}

// The absolute base of links, as the client reached the site.
std::string site_base(const http::Request& req) {
    std::string proto(req.header("x-forwarded-proto"));
    if (proto != "https") proto = "http";
    const auto host = req.header("host");
    return proto + "://" + (host.empty() ? std::string("localhost") : std::string(host));
}

std::string factor(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%g", v);
    return buf;
}

Response xml_response(std::string body, const char* type = "application/rss+xml; charset=utf-8") {
    Response r;
    r.content_type = type;
    r.body = std::move(body);
    return r;
}

// Newznab's error element (served with 200, as indexer clients expect).
Response torznab_error(int code, std::string_view description) {
    return xml_response("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<error code=\"" + std::to_string(code) +
                            "\" description=\"" + xml(description) + "\"/>\n",
                        "application/xml; charset=utf-8");
}

// An RSS 2.0 channel of search results with Torznab attributes.
std::string rss_channel(PgConn& db, const http::Request& req, const std::string& key, const db::Result& r,
                        std::uint64_t offset) {
    const auto base = site_base(req);
    const auto title = site_source(db);
    std::string out =
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rss version=\"2.0\" xmlns:atom=\"http://www.w3.org/2005/Atom\" "
        "xmlns:torznab=\"http://torznab.com/schemas/2015/feed\">\n<channel>\n<title>" + xml(title) +
        "</title>\n<description>" + xml(title) + " torrents</description>\n<link>" + xml(base) + "/</link>\n";
    const auto total = r.rows() == 0 ? 0 : r.get_int64(0, kTotal);
    out += "<torznab:response offset=\"" + std::to_string(offset) + "\" total=\"" + std::to_string(total) + "\"/>\n";
    for (int i = 0; i < r.rows(); ++i) {
        const std::string id(r.get(i, kId));
        const auto link = xml(base + "/rss/" + key + "/download/" + id);
        const auto cat = std::to_string(newznab_id(r.get(i, kCategory)));
        const auto size = std::string(r.get(i, kSize));
        const auto seeders = r.get_int64(i, kSeeders), leechers = r.get_int64(i, kLeechers);
        const auto down = (100 - r.get_int64(i, kFreeleech)) / 100.0;
        const auto up = r.get_bool(i, kDoubleUpload) ? 2.0 : 1.0;
        const auto attr = [&](const char* name, const std::string& value) {
            out += "<torznab:attr name=\"" + std::string(name) + "\" value=\"" + xml(value) + "\"/>\n";
        };
        out += "<item>\n<title>" + xml(r.get(i, kName)) + "</title>\n<guid isPermaLink=\"false\">" + id +
               "</guid>\n<link>" + link + "</link>\n<comments>" + xml(base + "/torrents/" + id) + "</comments>\n<pubDate>" +
               std::string(r.get(i, kCreatedRfc822)) + "</pubDate>\n<size>" + size + "</size>\n<category>" + cat +
               "</category>\n<enclosure url=\"" + link + "\" length=\"" + size + "\" type=\"application/x-bittorrent\"/>\n";
        attr("category", cat);
        attr("size", size);
        attr("seeders", std::to_string(seeders));
        attr("peers", std::to_string(seeders + leechers));
        attr("grabs", std::string(r.get(i, kCompleted)));
        attr("infohash", std::string(r.get(i, kInfoHash)));
        attr("downloadvolumefactor", factor(down));
        attr("uploadvolumefactor", factor(up));
        out += "</item>\n";
    }
    return out + "</channel>\n</rss>\n";
}

std::string torznab_caps(PgConn& db) {
    // Newznab groups subcategories under their thousand.
    std::map<std::uint32_t, std::string> parents;
    std::map<std::uint32_t, std::map<std::uint32_t, std::string_view>> subcats;
    for (const auto& c : newznab_categories()) {
        const auto thousand = c.id / 1000 * 1000;
        if (c.id == thousand) parents.emplace(thousand, c.name);
        else subcats[thousand].emplace(c.id, c.name);
    }
    for (const auto& [thousand, subs] : subcats) parents.emplace(thousand, subs.begin()->second.substr(0, subs.begin()->second.find('/')));
    std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<caps>\n<server title=\"" + xml(site_source(db)) +
                      "\"/>\n<limits default=\"25\" max=\"100\"/>\n<searching>\n"
                      "<search available=\"yes\" supportedParams=\"q\"/>\n"
                      "<tv-search available=\"yes\" supportedParams=\"q,season,ep,imdbid\"/>\n"
                      "<movie-search available=\"yes\" supportedParams=\"q,imdbid,tmdbid\"/>\n"
                      "</searching>\n<categories>\n";
    for (const auto& [id, name] : parents) {
        out += "<category id=\"" + std::to_string(id) + "\" name=\"" + xml(name) + "\">\n";
        for (const auto& [sid, sname] : subcats[id])
            out += "<subcat id=\"" + std::to_string(sid) + "\" name=\"" + xml(sname) + "\"/>\n";
        out += "</category>\n";
    }
    return out + "</categories>\n</caps>\n";
}

std::optional<std::int64_t> to_int(const std::optional<std::string>& v) {
    if (!v || v->empty()) return std::nullopt;
    std::int64_t out = 0;
    const auto [end, ec] = std::from_chars(v->data(), v->data() + v->size(), out);
    if (ec != std::errc{} || end != v->data() + v->size() || out < 0) return std::nullopt;
    return out;
}

// Newznab ids (comma-separated) to the slugs they cover: an id names its own categories, a
// thousand every category under it.
std::vector<std::string> slugs_for(std::string_view ids) {
    std::vector<std::string> out;
    while (!ids.empty()) {
        const auto comma = ids.find(',');
        const auto id = to_int(std::string(ids.substr(0, comma)));
        ids = comma == std::string_view::npos ? std::string_view{} : ids.substr(comma + 1);
        if (!id) continue;
        for (const auto& c : newznab_categories())
            if (c.id == *id || (*id % 1000 == 0 && c.id / 1000 * 1000 == *id)) out.emplace_back(c.slug);
    }
    // Ids the site has no category for match nothing (not everything).
    if (out.empty()) out.emplace_back("no-such-category");
    return out;
}

}  // namespace

Response get_torznab(Ctx& c) {
    const auto& req = c.req;
    const auto t = req.query_param("t").value_or("");
    if (t == "caps") return xml_response(torznab_caps(c.db()), "application/xml; charset=utf-8");
    if (t != "search" && t != "tvsearch" && t != "tv-search" && t != "movie" && t != "movie-search")
        return torznab_error(202, "No such function (t=caps, search, tvsearch, movie)");
    const auto key = req.query_param("apikey").value_or("");
    const auto user = feed_user(c.db(), key);
    if (!user) return torznab_error(100, "Incorrect user credentials");
    SearchFilters f;
    f.q = req.query_param("q").value_or("");
    if (f.q.size() > 200) return torznab_error(201, "Incorrect parameter: q is longer than 200 characters");
    if (const auto cat = req.query_param("cat"); cat && !cat->empty()) f.categories = slugs_for(*cat);
    if (const auto imdb = req.query_param("imdbid"); imdb && !imdb->empty())
        f.imdb_id = imdb->starts_with("tt") ? *imdb : "tt" + *imdb;
    f.tmdb_id = to_int(req.query_param("tmdbid"));
    f.season = to_int(req.query_param("season"));
    f.episode = to_int(req.query_param("ep"));
    f.limit = std::min<std::int64_t>(to_int(req.query_param("limit")).value_or(25), 100);
    f.offset = static_cast<std::uint64_t>(std::min<std::int64_t>(to_int(req.query_param("offset")).value_or(0), 100000));
    const auto r = search_torrents(c.db(), f, user->id, false);
    return xml_response(rss_channel(c.db(), req, key, r, f.offset));
}

Response get_rss(Ctx& c) {
    const auto& key = c.req.params.at(0);
    const auto user = feed_user(c.db(), key);
    if (!user) throw ApiError::not_found("no such feed");
    // The catalogue search's filters; a feed is always newest first.
    auto f = filters_from_query(c.req);
    f.sort = "created";
    f.order = "desc";
    f.limit = 50;
    const auto r = search_torrents(c.db(), f, user->id, false);
    return xml_response(rss_channel(c.db(), c.req, key, r, 0));
}

Response get_rss_download(Ctx& c) {
    const auto& key = c.req.params.at(0);
    const auto user = feed_user(c.db(), key);
    if (!user) throw ApiError::not_found("no such feed");
    if (!user->can_download) throw ApiError::forbidden("this account may not download");
    static const Statement kGet{
        "torrents_feed_download",
        "SELECT metainfo, name FROM torrents WHERE id = $1 AND status = 'approved' AND deleted_at IS NULL"};
    const auto r = c.db().run(kGet, {uuid_param(c, 1)});
    if (r.rows() == 0) throw ApiError::not_found("no such torrent");
    const auto meta = r.get_bytea(0, 0);
    Response res;
    res.content_type = "application/x-bittorrent";
    res.body = personal_torrent(std::string(meta.begin(), meta.end()), announce_urls(c.app, c.db(), user->passkey));
    return res;
}

}  // namespace swarmline::control
