#include "services/torrents/site_source.hpp"

namespace swarmline::control::torrents {

std::string site_source(PgConn& db) {
    static const Statement kSource{
        "torrents_site_source",
        "SELECT coalesce((SELECT value #>> '{}' FROM site_settings WHERE key = 'tracker.source'), "
        "(SELECT value #>> '{}' FROM site_settings WHERE key = 'site.name'), 'Swarmline')"};
    return std::string(db.run(kSource).get(0, 0));
}

}  // namespace swarmline::control::torrents
