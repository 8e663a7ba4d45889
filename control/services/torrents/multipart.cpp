#include "services/torrents/multipart.hpp"

#include <cctype>
#include <string>

namespace swarmline::control::torrents {

namespace {

bool iequals_prefix(std::string_view text, std::string_view lower_prefix) {
    if (text.size() < lower_prefix.size()) return false;
    for (std::size_t i = 0; i < lower_prefix.size(); ++i)
        if (std::tolower(static_cast<unsigned char>(text[i])) != lower_prefix[i]) return false;
    return true;
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

// The value of `key=` among `; `-separated parameters, unquoted (browsers do not escape inside the
// quotes of a form-data name, they percent-encode or replace quotes instead).
std::string_view header_param(std::string_view params, std::string_view key) {
    while (!params.empty()) {
        const auto semi = params.find(';');
        auto item = trim(params.substr(0, semi));
        params = semi == std::string_view::npos ? std::string_view{} : params.substr(semi + 1);
        if (!iequals_prefix(item, key) || item.size() <= key.size() || item[key.size()] != '=') continue;
        auto value = item.substr(key.size() + 1);
        if (value.size() >= 2 && value.front() == '"' && value.back() == '"') value = value.substr(1, value.size() - 2);
        return value;
    }
    return {};
}

}  // namespace

std::optional<std::string_view> form_boundary(std::string_view content_type) {
    if (!iequals_prefix(content_type, "multipart/form-data")) return std::nullopt;
    const auto semi = content_type.find(';');
    if (semi == std::string_view::npos) return std::nullopt;
    const auto b = header_param(content_type.substr(semi + 1), "boundary");
    // RFC 2046: 1 to 70 characters.
    if (b.empty() || b.size() > 70) return std::nullopt;
    return b;
}

std::optional<std::vector<FormPart>> parse_form(std::string_view body, std::string_view boundary) {
    const std::string delim = "--" + std::string(boundary);
    const std::string next_delim = "\r\n" + delim;
    std::vector<FormPart> parts;
    auto pos = body.find(delim);
    if (pos == std::string_view::npos) return std::nullopt;
    pos += delim.size();
    for (;;) {
        if (body.substr(pos, 2) == "--") return parts;  // the closing delimiter
        if (body.substr(pos, 2) != "\r\n") return std::nullopt;
        pos += 2;
        const auto headers_end = body.find("\r\n\r\n", pos);
        if (headers_end == std::string_view::npos) return std::nullopt;
        FormPart part;
        auto headers = body.substr(pos, headers_end - pos);
        while (!headers.empty()) {
            const auto eol = headers.find("\r\n");
            const auto line = headers.substr(0, eol);
            headers = eol == std::string_view::npos ? std::string_view{} : headers.substr(eol + 2);
            if (!iequals_prefix(line, "content-disposition:")) continue;
            const auto params = line.substr(line.find(':') + 1);
            part.name = header_param(params, "name");
            part.filename = header_param(params, "filename");
        }
        if (part.name.empty()) return std::nullopt;
        const auto data_begin = headers_end + 4;
        const auto data_end = body.find(next_delim, data_begin);
        if (data_end == std::string_view::npos) return std::nullopt;
        part.data = body.substr(data_begin, data_end - data_begin);
        parts.push_back(part);
        pos = data_end + next_delim.size();
    }
}

}  // namespace swarmline::control::torrents
