// A JSON request body, parsed by simdjson (DOM). Every accessor checks the member's type and size
// and throws ApiError (400 bad_json for a body that is not a JSON object, 422 invalid_field for a
// member of the wrong type or size), so a handler reads fields in one line each.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace simdjson::dom {
class parser;
}

namespace swarmline::http {

class JsonInput {
public:
    // Parses `body`, which must be a JSON object.
    explicit JsonInput(std::string_view body);
    ~JsonInput();
    JsonInput(const JsonInput&) = delete;
    JsonInput& operator=(const JsonInput&) = delete;

    // A string member of at most `max_len` bytes; a missing required member is a 422.
    std::string string(std::string_view key, std::size_t max_len) const;
    std::optional<std::string> optional_string(std::string_view key, std::size_t max_len) const;
    std::optional<std::int64_t> optional_int(std::string_view key) const;
    std::optional<bool> optional_bool(std::string_view key) const;
    // An array of strings, each at most `max_len` bytes, at most `max_items` of them.
    std::optional<std::vector<std::string>> optional_string_array(std::string_view key, std::size_t max_items,
                                                                  std::size_t max_len) const;
    // The member's value re-serialised as compact JSON (any type); nullopt when absent or null.
    std::optional<std::string> optional_raw(std::string_view key) const;
    bool has(std::string_view key) const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace swarmline::http
