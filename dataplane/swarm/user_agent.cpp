#include <string_view>

#include "swarm/engine.hpp"

namespace swarmline::swarm {

bool is_browser_user_agent(std::string_view ua) noexcept {
    // Every browser's user agent starts with "Mozilla/" (or "Opera/" for old Opera); the text
    // browsers name themselves. BitTorrent clients name themselves and their library instead.
    for (std::string_view mark : {"Mozilla", "Opera", "Links (", "Lynx/", "w3m/"}) {
        if (ua.find(mark) != std::string_view::npos) return true;
    }
    return false;
}

}  // namespace swarmline::swarm
