#include <iostream>
#include <string_view>

#include "swarmline_version.hpp"

int main(int argc, char** argv) {
    for (int i = 1; i < argc; ++i) {
        std::string_view a = argv[i];
        if (a == "--version") {
            std::cout << "swarmline-loadgen " << SWARMLINE_VERSION << "\n";
            return 0;
        }
        if (a == "--help") {
            std::cout << "usage: swarmline-loadgen [options]\n";
            return 0;
        }
    }
    return 0;
}
