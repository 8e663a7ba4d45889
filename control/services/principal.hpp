// Who is making a request: nobody, or an account reached through a session token (cookie or
// `Authorization: Bearer sls_...`) or an API token (`Bearer slt_...`), with the rights its group
// grants minus the account's own restrictions (and minus what an API token's scopes leave out).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "auth/rights.hpp"

namespace swarmline::http {
struct Request;
}

namespace swarmline::control {

class PgConn;

inline constexpr std::string_view kSessionCookie = "swarmline_session";
inline constexpr std::string_view kSessionPrefix = "sls_";
inline constexpr std::string_view kApiTokenPrefix = "slt_";

struct Principal {
    bool authenticated = false;
    std::string user_id;
    std::int64_t tracker_id = 0;
    std::string username;
    std::string status;
    std::int64_t group_id = 0;
    std::string group_name;
    auth::RightSet rights;
    std::string session_id;    // set when authenticated by a session
    std::string api_token_id;  // set when authenticated by an API token

    bool has(auth::Right r) const noexcept {
        return r == auth::Right::none || (authenticated && rights.test(static_cast<std::size_t>(r)));
    }
    // Staff see every user's data regardless of privacy settings.
    bool is_staff() const noexcept { return has(auth::Right::staff); }
};

// The credential a request carries (bearer token first, then the session cookie), or empty.
std::string_view presented_token(const http::Request& req);

// Resolves the request's credential. No credential gives an anonymous principal; a credential that
// is unknown, expired, revoked, or whose account is deleted, disabled or banned gives nullopt
// (the caller answers 401, so a client learns its token is dead).
std::optional<Principal> authenticate(PgConn& db, const http::Request& req);

}  // namespace swarmline::control
