// A stored torrent as one member downloads it: the stored metainfo (already private, with the
// site's source) with that member's own announce URLs written in, and no one else's.
#pragma once

#include <string>

#include "services/app.hpp"

namespace swarmline::control::torrents {

struct AnnounceUrls {
    std::string http;  // BASE/<passkey>/announce
    std::string udp;   // udp://HOST:PORT/announce/<passkey> (BEP 41 carries the path)
};

// From the control config's announce base (http://HOST:PORT): the UDP tracker listens on the same
// host and port, unless site_settings `tracker.udp_announce_url` (udp://HOST:PORT) says otherwise.
AnnounceUrls announce_urls(const App& app, PgConn& db, const std::string& passkey);

// The .torrent with `urls` as announce and announce-list (HTTP tier first, then UDP). Throws
// ApiError when the stored metainfo does not parse (it was stored by upload_torrent, so it does).
std::string personal_torrent(const std::string& metainfo, const AnnounceUrls& urls);

}  // namespace swarmline::control::torrents
