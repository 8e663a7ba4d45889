#include "ceiling_args.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <charconv>
#include <iostream>

#include "base/log.hpp"
#include "base/options.hpp"
#include "swarmline_version.hpp"

namespace swarmline::loadgen {
namespace {

bool parse_addr(const std::string& text, sockaddr_storage& out, socklen_t& len) {
    const auto colon = text.rfind(':');
    if (colon == std::string::npos) return false;
    std::uint16_t port = 0;
    const std::string host = text.substr(0, colon);
    const char* p = text.data() + colon + 1;
    if (auto [e, ec] = std::from_chars(p, text.data() + text.size(), port); ec != std::errc{}) return false;
    if (host.size() > 2 && host.front() == '[') {
        auto* a = reinterpret_cast<sockaddr_in6*>(&out);
        a->sin6_family = AF_INET6;
        a->sin6_port = htons(port);
        len = sizeof *a;
        return inet_pton(AF_INET6, host.substr(1, host.size() - 2).c_str(), &a->sin6_addr) == 1;
    }
    auto* a = reinterpret_cast<sockaddr_in*>(&out);
    a->sin_family = AF_INET;
    a->sin_port = htons(port);
    len = sizeof *a;
    return inet_pton(AF_INET, host.c_str(), &a->sin_addr) == 1;
}

}  // namespace

int parse_ceiling_args(std::string_view protocol, int argc, char** argv, CeilingArgs& out) {
    const std::string name = "swarmline-" + std::string(protocol) + "-ceiling";
    options::Registry registry(std::string(protocol) + "-ceiling");
    registry.add(std::string(protocol),
                 "address to answer on (IP:PORT or [IPv6]:PORT; port 0: a free one, named in the ready line)", &out.listen);
    registry.add("duration", "seconds after which it exits by itself", &out.duration_s);
    for (int i = 1; i < argc; ++i) {
        const std::string_view a = argv[i];
        if (a == "--version") {
            std::cout << name << " " << SWARMLINE_VERSION << "\n";
            return 0;
        }
        if (a == "--help") {
            std::cout << "usage: " << name << " [options]\n";
            registry.print_help(std::cout);
            return 0;
        }
    }
    if (auto err = registry.parse_args(argc, argv, 1, nullptr); !err.empty()) {
        log::error("bad arguments", {{"reason", err}});
        return 2;
    }
    if (!parse_addr(out.listen, out.addr, out.addr_len)) {
        log::error("bad address", {{protocol, out.listen}});
        return 2;
    }
    return -1;
}

void log_ready(std::string_view protocol, const CeilingArgs& args, int fd) {
    sockaddr_storage bound{};
    socklen_t bound_len = sizeof bound;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &bound_len);
    const std::uint16_t port = ntohs(bound.ss_family == AF_INET6 ? reinterpret_cast<sockaddr_in6*>(&bound)->sin6_port
                                                                 : reinterpret_cast<sockaddr_in*>(&bound)->sin_port);
    const std::string at = args.listen.substr(0, args.listen.rfind(':') + 1) + std::to_string(port);
    log::info("ready", {{protocol, at}});
}

}  // namespace swarmline::loadgen
