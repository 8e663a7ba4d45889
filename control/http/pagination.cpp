#include "http/pagination.hpp"

#include <charconv>

#include "http/api_error.hpp"

namespace swarmline::http {

namespace {

std::uint32_t positive(const Request& req, const char* name, std::uint32_t fallback, std::uint32_t cap) {
    const auto text = req.query_param(name);
    if (!text) return fallback;
    std::uint64_t v = 0;
    const auto* end = text->data() + text->size();
    const auto r = std::from_chars(text->data(), end, v);
    if (text->empty() || r.ec != std::errc{} || r.ptr != end || v == 0)
        throw ApiError::bad_request(std::string("'") + name + "' must be a positive integer");
    return v > cap ? cap : static_cast<std::uint32_t>(v);
}

}  // namespace

Page Page::from(const Request& req) {
    Page p;
    p.page = positive(req, "page", 1, kMaxPage);
    p.per_page = positive(req, "per_page", kDefaultPerPage, kMaxPerPage);
    return p;
}

void Page::write(JsonWriter& w, std::uint64_t total) const {
    w.key("pagination").begin_object();
    w.field("page", static_cast<std::uint64_t>(page));
    w.field("per_page", static_cast<std::uint64_t>(per_page));
    w.field("total", total);
    w.end_object();
}

}  // namespace swarmline::http
