// Account operations shared by the API handlers and the admin CLI. Each writes the users row
// itself, so the sync's triggers on users (passkey, group, status) fire and the tracker learns of
// the change. Errors are ApiErrors: 404 unknown user or group, 409 duplicate, 422 invalid field.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "services/pg_pool.hpp"

namespace swarmline::control {

struct NewUser {
    std::string username;
    std::string email;
    std::string password;
    std::string group;               // name, slug or id; empty: the default group
    std::string status = "active";   // "unconfirmed" until the e-mail is verified
    std::optional<std::string> invited_by;
    std::optional<std::string> registration_ip;
};

struct UserRef {
    std::string id;
    std::int64_t tracker_id = 0;
    std::string username;
    std::string email;
    std::string status;
    std::string group_name;
    std::string passkey;
};

// Checks the fields a member chooses (the database checks them again).
void validate_username(const std::string& username);
void validate_email(const std::string& email);
void validate_password(const std::string& password);

UserRef create_user(PgConn& db, const NewUser& user);
// A live (not deleted) account by UUID or username, case-insensitive; ApiError 404 when none.
UserRef find_user(PgConn& db, const std::string& id_or_username);
// Returns the account after the change.
UserRef set_group(PgConn& db, const std::string& id_or_username, const std::string& group);
UserRef disable_user(PgConn& db, const std::string& id_or_username, const std::string& reason);
UserRef reset_passkey(PgConn& db, const std::string& id_or_username);
// Soft delete: the row stays (history, invite tree), the account can no longer sign in or announce,
// and its sessions and API tokens are revoked.
UserRef soft_delete_user(PgConn& db, const std::string& id_or_username, const std::optional<std::string>& by,
                         const std::string& reason);
// Revokes every session of the account; returns how many were live.
std::int64_t revoke_all_sessions(PgConn& db, const std::string& user_id, const std::string& reason);

struct Invite {
    std::string id;
    std::string code;  // shown once: only its SHA-256 is stored
    std::string email;
    std::string expires_at;
};
// An invite from `inviter` (nullopt: from the site, the admin CLI); valid `days` days, or the
// site setting invites.expiry_days when 0. A member's invite uses one of users.invites_available
// unless `unlimited`.
Invite create_invite(PgConn& db, const std::optional<std::string>& inviter, const std::string& email,
                     std::uint32_t days, const std::optional<std::string>& message, bool unlimited);

// A site setting's JSON value as text (strings without their quotes); nullopt when unset.
std::optional<std::string> site_setting(PgConn& db, const std::string& key);

}  // namespace swarmline::control
