// The torrent API's handlers; control/services/routes.cpp binds each to a method, a path and a right.
#pragma once

#include "services/app.hpp"

namespace swarmline::control {

// upload_routes.cpp
http::Response post_torrent(Ctx&);

// download_routes.cpp
http::Response get_torrent_download(Ctx&);

// category_routes.cpp
http::Response post_category(Ctx&);
http::Response patch_category(Ctx&);

// catalogue_routes.cpp
http::Response list_torrents(Ctx&);
http::Response get_torrent(Ctx&);
http::Response list_categories(Ctx&);
http::Response list_tags(Ctx&);

// feed_routes.cpp (authenticated by the member's RSS key, not a session)
http::Response get_torznab(Ctx&);
http::Response get_rss(Ctx&);
http::Response get_rss_download(Ctx&);

// tag_routes.cpp
http::Response post_torrent_tag(Ctx&);
http::Response post_torrent_tag_vote(Ctx&);

// tag_admin_routes.cpp
http::Response post_tag(Ctx&);
http::Response patch_tag(Ctx&);
http::Response post_tag_merge(Ctx&);
http::Response delete_tag(Ctx&);

// metadata_routes.cpp
http::Response put_torrent_metadata(Ctx&);

// moderation_routes.cpp
http::Response list_torrent_queue(Ctx&);
http::Response post_torrent_moderation(Ctx&);
http::Response patch_torrent(Ctx&);
http::Response delete_torrent(Ctx&);

}  // namespace swarmline::control
