// The site's identity written into every torrent: the info dict's `source` (so the info_hash is
// this site's own, as cross-seeding tools expect) and the member's announce URLs.
#pragma once

#include <string>

#include "services/pg_pool.hpp"

namespace swarmline::control::torrents {

// site_settings `tracker.source` when set, else `site.name`.
std::string site_source(PgConn& db);

}  // namespace swarmline::control::torrents
