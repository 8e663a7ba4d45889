#include "base/log.hpp"

#include <unistd.h>

#include <array>
#include <charconv>
#include <ctime>

namespace swarmline::log {
namespace {

std::atomic<Level> g_level{Level::info};

constexpr std::string_view kNames[] = {"debug", "info", "warn", "error"};

// Quotes a value when it holds a space, a quote or an equals sign, as logfmt readers expect.
void append_value(std::array<char, 2048>& buf, std::size_t& n, std::string_view v) noexcept {
    bool quote = v.empty() || v.find_first_of(" \"=\t\n") != std::string_view::npos;
    auto put = [&](char c) {
        if (n + 1 < buf.size()) buf[n++] = c;
    };
    if (quote) put('"');
    for (char c : v) {
        if (c == '"' || c == '\\') put('\\');
        if (c == '\n') {
            put('\\');
            c = 'n';
        }
        put(c);
    }
    if (quote) put('"');
}

}  // namespace

void set_level(Level l) noexcept { g_level.store(l, std::memory_order_relaxed); }
Level level() noexcept { return g_level.load(std::memory_order_relaxed); }

bool parse_level(std::string_view text, Level& out) noexcept {
    for (std::size_t i = 0; i < std::size(kNames); ++i) {
        if (text == kNames[i]) {
            out = static_cast<Level>(i);
            return true;
        }
    }
    return false;
}

void write(Level l, std::string_view msg, std::initializer_list<Field> fields) noexcept {
    if (l < level()) return;
    std::array<char, 2048> buf;
    std::size_t n = 0;
    auto raw = [&](std::string_view s) {
        for (char c : s)
            if (n + 1 < buf.size()) buf[n++] = c;
    };
    timespec ts{};
    clock_gettime(CLOCK_REALTIME, &ts);
    tm t{};
    gmtime_r(&ts.tv_sec, &t);
    char when[40];
    std::size_t w = std::strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%S", &t);
    raw("ts=");
    raw({when, w});
    char ms[8];
    auto r = std::to_chars(ms, ms + sizeof ms, ts.tv_nsec / 1000000 + 1000);  // 1xyz: zero-padded
    raw(".");
    raw({ms + 1, static_cast<std::size_t>(r.ptr - ms - 1)});
    raw("Z level=");
    raw(kNames[static_cast<int>(l)]);
    raw(" msg=");
    append_value(buf, n, msg);
    for (const Field& f : fields) {
        raw(" ");
        raw(f.key);
        raw("=");
        append_value(buf, n, f.value);
    }
    buf[n++] = '\n';
    // One write(2) per record keeps lines whole when several threads log at once.
    [[maybe_unused]] ssize_t ignored = ::write(STDERR_FILENO, buf.data(), n);
}

bool RateLimited::allow(std::uint64_t now_s, std::uint64_t& suppressed) noexcept {
    std::uint64_t next = next_.load(std::memory_order_relaxed);
    if (now_s < next || !next_.compare_exchange_strong(next, now_s + interval_s_, std::memory_order_relaxed)) {
        held_.fetch_add(1, std::memory_order_relaxed);
        return false;
    }
    suppressed = held_.exchange(0, std::memory_order_relaxed);
    return true;
}

}  // namespace swarmline::log
