// Structured logs, one logfmt line per record on stderr (journald and `grep` both read them).
// Library code returns errors; only a program's top level and its slow paths log. The hot path
// counts instead, and a warning that can repeat per packet goes through RateLimited.
#pragma once

#include <atomic>
#include <cstdint>
#include <initializer_list>
#include <string_view>
#include <utility>

namespace swarmline::log {

enum class Level : std::uint8_t { debug = 0, info = 1, warn = 2, error = 3 };

void set_level(Level level) noexcept;
Level level() noexcept;
bool parse_level(std::string_view text, Level& out) noexcept;

// One field of a record: a key and a value already rendered to text.
struct Field {
    std::string_view key;
    std::string_view value;
};

void write(Level level, std::string_view msg, std::initializer_list<Field> fields = {}) noexcept;

inline void info(std::string_view msg, std::initializer_list<Field> f = {}) noexcept { write(Level::info, msg, f); }
inline void warn(std::string_view msg, std::initializer_list<Field> f = {}) noexcept { write(Level::warn, msg, f); }
inline void error(std::string_view msg, std::initializer_list<Field> f = {}) noexcept { write(Level::error, msg, f); }
inline void debug(std::string_view msg, std::initializer_list<Field> f = {}) noexcept { write(Level::debug, msg, f); }

// Lets through at most one record per `interval_s` seconds and says how many it held back.
class RateLimited {
public:
    explicit RateLimited(std::uint32_t interval_s) noexcept : interval_s_(interval_s) {}
    // True when a record may be written now; `suppressed` is how many were held back since the last.
    bool allow(std::uint64_t now_s, std::uint64_t& suppressed) noexcept;

private:
    std::uint32_t interval_s_;
    std::atomic<std::uint64_t> next_{0};
    std::atomic<std::uint64_t> held_{0};
};

}  // namespace swarmline::log
