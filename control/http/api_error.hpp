// The one error shape of the API: `{"error": {"code": "...", "message": "..."}}` with the HTTP status
// that fits. Handlers return errors by throwing ApiError (the control API is not a hot path, and a
// throw keeps every early exit of a handler one line); the dispatcher turns it into the response.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>

namespace swarmline::http {

class ApiError : public std::runtime_error {
public:
    ApiError(unsigned status, std::string code, const std::string& message)
        : std::runtime_error(message), status_(status), code_(std::move(code)) {}
    unsigned status() const noexcept { return status_; }
    const std::string& code() const noexcept { return code_; }

    static ApiError bad_request(const std::string& message) { return {400, "bad_request", message}; }
    static ApiError invalid(const std::string& message) { return {422, "invalid_field", message}; }
    static ApiError unauthorized(const std::string& message) { return {401, "unauthorized", message}; }
    static ApiError forbidden(const std::string& message) { return {403, "forbidden", message}; }
    static ApiError not_found(const std::string& message) { return {404, "not_found", message}; }
    static ApiError conflict(const std::string& message) { return {409, "conflict", message}; }
    static ApiError too_many(const std::string& message) { return {429, "rate_limited", message}; }
    static ApiError unavailable(const std::string& message) { return {503, "unavailable", message}; }

private:
    unsigned status_;
    std::string code_;
};

// The JSON body of an error.
std::string error_body(std::string_view code, std::string_view message);

}  // namespace swarmline::http
