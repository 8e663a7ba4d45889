#include "http/path_pattern.hpp"

#include "http/message.hpp"

namespace swarmline::http {

namespace {

// Splits "/a/b/c" into {"a", "b", "c"}; "/" gives {""}.
std::vector<std::string_view> segments(std::string_view path) {
    std::vector<std::string_view> out;
    path.remove_prefix(1);
    while (true) {
        const auto slash = path.find('/');
        out.push_back(path.substr(0, slash));
        if (slash == std::string_view::npos) return out;
        path.remove_prefix(slash + 1);
    }
}

bool is_param(std::string_view seg) { return seg.size() >= 2 && seg.front() == '{' && seg.back() == '}'; }

}  // namespace

bool match_path(std::string_view pattern, std::string_view path, std::vector<std::string>& params) {
    if (pattern.empty() || path.empty() || pattern[0] != '/' || path[0] != '/') return false;
    const auto want = segments(pattern);
    const auto have = segments(path);
    if (want.size() != have.size()) return false;
    std::vector<std::string> found;
    for (std::size_t i = 0; i < want.size(); ++i) {
        if (!is_param(want[i])) {
            if (want[i] != have[i]) return false;
            continue;
        }
        if (have[i].empty()) return false;
        auto decoded = url_decode(have[i], false);
        if (!decoded) return false;
        found.push_back(std::move(*decoded));
    }
    for (auto& p : found) params.push_back(std::move(p));
    return true;
}

}  // namespace swarmline::http
