// The announce and scrape paths of a target with each passkey put in, built once before the run.
#pragma once

#include <string>
#include <vector>

#include "config.hpp"

namespace swarmline::loadgen {

// One path per passkey (or the path alone when there are none), `{passkey}` replaced.
inline std::vector<std::string> expand_paths(const std::string& path, const std::vector<std::string>& passkeys) {
    if (passkeys.empty()) return {path};
    std::vector<std::string> out;
    out.reserve(passkeys.size());
    const auto at = path.find("{passkey}");
    for (const auto& key : passkeys) {
        std::string p = path;
        if (at != std::string::npos) p.replace(at, 9, key);
        out.push_back(std::move(p));
    }
    return out;
}

}  // namespace swarmline::loadgen
