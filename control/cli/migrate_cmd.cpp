#include <iostream>

#include "cli/commands.hpp"

namespace swarmline::control {

int cmd_migrate(int, char**) {
    std::cerr << "swarmline-control migrate: not built yet\n";
    return 1;
}

}  // namespace swarmline::control
