// Ends promotions whose time is up. The dataplane ends a torrent's freeleech at freeleech_until on
// its own (the shared table carries the time), but double upload (a torrent's, or a member's
// personal one) reaches it as a plain flag, so it would last until the row next changed. Clearing
// the expired columns changes the rows, and their NOTIFY triggers make the sync reload them; the
// site's own pages then show the stored flags as they are. Run often (serve: every second).
#pragma once

#include <cstdint>

#include "services/pg_pool.hpp"

namespace swarmline::control::torrents {

struct PromotionExpiry {
    std::uint64_t torrents = 0;  // torrents whose freeleech or double upload ended
    std::uint64_t members = 0;   // members whose personal double upload ended
};

// One pass, in one transaction: each torrent's change is audited and queued for the search index.
PromotionExpiry expire_promotions(PgConn& db);

}  // namespace swarmline::control::torrents
