// The rights a route can require, one per boolean column of user_groups, plus `none` (public) and
// `login` (any signed-in account whose group has can_login). The tables below are the only place
// that names the columns: the principal loader builds its SELECT from them, and the route table
// declares one Right per route.
#pragma once

#include <bitset>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace swarmline::auth {

enum class Right : std::uint8_t {
    none,  // public: no account needed
    login,
    download,
    upload,
    request,
    comment,
    use_forums,
    chat,
    send_pm,
    invite,
    tag,
    create_collections,
    use_freeleech_tokens,
    view_peer_ips,
    moderate,
    edit_torrents,
    delete_torrents,
    manage_users,
    manage_groups,
    manage_site,
    staff,
    admin,
};
inline constexpr std::size_t kRightCount = static_cast<std::size_t>(Right::admin) + 1;

using RightSet = std::bitset<kRightCount>;

struct RightColumn {
    Right right;
    std::string_view column;
};

// user_groups columns, in the order the principal query selects them.
inline constexpr RightColumn kGroupRightColumns[] = {
    {Right::login, "can_login"},
    {Right::download, "can_download"},
    {Right::upload, "can_upload"},
    {Right::request, "can_request"},
    {Right::comment, "can_comment"},
    {Right::use_forums, "can_use_forums"},
    {Right::chat, "can_chat"},
    {Right::send_pm, "can_send_pm"},
    {Right::invite, "can_invite"},
    {Right::tag, "can_tag"},
    {Right::create_collections, "can_create_collections"},
    {Right::use_freeleech_tokens, "can_use_freeleech_tokens"},
    {Right::view_peer_ips, "can_view_peer_ips"},
    {Right::moderate, "can_moderate"},
    {Right::edit_torrents, "can_edit_torrents"},
    {Right::delete_torrents, "can_delete_torrents"},
    {Right::manage_users, "can_manage_users"},
    {Right::manage_groups, "can_manage_groups"},
    {Right::manage_site, "can_manage_site"},
    {Right::staff, "is_staff"},
    {Right::admin, "is_admin"},
};

// users columns that take a right away from one account even when its group grants it.
inline constexpr RightColumn kUserRestrictionColumns[] = {
    {Right::download, "can_download"}, {Right::upload, "can_upload"}, {Right::invite, "can_invite"},
    {Right::comment, "can_comment"},   {Right::chat, "can_chat"},     {Right::request, "can_request"},
};

// The name used in the API's error messages and openapi.yaml (`x-right`): the user_groups column
// ("can_login" for `login`), or "none".
std::string_view right_name(Right r) noexcept;
std::optional<Right> right_from_name(std::string_view name) noexcept;

}  // namespace swarmline::auth
