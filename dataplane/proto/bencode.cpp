#include "proto/bencode.hpp"

#include <algorithm>
#include <array>

namespace swarmline::proto::bencode {

const char* describe(Error e) noexcept {
    switch (e) {
    case Error::none: return "ok";
    case Error::too_large: return "input too large";
    case Error::truncated: return "truncated";
    case Error::unexpected_byte: return "unexpected byte";
    case Error::trailing_bytes: return "trailing bytes after the value";
    case Error::too_deep: return "nested too deep";
    case Error::too_many_tokens: return "too many values";
    case Error::leading_zero: return "leading zero";
    case Error::negative_zero: return "negative zero";
    case Error::empty_integer: return "empty integer";
    case Error::bad_integer: return "invalid integer";
    case Error::integer_range: return "integer out of range";
    case Error::negative_length: return "negative string length";
    case Error::bad_length: return "invalid string length";
    case Error::string_too_long: return "string too long";
    case Error::key_not_string: return "dictionary key is not a string";
    case Error::unsorted_keys: return "dictionary keys not sorted";
    case Error::duplicate_key: return "duplicate dictionary key";
    }
    return "unknown error";
}

namespace {

// Depth is bounded by Limits::max_depth, itself capped here so the container stack is a fixed
// array on the stack; no real torrent nests deeper than a file tree's path length.
constexpr std::size_t kDepthCap = 256;

bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }

struct Open {
    std::uint32_t token;     // the list/dict token
    std::uint32_t last_key;  // dict: the token of the previous key, or UINT32_MAX before the first
    bool want_key;           // dict: the next value read is a key
};

class Decoder {
public:
    Decoder(std::string_view in, std::span<Token> tokens, const Limits& limits) noexcept
        : in_(in), tokens_(tokens), limits_(limits) {}

    Result run() noexcept {
        if (in_.size() > limits_.max_size || in_.size() > UINT32_MAX) return fail(Error::too_large, 0);
        const std::size_t max_depth = std::min(limits_.max_depth, kDepthCap);
        do {
            if (pos_ >= in_.size()) return fail(Error::truncated, pos_);
            const char c = in_[pos_];
            if (c == 'e') {
                if (depth_ == 0) return fail(Error::unexpected_byte, pos_);
                Open& top = stack_[depth_ - 1];
                // A dict closed between a key and its value is missing the value.
                if (tokens_[top.token].type == Type::dict && !top.want_key) return fail(Error::unexpected_byte, pos_);
                ++pos_;
                Token& t = tokens_[top.token];
                t.end = static_cast<std::uint32_t>(pos_);
                t.next = static_cast<std::uint32_t>(count_);
                --depth_;
                value_done();
                continue;
            }
            if (count_ == tokens_.size()) return fail(Error::too_many_tokens, pos_);
            const bool is_key = depth_ > 0 && tokens_[stack_[depth_ - 1].token].type == Type::dict &&
                                stack_[depth_ - 1].want_key;
            if (is_key && !is_digit(c)) return fail(c == '-' ? Error::negative_length : Error::key_not_string, pos_);
            const auto index = static_cast<std::uint32_t>(count_++);
            Token& t = tokens_[index];
            t = Token{};
            t.begin = static_cast<std::uint32_t>(pos_);
            if (c == 'i') {
                t.type = Type::integer;
                if (Error e = integer(t.integer); e != Error::none) return fail(e, err_pos_);
            } else if (is_digit(c)) {
                t.type = Type::string;
                if (Error e = string(t); e != Error::none) return fail(e, err_pos_);
                if (is_key) {
                    Open& top = stack_[depth_ - 1];
                    if (top.last_key != UINT32_MAX) {
                        const Token& prev = tokens_[top.last_key];
                        const auto order = in_.substr(prev.value_begin, prev.value_size)
                                               .compare(in_.substr(t.value_begin, t.value_size));
                        if (order == 0) return fail(Error::duplicate_key, t.begin);
                        if (order > 0) return fail(Error::unsorted_keys, t.begin);
                    }
                    top.last_key = index;
                }
            } else if (c == 'l' || c == 'd') {
                t.type = c == 'l' ? Type::list : Type::dict;
                if (depth_ == max_depth) return fail(Error::too_deep, pos_);
                ++pos_;
                stack_[depth_++] = Open{index, UINT32_MAX, true};
                continue;
            } else {
                return fail(c == '-' ? Error::negative_length : Error::unexpected_byte, pos_);
            }
            t.end = static_cast<std::uint32_t>(pos_);
            t.next = static_cast<std::uint32_t>(count_);
            value_done();
        } while (depth_ > 0);
        if (pos_ != in_.size()) return fail(Error::trailing_bytes, pos_);
        return Result{Error::none, 0, count_};
    }

private:
    // Counts a finished value into its parent: a list element, or half of a dict entry.
    void value_done() noexcept {
        if (depth_ == 0) return;
        Open& top = stack_[depth_ - 1];
        Token& parent = tokens_[top.token];
        if (parent.type == Type::list) {
            ++parent.value_size;
        } else {
            if (!top.want_key) ++parent.value_size;
            top.want_key = !top.want_key;
        }
    }

    Error integer(std::int64_t& out) noexcept {
        ++pos_;  // 'i'
        bool negative = false;
        if (pos_ < in_.size() && in_[pos_] == '-') {
            negative = true;
            ++pos_;
        }
        const std::size_t digits = pos_;
        // Magnitude up to 2^63 (INT64_MIN's); more is out of range whatever the limits say.
        constexpr std::uint64_t kMaxMagnitude = std::uint64_t{1} << 63;
        std::uint64_t magnitude = 0;
        bool overflow = false;
        while (pos_ < in_.size() && is_digit(in_[pos_])) {
            const auto d = static_cast<std::uint64_t>(in_[pos_] - '0');
            if (magnitude > (kMaxMagnitude - d) / 10) overflow = true;
            else magnitude = magnitude * 10 + d;
            ++pos_;
        }
        if (pos_ >= in_.size()) return at(Error::truncated, pos_);
        if (in_[pos_] != 'e') return at(Error::bad_integer, pos_);
        if (pos_ == digits) return at(Error::empty_integer, pos_);
        if (in_[digits] == '0' && pos_ - digits > 1) return at(Error::leading_zero, digits);
        if (negative && magnitude == 0 && !overflow) return at(Error::negative_zero, digits);
        if (overflow || (!negative && magnitude == kMaxMagnitude)) return at(Error::integer_range, digits);
        ++pos_;  // 'e'
        out = negative ? static_cast<std::int64_t>(0 - magnitude) : static_cast<std::int64_t>(magnitude);
        if (out < limits_.min_integer || out > limits_.max_integer) return at(Error::integer_range, digits);
        return Error::none;
    }

    Error string(Token& t) noexcept {
        const std::size_t digits = pos_;
        std::uint64_t length = 0;
        bool too_long = false;
        while (pos_ < in_.size() && is_digit(in_[pos_])) {
            const auto d = static_cast<std::uint64_t>(in_[pos_] - '0');
            // Once over the limit the length stops growing, so the loop cannot overflow.
            if (too_long || limits_.max_string < d || length > (limits_.max_string - d) / 10) too_long = true;
            else length = length * 10 + d;
            ++pos_;
        }
        if (pos_ >= in_.size()) return at(Error::truncated, pos_);
        if (in_[pos_] != ':') return at(Error::bad_length, pos_);
        if (in_[digits] == '0' && pos_ - digits > 1) return at(Error::leading_zero, digits);
        if (too_long) return at(Error::string_too_long, digits);
        ++pos_;  // ':'
        if (in_.size() - pos_ < length) return at(Error::truncated, in_.size());
        t.value_begin = static_cast<std::uint32_t>(pos_);
        t.value_size = static_cast<std::uint32_t>(length);
        pos_ += length;
        return Error::none;
    }

    Error at(Error e, std::size_t where) noexcept {
        err_pos_ = where;
        return e;
    }
    Result fail(Error e, std::size_t where) const noexcept { return Result{e, where, 0}; }

    std::string_view in_;
    std::span<Token> tokens_;
    const Limits& limits_;
    std::size_t pos_ = 0;
    std::size_t count_ = 0;
    std::size_t err_pos_ = 0;
    std::size_t depth_ = 0;
    std::array<Open, kDepthCap> stack_;
};

}  // namespace

Result decode(std::string_view input, std::span<Token> tokens, const Limits& limits) noexcept {
    return Decoder(input, tokens, limits).run();
}

std::optional<std::size_t> Document::find(std::size_t dict, std::string_view key) const noexcept {
    if (dict >= tokens_.size() || tokens_[dict].type != Type::dict) return std::nullopt;
    std::size_t k = dict + 1;
    for (std::uint32_t n = 0; n < tokens_[dict].value_size; ++n) {
        const std::size_t v = tokens_[k].next;
        const int order = str(k).compare(key);
        if (order == 0) return v;
        if (order > 0) break;  // keys are sorted: it is not further on
        k = tokens_[v].next;
    }
    return std::nullopt;
}

}  // namespace swarmline::proto::bencode
