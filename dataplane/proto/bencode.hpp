// A bencode decoder with limits on everything the input controls. It accepts only the canonical
// form (BEP 3: integers without leading zeros or "-0", dictionary keys as strings, sorted and
// unique), so one value has one encoding and an info dict hashes the same for everyone. Tokens go
// into a caller's array: nothing is allocated, and each token records the exact bytes it spans.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <span>
#include <string_view>

namespace swarmline::proto::bencode {

enum class Type : std::uint8_t { integer, string, list, dict };

struct Token {
    Type type = Type::integer;
    std::uint32_t begin = 0;  // offset of the first byte of this value's encoding
    std::uint32_t end = 0;    // offset past its last byte (a dict's bytes are [begin, end))
    // string: the payload [value_begin, value_begin + value_size); list: elements; dict: entries
    std::uint32_t value_begin = 0;
    std::uint32_t value_size = 0;
    std::uint32_t next = 0;   // index of the first token after this value and its children
    std::int64_t integer = 0;
};

struct Limits {
    std::size_t max_size = std::size_t{64} << 20;  // whole input
    std::size_t max_depth = 64;                    // nested lists/dicts
    std::size_t max_string = std::size_t{64} << 20;
    std::int64_t min_integer = std::numeric_limits<std::int64_t>::min();
    std::int64_t max_integer = std::numeric_limits<std::int64_t>::max();
    // The token count is bounded by the caller's array.
};

enum class Error : std::uint8_t {
    none,
    too_large,         // input over max_size
    truncated,         // input ended inside a value
    unexpected_byte,   // not the start of a value
    trailing_bytes,    // bytes after the top-level value
    too_deep,
    too_many_tokens,
    leading_zero,      // "i03e", "03:abc"
    negative_zero,     // "i-0e"
    empty_integer,     // "ie", "i-e"
    bad_integer,       // a non-digit inside i...e
    integer_range,     // outside [min_integer, max_integer] or int64
    negative_length,   // "-3:abc"
    bad_length,        // a non-digit in a string length, or no ':'
    string_too_long,
    key_not_string,
    unsorted_keys,
    duplicate_key,
};

[[nodiscard]] const char* describe(Error e) noexcept;

struct Result {
    Error error = Error::none;
    std::size_t offset = 0;  // error: the byte where it was found
    std::size_t count = 0;   // success: tokens used (token 0 is the top-level value)
    [[nodiscard]] bool ok() const noexcept { return error == Error::none; }
};

[[nodiscard]] Result decode(std::string_view input, std::span<Token> tokens, const Limits& limits = {}) noexcept;

// Read access to decoded tokens. Indexes are token indexes; children of a list or dict start at
// index + 1 and follow one another through `next` (a dict alternates key, value).
class Document {
public:
    Document(std::string_view input, std::span<const Token> tokens) noexcept : input_(input), tokens_(tokens) {}

    [[nodiscard]] const Token& operator[](std::size_t i) const noexcept { return tokens_[i]; }
    // The string payload of a string token.
    [[nodiscard]] std::string_view str(std::size_t i) const noexcept {
        return input_.substr(tokens_[i].value_begin, tokens_[i].value_size);
    }
    // The exact encoded bytes of any value (what an info_hash is computed over).
    [[nodiscard]] std::string_view raw(std::size_t i) const noexcept {
        return input_.substr(tokens_[i].begin, tokens_[i].end - tokens_[i].begin);
    }
    // The value token of `key` in dict `dict`, if present.
    [[nodiscard]] std::optional<std::size_t> find(std::size_t dict, std::string_view key) const noexcept;

private:
    std::string_view input_;
    std::span<const Token> tokens_;
};

}  // namespace swarmline::proto::bencode
