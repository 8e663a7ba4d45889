// A bencode writer into a caller's buffer. It does not allocate and does not check key order: the
// caller writes dictionary keys sorted, as BEP 3 requires. Once a write does not fit, the writer
// stops and remembers it, so a reply is built without a check per field and validated once.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string_view>

namespace swarmline::proto::bencode {

class Writer {
public:
    explicit Writer(std::span<char> out) noexcept : out_(out) {}

    void integer(std::int64_t v) noexcept;
    void string(std::string_view s) noexcept;
    void string(std::span<const std::uint8_t> s) noexcept;
    // The `<len>:` prefix alone, for a string whose bytes follow as raw() pieces.
    void string_header(std::size_t length) noexcept;
    void begin_dict() noexcept { raw("d"); }
    void begin_list() noexcept { raw("l"); }
    void end() noexcept { raw("e"); }
    // Bytes copied as they are (already-encoded bencode, or the body of a string_header()).
    // Inline: most are short literals ("d", "8:complete"), whose copy the compiler then unrolls.
    void raw(std::string_view s) noexcept {
        if (char* p = reserve(s.size()); p != nullptr && !s.empty()) std::memcpy(p, s.data(), s.size());
    }
    void raw(std::span<const std::uint8_t> s) noexcept {
        if (char* p = reserve(s.size()); p != nullptr && !s.empty()) std::memcpy(p, s.data(), s.size());
    }

    [[nodiscard]] bool ok() const noexcept { return !overflow_; }
    [[nodiscard]] std::size_t size() const noexcept { return pos_; }
    // The bytes written, or 0 when anything did not fit.
    [[nodiscard]] std::size_t finish() const noexcept { return overflow_ ? 0 : pos_; }
    [[nodiscard]] std::string_view view() const noexcept { return {out_.data(), pos_}; }

private:
    char* reserve(std::size_t n) noexcept {
        if (overflow_ || out_.size() - pos_ < n) {
            overflow_ = true;
            return nullptr;
        }
        char* p = out_.data() + pos_;
        pos_ += n;
        return p;
    }

    std::span<char> out_;
    std::size_t pos_ = 0;
    bool overflow_ = false;
};

}  // namespace swarmline::proto::bencode
