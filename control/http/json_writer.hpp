// The one way the control API writes JSON. Strings are escaped per RFC 8259 (quote, backslash and
// every control character; invalid UTF-8 becomes U+FFFD so the output is always valid JSON), and
// commas are placed by the writer, so a handler cannot produce malformed output.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace swarmline::http {

class JsonWriter {
public:
    JsonWriter& begin_object();
    JsonWriter& end_object();
    JsonWriter& begin_array();
    JsonWriter& end_array();
    // The name of the next member; only inside an object.
    JsonWriter& key(std::string_view name);

    JsonWriter& value(std::string_view text);
    JsonWriter& value(const char* text) { return value(std::string_view(text)); }
    JsonWriter& value(const std::string& text) { return value(std::string_view(text)); }
    JsonWriter& value(std::int64_t number);
    JsonWriter& value(std::uint64_t number);
    JsonWriter& value(int number) { return value(static_cast<std::int64_t>(number)); }
    JsonWriter& value(double number);  // NaN and infinities have no JSON form: written as null
    JsonWriter& value(bool flag);
    JsonWriter& null();
    // A pre-rendered JSON fragment (for example an object built by another writer).
    JsonWriter& raw(std::string_view json);

    // key(name).value(v) in one call.
    template <typename T>
    JsonWriter& field(std::string_view name, const T& v) {
        key(name);
        return value(v);
    }

    const std::string& str() const noexcept { return out_; }
    std::string take() noexcept { return std::move(out_); }

    // Appends `text` as a quoted, escaped JSON string.
    static void append_string(std::string& out, std::string_view text);

private:
    void before_value();
    std::string out_;
    // One entry per open container: true once it holds a member, so the next one needs a comma.
    std::vector<bool> has_member_;
    bool after_key_ = false;
};

}  // namespace swarmline::http
