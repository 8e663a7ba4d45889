// The API's handlers, grouped by file; routes.cpp binds each to a method, a path and a right.
#pragma once

#include <cstdint>
#include <string>

#include "services/app.hpp"

namespace swarmline::control {

// system_routes.cpp
http::Response get_health(Ctx&);
http::Response get_metrics(Ctx&);
http::Response get_site(Ctx&);
http::Response list_settings(Ctx&);
http::Response put_setting(Ctx&);

// session_routes.cpp
http::Response post_login(Ctx&);
http::Response post_logout(Ctx&);
http::Response post_logout_all(Ctx&);
http::Response list_sessions(Ctx&);
http::Response delete_session(Ctx&);

// registration_routes.cpp
http::Response post_register(Ctx&);
http::Response post_verify_email(Ctx&);

// credential_routes.cpp
http::Response put_password(Ctx&);
http::Response post_2fa_setup(Ctx&);
http::Response post_2fa_enable(Ctx&);
http::Response post_2fa_disable(Ctx&);
http::Response list_api_tokens(Ctx&);
http::Response post_api_token(Ctx&);
http::Response delete_api_token(Ctx&);

// profile_routes.cpp
http::Response get_me(Ctx&);
http::Response post_my_passkey(Ctx&);
http::Response get_my_privacy(Ctx&);
http::Response put_my_privacy(Ctx&);
http::Response get_user(Ctx&);
http::Response list_groups(Ctx&);

// admin_routes.cpp
http::Response list_users(Ctx&);
http::Response put_user_group(Ctx&);
http::Response post_user_disable(Ctx&);
http::Response post_user_passkey(Ctx&);
http::Response delete_user(Ctx&);

// invite_routes.cpp
http::Response post_invite(Ctx&);
http::Response list_invites(Ctx&);
http::Response delete_invite(Ctx&);

// Helpers shared by the handlers (handler_util.cpp).
std::uint64_t unix_now();
// Path parameter `i`, which must be a UUID (anything else is a 404: no such object).
const std::string& uuid_param(const Ctx& c, std::size_t i);
// "\x<hex>" of SHA-256(secret): the bytea literal the token columns are compared with.
std::string token_hash_param(std::string_view secret);
std::string announce_url(const App& app, const std::string& passkey);
// A numeric column (ratio, bonus points) as a double; NULL reads as 0.
double get_double(const db::Result& r, int row, int col);

}  // namespace swarmline::control
