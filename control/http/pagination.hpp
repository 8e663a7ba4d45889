// `page` and `per_page` query parameters of list endpoints. `per_page` is capped so one request
// cannot ask PostgreSQL for an unbounded result.
#pragma once

#include <cstdint>

#include "http/json_writer.hpp"
#include "http/message.hpp"

namespace swarmline::http {

struct Page {
    static constexpr std::uint32_t kDefaultPerPage = 25;
    static constexpr std::uint32_t kMaxPerPage = 100;
    static constexpr std::uint32_t kMaxPage = 1'000'000;  // keeps OFFSET bounded

    std::uint32_t page = 1;
    std::uint32_t per_page = kDefaultPerPage;

    std::uint64_t offset() const noexcept { return std::uint64_t{page - 1} * per_page; }
    // Reads `page` and `per_page`; a value that is not a positive integer is a 400, a `per_page`
    // above the cap is lowered to it.
    static Page from(const Request& req);
    // Writes "pagination": {"page", "per_page", "total"} into the object being written.
    void write(JsonWriter& w, std::uint64_t total) const;
};

}  // namespace swarmline::http
