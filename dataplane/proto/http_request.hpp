// An HTTP/1.1 request parser for tracker GETs. Incremental and allocation-free: it is handed the
// bytes received so far and says "need more", "complete after N bytes" (the caller drops N bytes
// and calls again for a pipelined request) or an error with the status to answer before closing.
// Every view points into the caller's buffer.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace swarmline::proto::http {

struct Limits {
    // Announce URLs are ~300 bytes (two 60-byte escaped hashes + numbers); 2 KiB leaves room for
    // long passkeys and extra parameters while bounding what one client makes us scan.
    std::size_t max_target = 2048;
    // The whole head (request line + headers). Clients send ~200 bytes of headers.
    std::size_t max_head = 8192;
    std::size_t max_headers = 64;
};

struct Request {
    std::string_view method;
    std::string_view target;      // origin-form: path plus optional '?' query, not decoded
    std::string_view user_agent;  // empty when absent
    std::string_view x_forwarded_for;  // empty when absent; only trusted behind a configured proxy
    std::string_view x_real_ip;        // idem
    std::uint8_t version_minor = 1;    // HTTP/1.<minor>; only 1.0 and 1.1 are accepted
    // HTTP/1.1 keeps the connection unless `Connection: close`; HTTP/1.0 closes it unless
    // `Connection: keep-alive`.
    bool keep_alive = true;
};

enum class Status : std::uint8_t { complete, need_more, error };

struct ParseResult {
    Status status = Status::need_more;
    std::size_t consumed = 0;        // complete: bytes of this request (the head; GETs have no body)
    std::uint16_t http_status = 0;   // error: 400, 405, 414, 431, 501 or 505
    const char* step = nullptr;      // error: what was wrong, for logs and the reply body
};

// Parses the first request in `buffer`. Requests with a body (Content-Length other than 0, or any
// Transfer-Encoding) are refused with 400: a tracker request has none, and refusing them keeps
// pipelining unambiguous. Methods other than GET get 405 when HTTP defines them, 501 otherwise.
[[nodiscard]] ParseResult parse_request(std::string_view buffer, Request& out, const Limits& limits = {}) noexcept;

}  // namespace swarmline::proto::http
