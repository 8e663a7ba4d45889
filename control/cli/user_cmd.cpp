// `swarmline-control user add|set-group|disable|passkey-reset`: account administration without the
// web UI. `user add` generates the password when none is given and prints it (and the passkey)
// once: the run script creates the first administrator this way.
#include <iostream>
#include <string_view>

#include "auth/secrets.hpp"
#include "cli/commands.hpp"
#include "services/accounts.hpp"
#include "services/admin_command.hpp"

namespace swarmline::control {

namespace {

AdminResult describe(std::string summary, const UserRef& u) {
    return {std::move(summary),
            {{"id", u.id},
             {"tracker_id", std::to_string(u.tracker_id)},
             {"username", u.username},
             {"email", u.email},
             {"group", u.group_name},
             {"status", u.status},
             {"passkey", u.passkey}}};
}

int usage() {
    std::cerr << "usage: swarmline-control user add --username NAME --email ADDRESS [--password P] [--group G]\n"
                 "       swarmline-control user set-group --user NAME|ID --group G\n"
                 "       swarmline-control user disable --user NAME|ID [--reason TEXT]\n"
                 "       swarmline-control user passkey-reset --user NAME|ID\n"
                 "options common to all: --database-url URL (default $DATABASE_URL), --json\n";
    return 2;
}

}  // namespace

int cmd_user(int argc, char** argv) {
    if (argc < 2) return usage();
    const std::string_view action = argv[1];
    options::Registry r("control");
    std::string user, group, reason = "disabled by an operator";
    if (action == "add") {
        NewUser nu;
        r.add("username", "the new account's name (2-32 of A-Z a-z 0-9 _ . -)", &nu.username);
        r.add("email", "the new account's e-mail address", &nu.email);
        r.add("password", "its password (default: a generated one, printed once)", &nu.password);
        r.add("group", "its group, by name, slug or id (default: the default group)", &nu.group);
        return run_admin_command("user add", argc, argv, 2, r, [&](PgConn& db) {
            const bool generated = nu.password.empty();
            if (generated) nu.password = auth::new_passkey().substr(0, 24);
            auto result = describe("created user " + nu.username, create_user(db, nu));
            if (generated) result.fields.emplace_back("password", nu.password);
            return result;
        });
    }
    r.add("user", "the account, by username or id", &user);
    if (action == "set-group") {
        r.add("group", "the new group, by name, slug or id", &group);
        return run_admin_command("user set-group", argc, argv, 2, r, [&](PgConn& db) {
            const auto u = set_group(db, user, group);
            return describe("moved " + u.username + " to group " + u.group_name, u);
        });
    }
    if (action == "disable") {
        r.add("reason", "why (stored with the account)", &reason);
        return run_admin_command("user disable", argc, argv, 2, r, [&](PgConn& db) {
            const auto u = disable_user(db, user, reason);
            return describe("disabled " + u.username + " and revoked its sessions", u);
        });
    }
    if (action == "passkey-reset") {
        return run_admin_command("user passkey-reset", argc, argv, 2, r, [&](PgConn& db) {
            const auto u = reset_passkey(db, user);
            return describe("issued a new passkey to " + u.username, u);
        });
    }
    return usage();
}

}  // namespace swarmline::control
