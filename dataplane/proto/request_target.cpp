#include "proto/request_target.hpp"

#include <array>

#include "proto/types.hpp"

namespace swarmline::proto {

namespace {

constexpr std::array<bool, 256> kAlnum = [] {
    std::array<bool, 256> t{};
    for (int c = '0'; c <= '9'; ++c) t[c] = true;
    for (int c = 'a'; c <= 'z'; ++c) t[c] = true;
    for (int c = 'A'; c <= 'Z'; ++c) t[c] = true;
    return t;
}();

bool kind_of(std::string_view word, TargetKind& kind) noexcept {
    if (word == "announce") kind = TargetKind::announce;
    else if (word == "scrape") kind = TargetKind::scrape;
    else return false;
    return true;
}

}  // namespace

bool valid_passkey(std::string_view key) noexcept {
    if (key.empty() || key.size() > kPasskeyLength) return false;
    // One table load per character (three range checks were a quarter of a UDP announce parse);
    // `&=` keeps the loop branch-free.
    bool ok = true;
    for (const char c : key) ok &= kAlnum[static_cast<unsigned char>(c)];
    return ok;
}

std::string_view query_value(std::string_view query, std::string_view name) noexcept {
    while (!query.empty()) {
        const auto amp = query.find('&');
        const std::string_view pair = query.substr(0, amp);
        query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
        if (pair.size() > name.size() && pair[name.size()] == '=' && pair.substr(0, name.size()) == name)
            return pair.substr(name.size() + 1);
    }
    return {};
}

const char* parse_target(std::string_view target, Target& out) noexcept {
    out = Target{};
    std::string_view path = target;
    if (const auto q = target.find('?'); q != std::string_view::npos) {
        path = target.substr(0, q);
        out.query = target.substr(q + 1);
    }
    if (path.empty() || path.front() != '/') return "invalid path";
    path.remove_prefix(1);
    const auto slash = path.find('/');
    if (slash == std::string_view::npos) {
        if (!kind_of(path, out.kind)) return "unknown path";
        return nullptr;
    }
    const std::string_view first = path.substr(0, slash);
    const std::string_view second = path.substr(slash + 1);
    if (second.find('/') != std::string_view::npos) return "unknown path";
    // `/announce/<passkey>` is tried first, so `/announce/scrape` is an announce: no issued passkey
    // is a bare word, so the order never misreads a real request.
    if (kind_of(first, out.kind)) out.passkey = second;
    else if (kind_of(second, out.kind)) out.passkey = first;
    else return "unknown path";
    if (!valid_passkey(out.passkey)) return "invalid passkey";
    return nullptr;
}

}  // namespace swarmline::proto
