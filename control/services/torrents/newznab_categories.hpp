// The site's categories as Newznab/Torznab category ids (what Prowlarr, Sonarr and Radarr filter
// on): a subcategory maps to the standard id nearest in meaning, a parent to its thousand.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

namespace swarmline::control::torrents {

struct NewznabCategory {
    std::string_view slug;  // torrent_categories.slug
    std::uint32_t id;       // Newznab id
    std::string_view name;  // Newznab name, for t=caps
};

// Every seeded category, parents first.
std::span<const NewznabCategory> newznab_categories();

// The Newznab id of a category slug; 8000 (Other) for a category the table does not know.
std::uint32_t newznab_id(std::string_view slug);

}  // namespace swarmline::control::torrents
