// The request and response as handlers see them: plain values, no Boost.Beast types, so a handler
// can be called directly in a unit test and the server is the only code that knows the wire.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace swarmline::http {

struct Request {
    std::string method;      // "GET", "POST", ...
    std::string path;        // the target before '?', still percent-encoded
    std::string query;       // the target after '?', without it
    std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased
    std::string body;
    std::string remote_ip;
    std::string request_id;
    std::vector<std::string> params;  // path parameters ({name} in the route pattern), decoded

    // The value of a header (name in lower case), empty when absent.
    std::string_view header(std::string_view lower_name) const;
    // A query parameter, percent-decoded ('+' is a space); nullopt when absent.
    std::optional<std::string> query_param(std::string_view name) const;
    // A cookie from the Cookie header; empty when absent.
    std::string_view cookie(std::string_view name) const;
};

struct Response {
    unsigned status = 200;
    std::string content_type = "application/json";
    std::string body;
    std::vector<std::pair<std::string, std::string>> headers;

    static Response json(std::string body, unsigned status = 200) {
        Response r;
        r.status = status;
        r.body = std::move(body);
        return r;
    }
    static Response error(unsigned status, std::string_view code, std::string_view message);
    static Response no_content() {
        Response r;
        r.status = 204;
        r.content_type.clear();
        return r;
    }
};

// Percent-decoding of one URL component; nullopt when an escape is malformed. With `plus_is_space`
// (query strings, form bodies) '+' decodes to ' '.
std::optional<std::string> url_decode(std::string_view text, bool plus_is_space);

}  // namespace swarmline::http
