#include "proto/bencode_writer.hpp"

#include <charconv>

namespace swarmline::proto::bencode {

void Writer::integer(std::int64_t v) noexcept {
    char tmp[24];  // 'i' + 20 characters of INT64_MIN + 'e'
    tmp[0] = 'i';
    auto [end, ec] = std::to_chars(tmp + 1, tmp + sizeof(tmp) - 1, v);
    (void)ec;  // 22 bytes always hold an int64
    *end++ = 'e';
    raw(std::string_view(tmp, static_cast<std::size_t>(end - tmp)));
}

void Writer::string_header(std::size_t length) noexcept {
    char tmp[24];
    auto [end, ec] = std::to_chars(tmp, tmp + sizeof(tmp) - 1, length);
    (void)ec;  // 23 bytes always hold a size_t
    *end++ = ':';
    raw(std::string_view(tmp, static_cast<std::size_t>(end - tmp)));
}

void Writer::string(std::string_view s) noexcept {
    string_header(s.size());
    raw(s);
}

void Writer::string(std::span<const std::uint8_t> s) noexcept {
    string_header(s.size());
    raw(s);
}

}  // namespace swarmline::proto::bencode
