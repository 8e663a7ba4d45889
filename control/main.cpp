#include <cstring>
#include <iostream>
#include <string_view>

#include "cli/commands.hpp"
#include "swarmline_version.hpp"

namespace {

struct Command {
    std::string_view name;
    int (*run)(int, char**);
    std::string_view help;
};

constexpr Command kCommands[] = {
    {"serve", swarmline::control::cmd_serve, "run the control daemon: web API, UI, shm <-> PostgreSQL sync"},
    {"migrate", swarmline::control::cmd_migrate, "run|info|add NAME: the SQLx-compatible migration runner"},
    {"user", swarmline::control::cmd_user, "add|set-group|disable|passkey-reset: manage accounts"},
    {"invite", swarmline::control::cmd_invite, "create: issue an invite"},
    {"torrent", swarmline::control::cmd_torrent, "add FILE: register a .torrent"},
};

void usage(std::ostream& out) {
    out << "usage: swarmline-control [COMMAND] [options]   (COMMAND defaults to serve)\n\ncommands:\n";
    for (const auto& c : kCommands) out << "  " << c.name << std::string(10 - c.name.size(), ' ') << c.help << "\n";
    out << "\n`swarmline-control COMMAND --help` describes a command's options.\n";
}

}  // namespace

int main(int argc, char** argv) {
    if (argc >= 2) {
        std::string_view first = argv[1];
        if (first == "--version") {
            std::cout << "swarmline-control " << SWARMLINE_VERSION << "\n";
            return 0;
        }
        if (first == "--help" || first == "-h") {
            usage(std::cout);
            return 0;
        }
        for (const auto& c : kCommands)
            if (first == c.name) return c.run(argc - 1, argv + 1);
        if (!first.starts_with("--")) {
            std::cerr << "swarmline-control: unknown command '" << first << "'\n";
            usage(std::cerr);
            return 2;
        }
    }
    return swarmline::control::cmd_serve(argc, argv);
}
