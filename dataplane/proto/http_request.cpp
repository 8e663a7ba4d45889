#include "proto/http_request.hpp"

#include <array>
#include <cstring>

namespace swarmline::proto::http {

namespace {

// RFC 9110 5.6.2 token characters, as a table: header names are checked byte by byte.
constexpr std::array<bool, 256> kTchar = [] {
    std::array<bool, 256> t{};
    for (int c = '0'; c <= '9'; ++c) t[c] = true;
    for (int c = 'a'; c <= 'z'; ++c) t[c] = true;
    for (int c = 'A'; c <= 'Z'; ++c) t[c] = true;
    for (const char c : std::string_view("!#$%&'*+-.^_`|~")) t[static_cast<unsigned char>(c)] = true;
    return t;
}();

bool is_tchar(char c) noexcept { return kTchar[static_cast<unsigned char>(c)]; }

// True when every byte is visible ASCII (0x21..0x7e), as a request target must be. Eight bytes at
// a time: the target is most of a request's bytes, and a byte loop was half the parse time.
bool all_visible(std::string_view s) noexcept {
    constexpr std::uint64_t kOnes = 0x0101010101010101ull;
    constexpr std::uint64_t kHigh = 0x8080808080808080ull;
    std::size_t i = 0;
    for (; i + 8 <= s.size(); i += 8) {
        std::uint64_t x;
        std::memcpy(&x, s.data() + i, 8);
        // A byte below 0x21 borrows into its high bit when 0x21 is subtracted (and had it clear);
        // a byte above 0x7e reaches 0x80 when 0x01 is added, or had the high bit already.
        const std::uint64_t below = (x - kOnes * 0x21) & ~x & kHigh;
        const std::uint64_t above = (((x & ~kHigh) + kOnes) | x) & kHigh;
        if ((below | above) != 0) return false;
    }
    for (; i < s.size(); ++i)
        if (s[i] <= 0x20 || s[i] >= 0x7f) return false;
    return true;
}

char lower(char c) noexcept { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

// Case-insensitive comparison against a lowercase literal.
bool iequals(std::string_view s, std::string_view lower_literal) noexcept {
    if (s.size() != lower_literal.size()) return false;
    for (std::size_t i = 0; i < s.size(); ++i)
        if (lower(s[i]) != lower_literal[i]) return false;
    return true;
}

std::string_view trim_ows(std::string_view s) noexcept {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

ParseResult fail(std::uint16_t status, const char* step) noexcept {
    return ParseResult{Status::error, 0, status, step};
}

// Methods RFC 9110 (and PATCH, RFC 5789) defines: they exist but not here (405); anything else is
// not implemented (501).
bool known_method(std::string_view m) noexcept {
    return m == "HEAD" || m == "POST" || m == "PUT" || m == "DELETE" || m == "CONNECT" || m == "OPTIONS" ||
           m == "TRACE" || m == "PATCH";
}

// "close" wins over "keep-alive" when a client sends both.
void read_connection(std::string_view value, Request& out, bool& saw_close) noexcept {
    while (!value.empty()) {
        const auto comma = value.find(',');
        const std::string_view option = trim_ows(value.substr(0, comma));
        value = comma == std::string_view::npos ? std::string_view{} : value.substr(comma + 1);
        if (iequals(option, "close")) saw_close = true;
        else if (iequals(option, "keep-alive")) out.keep_alive = true;
    }
}

// Room the request line takes besides its target: the longest method we answer, two spaces,
// "HTTP/1.1" and CRLF. A line longer than max_target plus this is a target over the limit.
constexpr std::size_t kRequestLineOverhead = 32;

}  // namespace

ParseResult parse_request(std::string_view buffer, Request& out, const Limits& limits) noexcept {
    out = Request{};
    const std::string_view window = buffer.substr(0, limits.max_head);
    // A method is a token ended by a space: refuse garbage as soon as it shows, not at a limit.
    for (std::size_t i = 0; i < window.size() && window[i] != ' '; ++i)
        if (!is_tchar(window[i])) return fail(400, "invalid method");

    const auto line_end = window.find("\r\n");
    if (line_end == std::string_view::npos) {
        if (buffer.size() > limits.max_target + kRequestLineOverhead) return fail(414, "request line too long");
        if (buffer.size() >= limits.max_head) return fail(431, "request head too large");
        return ParseResult{};
    }

    // Request line: method SP request-target SP HTTP-version.
    const std::string_view line = window.substr(0, line_end);
    const auto sp1 = line.find(' ');
    if (sp1 == std::string_view::npos || sp1 == 0) return fail(400, "malformed request line");
    out.method = line.substr(0, sp1);
    if (out.method != "GET")
        return known_method(out.method) ? fail(405, "method not allowed") : fail(501, "method not implemented");
    const auto sp2 = line.find(' ', sp1 + 1);
    if (sp2 == std::string_view::npos) return fail(400, "malformed request line");
    out.target = line.substr(sp1 + 1, sp2 - sp1 - 1);
    if (out.target.size() > limits.max_target) return fail(414, "request target too long");
    if (out.target.empty() || out.target.front() != '/') return fail(400, "request target not in origin form");
    if (!all_visible(out.target)) return fail(400, "invalid character in request target");
    const std::string_view version = line.substr(sp2 + 1);
    if (version.size() != 8 || version.substr(0, 5) != "HTTP/" || version[6] != '.' || version[5] < '0' ||
        version[5] > '9' || version[7] < '0' || version[7] > '9')
        return fail(400, "malformed HTTP version");
    if (version[5] != '1' || version[7] > '1') return fail(505, "HTTP version not supported");
    out.version_minor = static_cast<std::uint8_t>(version[7] - '0');
    out.keep_alive = out.version_minor == 1;

    // The head ends with an empty line; the request line's CRLF may be its first half.
    const auto head_end = window.find("\r\n\r\n", line_end);
    if (head_end == std::string_view::npos) {
        if (buffer.size() >= limits.max_head) return fail(431, "request head too large");
        return ParseResult{};
    }

    bool saw_close = false;
    bool saw_host = false;
    std::size_t count = 0;
    std::string_view headers = window.substr(line_end + 2, head_end - line_end);  // each line ends in CRLF
    while (!headers.empty()) {
        const auto eol = headers.find("\r\n");
        const std::string_view field = headers.substr(0, eol);
        headers.remove_prefix(eol + 2);
        if (++count > limits.max_headers) return fail(431, "too many header fields");
        const auto colon = field.find(':');
        if (colon == std::string_view::npos || colon == 0) return fail(400, "malformed header field");
        const std::string_view name = field.substr(0, colon);
        // This also refuses obsolete line folding (a line starting with whitespace), RFC 9112 5.2.
        for (const char c : name)
            if (!is_tchar(c)) return fail(400, "invalid header field name");
        const std::string_view value = trim_ows(field.substr(colon + 1));
        for (const char c : value)
            if ((c < 0x20 && c != '\t') || c == 0x7f) return fail(400, "invalid header field value");
        if (iequals(name, "host")) {
            if (saw_host) return fail(400, "more than one Host header");
            saw_host = true;
        } else if (iequals(name, "connection")) {
            read_connection(value, out, saw_close);
        } else if (iequals(name, "user-agent")) {
            out.user_agent = value;
        } else if (iequals(name, "content-length")) {
            if (value.empty() || value.find_first_not_of('0') != std::string_view::npos)
                return fail(400, "request with a body");
        } else if (iequals(name, "transfer-encoding")) {
            return fail(400, "request with a body");
        } else if (iequals(name, "x-forwarded-for")) {
            out.x_forwarded_for = value;
        } else if (iequals(name, "x-real-ip")) {
            out.x_real_ip = value;
        }
    }
    // RFC 9112 3.2: a server must answer 400 to an HTTP/1.1 request without Host.
    if (out.version_minor == 1 && !saw_host) return fail(400, "missing Host header");
    if (saw_close) out.keep_alive = false;
    return ParseResult{Status::complete, head_end + 4, 0, nullptr};
}

}  // namespace swarmline::proto::http
