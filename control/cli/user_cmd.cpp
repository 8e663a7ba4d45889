#include <iostream>

#include "cli/commands.hpp"

namespace swarmline::control {

int cmd_user(int, char**) {
    std::cerr << "swarmline-control user: not built yet\n";
    return 1;
}

}  // namespace swarmline::control
