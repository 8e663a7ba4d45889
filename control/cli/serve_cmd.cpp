#include <iostream>

#include "cli/commands.hpp"

namespace swarmline::control {

int cmd_serve(int, char**) {
    std::cerr << "swarmline-control serve: not built yet\n";
    return 1;
}

}  // namespace swarmline::control
