// swarmline-udp-ceiling: the kernel-path ceiling of this machine. It answers every BEP 15 datagram
// with the smallest valid reply (a fixed connection id, announces with no peers, scrapes of zeros)
// and keeps no state, so what it sustains on one core is what the kernel's UDP path allows: no
// tracker on the same path can answer faster. Batched with recvmmsg/sendmmsg, as a tracker would.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <iostream>
#include <string>

#include "base/log.hpp"
#include "base/options.hpp"
#include "pacer.hpp"
#include "proto/byte_io.hpp"
#include "proto/udp.hpp"
#include "swarmline_version.hpp"

namespace sl = swarmline;
namespace udp = swarmline::proto::udp;

namespace {

constexpr unsigned kBatch = 32;
// Requests are at most 1496 bytes (a scrape of 74 hashes); replies at most 16 + 74 * 12 = 904.
constexpr std::size_t kBuf = 2048;

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

// The reply to one request, or 0 for a datagram that is not BEP 15.
std::size_t answer(std::span<const std::uint8_t> req, std::span<std::uint8_t> out) {
    sl::proto::ByteReader r(req);
    std::uint64_t connection_id = 0;
    std::uint32_t action = 0, tid = 0;
    if (!r.read_u64(connection_id) || !r.read_u32(action) || !r.read_u32(tid)) return 0;
    switch (static_cast<udp::Action>(action)) {
        case udp::Action::connect: return udp::write_connect(out, tid, 0x5357'4152'4d4c'494eULL);
        case udp::Action::announce: return udp::write_announce(out, tid, 1800, 0, 0, {});
        case udp::Action::scrape: {
            static const std::array<udp::ScrapeEntry, sl::proto::kMaxScrapeHashes> zeros{};
            const std::size_t n = r.remaining() / 20;
            return udp::write_scrape(out, tid, std::span(zeros.data(), n < zeros.size() ? n : zeros.size()));
        }
        case udp::Action::error: break;
    }
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    std::string listen = "127.0.0.1:6969";
    std::uint32_t duration_s = 600;
    sl::options::Registry registry("udp-ceiling");
    registry.add("udp", "address to answer on (IP:PORT, [IPv6]:PORT; port 0: a free one, named in the ready line)", &listen);
    registry.add("duration", "seconds after which it exits by itself", &duration_s);
    for (int i = 1; i < argc; ++i) {
        const std::string_view a = argv[i];
        if (a == "--version") {
            std::cout << "swarmline-udp-ceiling " << SWARMLINE_VERSION << "\n";
            return 0;
        }
        if (a == "--help") {
            std::cout << "usage: swarmline-udp-ceiling [options]\n";
            registry.print_help(std::cout);
            return 0;
        }
    }
    if (auto err = registry.parse_args(argc, argv, 1, nullptr); !err.empty()) {
        sl::log::error("bad arguments", {{"reason", err}});
        return 2;
    }
    sockaddr_storage addr{};
    socklen_t addr_len = 0;
    if (!parse_addr(listen, addr, addr_len)) {
        sl::log::error("bad --udp address", {{"value", listen}});
        return 2;
    }
    const int fd = ::socket(addr.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    int buf = 4 << 20;
    ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &buf, sizeof buf);
    ::setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &buf, sizeof buf);
    // Wakes up now and then without traffic, to notice the end of --duration.
    const timeval tick{0, 200'000};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tick, sizeof tick);
    if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&addr), addr_len) != 0) {
        sl::log::error("cannot bind", {{"udp", listen}, {"reason", std::strerror(errno)}});
        return 1;
    }
    // Port 0 asks the kernel for a free port: the ready line names the one bound.
    sockaddr_storage bound{};
    socklen_t bound_len = sizeof bound;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &bound_len);
    const std::uint16_t port = ntohs(bound.ss_family == AF_INET6 ? reinterpret_cast<sockaddr_in6*>(&bound)->sin6_port
                                                                 : reinterpret_cast<sockaddr_in*>(&bound)->sin_port);
    sl::log::info("ready", {{"udp", listen.substr(0, listen.rfind(':') + 1) + std::to_string(port)}});

    static std::array<std::array<std::uint8_t, kBuf>, kBatch> in, out;
    std::array<sockaddr_storage, kBatch> peers;
    std::array<iovec, kBatch> in_iov, out_iov;
    std::array<mmsghdr, kBatch> in_msgs{}, out_msgs{};
    const std::uint64_t end = sl::loadgen::now_ns() + std::uint64_t{duration_s} * 1'000'000'000u;
    while (sl::loadgen::now_ns() < end) {
        for (unsigned i = 0; i < kBatch; ++i) {
            in_iov[i] = {in[i].data(), in[i].size()};
            in_msgs[i].msg_hdr = {};
            in_msgs[i].msg_hdr.msg_iov = &in_iov[i];
            in_msgs[i].msg_hdr.msg_iovlen = 1;
            in_msgs[i].msg_hdr.msg_name = &peers[i];
            in_msgs[i].msg_hdr.msg_namelen = sizeof peers[i];
        }
        const int n = ::recvmmsg(fd, in_msgs.data(), kBatch, MSG_WAITFORONE, nullptr);
        if (n <= 0) continue;
        unsigned replies = 0;
        for (int i = 0; i < n; ++i) {
            const std::size_t len = answer(std::span(in[i].data(), in_msgs[i].msg_len), out[replies]);
            if (len == 0) continue;
            out_iov[replies] = {out[replies].data(), len};
            out_msgs[replies].msg_hdr = {};
            out_msgs[replies].msg_hdr.msg_iov = &out_iov[replies];
            out_msgs[replies].msg_hdr.msg_iovlen = 1;
            out_msgs[replies].msg_hdr.msg_name = &peers[i];
            out_msgs[replies].msg_hdr.msg_namelen = in_msgs[i].msg_hdr.msg_namelen;
            ++replies;
        }
        if (replies > 0) ::sendmmsg(fd, out_msgs.data(), replies, 0);
    }
    ::close(fd);
    return 0;
}
