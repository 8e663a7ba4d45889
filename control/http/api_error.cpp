#include "http/api_error.hpp"

#include "http/json_writer.hpp"

namespace swarmline::http {

std::string error_body(std::string_view code, std::string_view message) {
    JsonWriter w;
    w.begin_object().key("error").begin_object();
    w.field("code", code).field("message", message);
    w.end_object().end_object();
    return w.take();
}

}  // namespace swarmline::http
