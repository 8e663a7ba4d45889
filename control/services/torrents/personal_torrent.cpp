#include "services/torrents/personal_torrent.hpp"

#include "http/api_error.hpp"
#include "proto/torrent.hpp"
#include "services/handlers.hpp"

namespace swarmline::control::torrents {

AnnounceUrls announce_urls(const App& app, PgConn& db, const std::string& passkey) {
    AnnounceUrls u;
    u.http = announce_url(app, passkey);
    static const Statement kUdp{"torrents_udp_announce_base",
                                "SELECT value #>> '{}' FROM site_settings WHERE key = 'tracker.udp_announce_url'"};
    const auto r = db.run(kUdp);
    std::string base;
    if (r.rows() > 0 && !r.is_null(0, 0)) {
        base = std::string(r.get(0, 0));
    } else {
        std::string_view http = app.config().announce_url;
        if (const auto scheme = http.find("://"); scheme != std::string_view::npos) http.remove_prefix(scheme + 3);
        base = "udp://" + std::string(http.substr(0, http.find('/')));
    }
    while (!base.empty() && base.back() == '/') base.pop_back();
    u.udp = base + "/announce/" + passkey;
    return u;
}

std::string personal_torrent(const std::string& metainfo, const AnnounceUrls& urls) {
    proto::torrent::Rewrite changes;
    changes.announce = urls.http;
    changes.announce_list = std::vector<std::vector<std::string>>{{urls.http}, {urls.udp}};
    std::string out;
    proto::torrent::Torrent parsed;
    if (const auto e = proto::torrent::rewrite(metainfo, changes, out, parsed); !e.ok())
        throw http::ApiError(500, "internal", std::string("stored metainfo does not parse: ") + e.step);
    return out;
}

}  // namespace swarmline::control::torrents
