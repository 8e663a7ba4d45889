// What both ceiling responders start with: their two options (the address to answer on, and
// --duration), --version and --help, and the ready line that names the port bound.
#pragma once

#include <sys/socket.h>

#include <cstdint>
#include <string>
#include <string_view>

namespace swarmline::loadgen {

struct CeilingArgs {
    std::string listen = "127.0.0.1:6969";
    std::uint32_t duration_s = 600;
    sockaddr_storage addr{};  // `listen` parsed: IP:PORT or [IPv6]:PORT
    socklen_t addr_len = 0;
};

// Parses the command line of swarmline-`protocol`-ceiling (`protocol`: "udp" or "http", also the
// name of its address option). Returns -1 when the responder should run, else its exit status.
[[nodiscard]] int parse_ceiling_args(std::string_view protocol, int argc, char** argv, CeilingArgs& out);

// Logs "msg=ready <protocol>=IP:PORT" with the port `fd` is bound to (port 0 asks for a free one).
void log_ready(std::string_view protocol, const CeilingArgs& args, int fd);

}  // namespace swarmline::loadgen
