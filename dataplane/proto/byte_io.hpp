// Big-endian reads from a span that advances and writes into a caller's buffer, for the binary
// BEP 15 wire format. Every read checks the remaining length first; a writer that runs out of room
// stops writing and remembers it, so a reply is built without a check per field and validated once.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>

namespace swarmline::proto {

class ByteReader {
public:
    explicit ByteReader(std::span<const std::uint8_t> bytes) noexcept : bytes_(bytes) {}

    [[nodiscard]] std::size_t remaining() const noexcept { return bytes_.size() - pos_; }

    [[nodiscard]] bool read_u8(std::uint8_t& out) noexcept {
        if (remaining() < 1) return false;
        out = bytes_[pos_++];
        return true;
    }
    [[nodiscard]] bool read_u16(std::uint16_t& out) noexcept { return read_be(out); }
    [[nodiscard]] bool read_u32(std::uint32_t& out) noexcept { return read_be(out); }
    [[nodiscard]] bool read_u64(std::uint64_t& out) noexcept { return read_be(out); }
    [[nodiscard]] bool read_i32(std::int32_t& out) noexcept {
        std::uint32_t u = 0;
        if (!read_be(u)) return false;
        out = static_cast<std::int32_t>(u);
        return true;
    }
    [[nodiscard]] bool read_bytes(std::span<std::uint8_t> out) noexcept {
        if (remaining() < out.size()) return false;
        if (!out.empty()) std::memcpy(out.data(), bytes_.data() + pos_, out.size());
        pos_ += out.size();
        return true;
    }
    // A view of the next `n` bytes, valid as long as the underlying buffer.
    [[nodiscard]] bool take(std::size_t n, std::span<const std::uint8_t>& out) noexcept {
        if (remaining() < n) return false;
        out = bytes_.subspan(pos_, n);
        pos_ += n;
        return true;
    }

private:
    template <typename T>
    bool read_be(T& out) noexcept {
        if (remaining() < sizeof(T)) return false;
        T v = 0;
        for (std::size_t i = 0; i < sizeof(T); ++i) v = static_cast<T>((v << 8) | bytes_[pos_ + i]);
        pos_ += sizeof(T);
        out = v;
        return true;
    }

    std::span<const std::uint8_t> bytes_;
    std::size_t pos_ = 0;
};

class ByteWriter {
public:
    explicit ByteWriter(std::span<std::uint8_t> out) noexcept : out_(out) {}

    void u8(std::uint8_t v) noexcept { be(v); }
    void u16(std::uint16_t v) noexcept { be(v); }
    void u32(std::uint32_t v) noexcept { be(v); }
    void u64(std::uint64_t v) noexcept { be(v); }
    void bytes(std::span<const std::uint8_t> v) noexcept {
        if (!reserve(v.size())) return;
        if (!v.empty()) std::memcpy(out_.data() + pos_, v.data(), v.size());
        pos_ += v.size();
    }

    // The number of bytes written, or 0 when any write did not fit: what the writers return.
    [[nodiscard]] std::size_t finish() const noexcept { return overflow_ ? 0 : pos_; }

private:
    bool reserve(std::size_t n) noexcept {
        if (overflow_ || out_.size() - pos_ < n) {
            overflow_ = true;
            return false;
        }
        return true;
    }
    template <typename T>
    void be(T v) noexcept {
        if (!reserve(sizeof(T))) return;
        for (std::size_t i = 0; i < sizeof(T); ++i)
            out_[pos_ + i] = static_cast<std::uint8_t>(v >> (8 * (sizeof(T) - 1 - i)));
        pos_ += sizeof(T);
    }

    std::span<std::uint8_t> out_;
    std::size_t pos_ = 0;
    bool overflow_ = false;
};

}  // namespace swarmline::proto
