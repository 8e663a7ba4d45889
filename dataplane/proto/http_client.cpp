#include "proto/http_client.hpp"

#include <charconv>

namespace swarmline::proto::http {
namespace {

bool iequals(std::string_view a, std::string_view b) noexcept {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        char x = a[i], y = b[i];
        if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
        if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
        if (x != y) return false;
    }
    return true;
}

std::string_view trim(std::string_view s) noexcept {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

}  // namespace

HeadResult parse_response_head(std::string_view in, ResponseHead& out) noexcept {
    const auto end = in.find("\r\n\r\n");
    if (end == std::string_view::npos) return in.size() > 16384 ? HeadResult::invalid : HeadResult::need_more;
    out = ResponseHead{};
    out.head_size = end + 4;
    std::string_view head = in.substr(0, end + 2);
    auto eol = head.find("\r\n");
    const std::string_view status_line = head.substr(0, eol);
    head.remove_prefix(eol + 2);
    // "HTTP/1.1 200 OK"
    if (status_line.size() < 12 || !status_line.starts_with("HTTP/1.") || status_line[8] != ' ') return HeadResult::invalid;
    const bool http10 = status_line[7] == '0';
    out.keep_alive = !http10;
    if (auto [p, ec] = std::from_chars(status_line.data() + 9, status_line.data() + 12, out.status);
        ec != std::errc{} || p != status_line.data() + 12)
        return HeadResult::invalid;
    bool have_length = false;
    while (!head.empty()) {
        eol = head.find("\r\n");
        const std::string_view line = head.substr(0, eol);
        head.remove_prefix(eol + 2);
        const auto colon = line.find(':');
        if (colon == std::string_view::npos) return HeadResult::invalid;
        const std::string_view name = line.substr(0, colon);
        const std::string_view value = trim(line.substr(colon + 1));
        if (iequals(name, "content-length")) {
            if (auto [p, ec] = std::from_chars(value.data(), value.data() + value.size(), out.content_length);
                ec != std::errc{} || p != value.data() + value.size())
                return HeadResult::invalid;
            have_length = true;
        } else if (iequals(name, "connection")) {
            if (iequals(value, "close")) out.keep_alive = false;
            else if (iequals(value, "keep-alive")) out.keep_alive = true;
        }
    }
    return have_length ? HeadResult::complete : HeadResult::invalid;
}

}  // namespace swarmline::proto::http
