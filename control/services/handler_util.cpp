#include <chrono>
#include <cstdlib>
#include <regex>

#include "auth/secrets.hpp"
#include "http/api_error.hpp"
#include "services/handlers.hpp"

namespace swarmline::control {

std::uint64_t unix_now() {
    return static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count());
}

const std::string& uuid_param(const Ctx& c, std::size_t i) {
    static const std::regex re("^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$");
    if (i >= c.req.params.size() || !std::regex_match(c.req.params[i], re)) throw http::ApiError::not_found("no such object");
    return c.req.params[i];
}

std::string token_hash_param(std::string_view secret) { return "\\x" + auth::to_hex(auth::sha256(secret)); }

std::string announce_url(const App& app, const std::string& passkey) {
    std::string base = app.config().announce_url;
    while (!base.empty() && base.back() == '/') base.pop_back();
    return base + "/" + passkey + "/announce";
}

double get_double(const db::Result& r, int row, int col) {
    return r.is_null(row, col) ? 0.0 : std::strtod(std::string(r.get(row, col)).c_str(), nullptr);
}

}  // namespace swarmline::control
