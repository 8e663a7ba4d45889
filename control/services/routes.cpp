// The route table: every API route with the one right it requires. The dispatcher checks the right
// before a handler runs; tests/control checks this table against openapi.yaml and runs every route
// for every group.
#include "services/handlers.hpp"
#include "services/torrents/torrent_routes.hpp"

namespace swarmline::control {

namespace {

using auth::Right;

constexpr bool kSessionOnly = true;

constexpr Route kRoutes[] = {
    {"GET", "/health", Right::none, get_health},
    {"GET", "/metrics", Right::none, get_metrics},
    {"GET", "/api/v1/site", Right::none, get_site},

    {"POST", "/api/v1/auth/register", Right::none, post_register},
    {"POST", "/api/v1/auth/verify-email", Right::none, post_verify_email},
    {"POST", "/api/v1/auth/login", Right::none, post_login},
    {"POST", "/api/v1/auth/logout", Right::login, post_logout, kSessionOnly},
    {"POST", "/api/v1/auth/logout-all", Right::login, post_logout_all},

    {"GET", "/api/v1/me", Right::login, get_me},
    {"POST", "/api/v1/me/passkey", Right::login, post_my_passkey, kSessionOnly},
    {"PUT", "/api/v1/me/password", Right::login, put_password, kSessionOnly},
    {"GET", "/api/v1/me/privacy", Right::login, get_my_privacy},
    {"PUT", "/api/v1/me/privacy", Right::login, put_my_privacy},
    {"GET", "/api/v1/me/sessions", Right::login, list_sessions},
    {"DELETE", "/api/v1/me/sessions/{id}", Right::login, delete_session},
    {"POST", "/api/v1/me/2fa/setup", Right::login, post_2fa_setup, kSessionOnly},
    {"POST", "/api/v1/me/2fa/enable", Right::login, post_2fa_enable, kSessionOnly},
    {"POST", "/api/v1/me/2fa/disable", Right::login, post_2fa_disable, kSessionOnly},
    {"GET", "/api/v1/me/tokens", Right::login, list_api_tokens},
    {"POST", "/api/v1/me/tokens", Right::login, post_api_token, kSessionOnly},
    {"DELETE", "/api/v1/me/tokens/{id}", Right::login, delete_api_token, kSessionOnly},

    {"GET", "/api/v1/groups", Right::login, list_groups},
    {"GET", "/api/v1/users/{id}", Right::login, get_user},

    {"POST", "/api/v1/invites", Right::invite, post_invite},
    {"GET", "/api/v1/invites", Right::invite, list_invites},
    {"DELETE", "/api/v1/invites/{id}", Right::invite, delete_invite},

    {"GET", "/api/v1/users", Right::manage_users, list_users},
    {"PUT", "/api/v1/users/{id}/group", Right::manage_users, put_user_group},
    {"POST", "/api/v1/users/{id}/disable", Right::manage_users, post_user_disable},
    {"POST", "/api/v1/users/{id}/passkey", Right::manage_users, post_user_passkey},
    {"DELETE", "/api/v1/users/{id}", Right::manage_users, delete_user},

    {"GET", "/api/v1/categories", Right::login, list_categories},
    {"POST", "/api/v1/categories", Right::manage_site, post_category},
    {"PATCH", "/api/v1/categories/{id}", Right::manage_site, patch_category},
    {"GET", "/api/v1/tags", Right::login, list_tags},
    {"POST", "/api/v1/tags", Right::staff, post_tag},
    {"PATCH", "/api/v1/tags/{name}", Right::staff, patch_tag},
    {"DELETE", "/api/v1/tags/{name}", Right::staff, delete_tag},
    {"POST", "/api/v1/tags/{name}/merge", Right::staff, post_tag_merge},
    {"GET", "/api/v1/torrents", Right::login, list_torrents},
    {"POST", "/api/v1/torrents", Right::upload, post_torrent},
    {"GET", "/api/v1/torrents/{id}", Right::login, get_torrent},
    {"PATCH", "/api/v1/torrents/{id}", Right::edit_torrents, patch_torrent},
    {"DELETE", "/api/v1/torrents/{id}", Right::delete_torrents, delete_torrent},
    {"GET", "/api/v1/torrents/{id}/download", Right::download, get_torrent_download},
    {"POST", "/api/v1/torrents/{id}/moderation", Right::moderate, post_torrent_moderation},
    {"PUT", "/api/v1/torrents/{id}/metadata", Right::edit_torrents, put_torrent_metadata},
    {"POST", "/api/v1/torrents/{id}/tags", Right::tag, post_torrent_tag},
    {"POST", "/api/v1/torrents/{id}/tags/{name}/votes", Right::tag, post_torrent_tag_vote},
    {"GET", "/api/v1/moderation/torrents", Right::moderate, list_torrent_queue},
    {"GET", "/api/torznab", Right::none, get_torznab},
    {"GET", "/rss/{key}", Right::none, get_rss},
    {"GET", "/rss/{key}/download/{id}", Right::none, get_rss_download},

    {"GET", "/api/v1/settings", Right::manage_site, list_settings},
    {"PUT", "/api/v1/settings/{key}", Right::manage_site, put_setting},
};

}  // namespace

std::span<const Route> routes() { return kRoutes; }

}  // namespace swarmline::control
