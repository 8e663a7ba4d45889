#include <iostream>

#include "cli/commands.hpp"

namespace swarmline::control {

int cmd_invite(int, char**) {
    std::cerr << "swarmline-control invite: not built yet\n";
    return 1;
}

}  // namespace swarmline::control
