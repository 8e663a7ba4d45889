#include <iostream>

#include "cli/commands.hpp"

namespace swarmline::control {

int cmd_torrent(int, char**) {
    std::cerr << "swarmline-control torrent: not built yet\n";
    return 1;
}

}  // namespace swarmline::control
