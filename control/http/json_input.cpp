#include "http/json_input.hpp"

#include <simdjson.h>

#include "http/api_error.hpp"

namespace swarmline::http {

struct JsonInput::Impl {
    simdjson::dom::parser parser;
    simdjson::dom::object object;

    // The member, or nullopt when absent or null.
    std::optional<simdjson::dom::element> find(std::string_view key) const {
        simdjson::dom::element e;
        if (object.at_key(key).get(e) != simdjson::SUCCESS || e.is_null()) return std::nullopt;
        return e;
    }
};

namespace {

ApiError wrong_type(std::string_view key, const char* type) {
    return ApiError::invalid("'" + std::string(key) + "' must be " + type);
}

}  // namespace

JsonInput::JsonInput(std::string_view body) : impl_(std::make_unique<Impl>()) {
    if (body.empty()) throw ApiError(400, "bad_json", "request body must be a JSON object");
    simdjson::dom::element root;
    if (auto err = impl_->parser.parse(body.data(), body.size()).get(root); err)
        throw ApiError(400, "bad_json", std::string("request body is not valid JSON: ") + simdjson::error_message(err));
    if (root.get(impl_->object) != simdjson::SUCCESS)
        throw ApiError(400, "bad_json", "request body must be a JSON object");
}

JsonInput::~JsonInput() = default;

bool JsonInput::has(std::string_view key) const { return impl_->find(key).has_value(); }

std::optional<std::string> JsonInput::optional_string(std::string_view key, std::size_t max_len) const {
    const auto e = impl_->find(key);
    if (!e) return std::nullopt;
    std::string_view s;
    if (e->get(s) != simdjson::SUCCESS) throw wrong_type(key, "a string");
    if (s.size() > max_len)
        throw ApiError::invalid("'" + std::string(key) + "' is longer than " + std::to_string(max_len) + " bytes");
    return std::string(s);
}

std::string JsonInput::string(std::string_view key, std::size_t max_len) const {
    auto s = optional_string(key, max_len);
    if (!s) throw ApiError::invalid("'" + std::string(key) + "' is required");
    return std::move(*s);
}

std::optional<std::int64_t> JsonInput::optional_int(std::string_view key) const {
    const auto e = impl_->find(key);
    if (!e) return std::nullopt;
    std::int64_t v;
    if (e->get(v) != simdjson::SUCCESS) throw wrong_type(key, "an integer");
    return v;
}

std::optional<bool> JsonInput::optional_bool(std::string_view key) const {
    const auto e = impl_->find(key);
    if (!e) return std::nullopt;
    bool v;
    if (e->get(v) != simdjson::SUCCESS) throw wrong_type(key, "a boolean");
    return v;
}

std::optional<std::vector<std::string>> JsonInput::optional_string_array(std::string_view key, std::size_t max_items,
                                                                         std::size_t max_len) const {
    const auto e = impl_->find(key);
    if (!e) return std::nullopt;
    simdjson::dom::array arr;
    if (e->get(arr) != simdjson::SUCCESS) throw wrong_type(key, "an array of strings");
    std::vector<std::string> out;
    for (auto item : arr) {
        std::string_view s;
        if (item.get(s) != simdjson::SUCCESS) throw wrong_type(key, "an array of strings");
        if (s.size() > max_len || out.size() == max_items)
            throw ApiError::invalid("'" + std::string(key) + "' has too many or too long items");
        out.emplace_back(s);
    }
    return out;
}

std::optional<std::string> JsonInput::optional_raw(std::string_view key) const {
    const auto e = impl_->find(key);
    if (!e) return std::nullopt;
    return simdjson::minify(*e);
}

}  // namespace swarmline::http
