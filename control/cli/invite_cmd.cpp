// `swarmline-control invite create`: an invite from the site (or on behalf of a member), printing
// the code once; only its SHA-256 is stored.
#include <iostream>
#include <string_view>

#include "cli/commands.hpp"
#include "services/accounts.hpp"
#include "services/admin_command.hpp"

namespace swarmline::control {

int cmd_invite(int argc, char** argv) {
    if (argc < 2 || std::string_view(argv[1]) != "create") {
        std::cerr << "usage: swarmline-control invite create --email ADDRESS [--days N] [--inviter NAME|ID] "
                     "[--message TEXT] [--database-url URL] [--json]\n";
        return 2;
    }
    options::Registry r("control");
    std::string email, inviter, message;
    std::uint32_t days = 0;
    r.add("email", "the address the invite is for", &email);
    r.add("days", "days the invite stays valid (default: the site setting invites.expiry_days)", &days);
    r.add("inviter", "the member it is issued for, by username or id (default: the site itself)", &inviter);
    r.add("message", "a note shown with the invite", &message);
    return run_admin_command("invite create", argc, argv, 2, r, [&](PgConn& db) {
        std::optional<std::string> inviter_id;
        if (!inviter.empty()) inviter_id = find_user(db, inviter).id;
        const auto inv = create_invite(db, inviter_id, email, days,
                                       message.empty() ? std::nullopt : std::optional<std::string>(message), true);
        return AdminResult{"created an invite for " + inv.email,
                           {{"id", inv.id}, {"code", inv.code}, {"email", inv.email}, {"expires_at", inv.expires_at}}};
    });
}

}  // namespace swarmline::control
