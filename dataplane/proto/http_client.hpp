// HTTP/1.x from the client's side, for the load generator and the tests (the tracker itself uses
// http_request.hpp and http_response.hpp): the status line of an answer and the two headers that
// say where it ends and whether the connection stays open.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace swarmline::proto::http {

struct ResponseHead {
    std::uint16_t status = 0;
    std::size_t head_size = 0;       // through the blank line
    std::size_t content_length = 0;
    bool keep_alive = true;
};

enum class HeadResult : std::uint8_t { complete, need_more, invalid };

// Parses the head at the start of `in`. An answer without Content-Length is refused as invalid: a
// tracker always knows the length of its bencoded body, and without it the end is the close.
[[nodiscard]] HeadResult parse_response_head(std::string_view in, ResponseHead& out) noexcept;

}  // namespace swarmline::proto::http
