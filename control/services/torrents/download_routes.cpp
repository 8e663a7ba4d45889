// GET /api/v1/torrents/{id}/download: the .torrent with the caller's passkey. Members get approved,
// live torrents; the uploader and moderators also get pending ones (to check them before approval).
#include "http/api_error.hpp"
#include "services/handlers.hpp"
#include "services/torrents/personal_torrent.hpp"
#include "services/torrents/torrent_routes.hpp"

namespace swarmline::control {

using http::ApiError;
using http::Response;

Response get_torrent_download(Ctx& c) {
    static const Statement kGet{
        "torrents_download_get",
        "SELECT t.metainfo, t.status = 'approved' AND t.deleted_at IS NULL, t.uploader_id = $2 AND t.deleted_at IS NULL, "
        "t.name, u.passkey FROM torrents t, users u WHERE t.id = $1 AND u.id = $2 AND t.metainfo IS NOT NULL"};
    const auto r = c.db().run(kGet, {uuid_param(c, 0), c.me()});
    if (r.rows() == 0) throw ApiError::not_found("no such torrent");
    const bool live = r.get_bool(0, 1), own = r.get_bool(0, 2);
    if (!live && !own && !c.who.has(auth::Right::moderate)) throw ApiError::not_found("no such torrent");
    const auto meta = r.get_bytea(0, 0);
    const auto urls = torrents::announce_urls(c.app, c.db(), std::string(r.get(0, 4)));
    Response res;
    res.content_type = "application/x-bittorrent";
    res.body = torrents::personal_torrent(std::string(meta.begin(), meta.end()), urls);
    std::string file;
    for (char ch : r.get(0, 3)) file += (ch == '"' || ch == '\\' || ch == '/' || static_cast<unsigned char>(ch) < 0x20) ? '_' : ch;
    res.headers.emplace_back("Content-Disposition", "attachment; filename=\"" + file + ".torrent\"");
    return res;
}

}  // namespace swarmline::control
