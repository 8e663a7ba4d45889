#include "daemon_process.hpp"

#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <cstring>

namespace swarmline::test {
namespace {

// The value of `key=` in a logfmt line ("" when absent).
std::string field(std::string_view line, std::string_view key) {
    std::string k = " " + std::string(key) + "=";
    auto at = line.find(k);
    if (at == std::string_view::npos) return {};
    auto v = line.substr(at + k.size());
    return std::string(v.substr(0, v.find(' ')));
}

std::vector<io::net::Address> addresses(const std::string& list) {
    std::vector<io::net::Address> out;
    std::string_view s = list;
    while (!s.empty()) {
        auto comma = s.find(',');
        io::net::Address a;
        if (!io::net::parse_address(s.substr(0, comma), a)) out.push_back(a);
        if (comma == std::string_view::npos) break;
        s.remove_prefix(comma + 1);
    }
    return out;
}

}  // namespace

std::string dataplane_path() {
    const char* p = std::getenv("SWARMLINE_DATAPLANE");
    return p ? p : "swarmline-dataplane";
}

ScratchShm::ScratchShm() {
    static std::atomic<int> n{0};
    path_ = "/dev/shm/swarmline-test-" + std::to_string(::getpid()) + "-" + std::to_string(n.fetch_add(1));
}

ScratchShm::~ScratchShm() { ::unlink(path_.c_str()); }

std::string DaemonProcess::start(const std::vector<std::string>& args, const std::string& shm) {
    std::vector<std::string> argv{dataplane_path()};
    argv.insert(argv.end(), args.begin(), args.end());
    if (!shm.empty()) {
        argv.emplace_back("--shm");
        argv.push_back(shm);
    }
    if (auto err = child_.start(argv); !err.empty()) return err;
    if (!wait_for_log("msg=ready")) return "the daemon did not get ready; its log:\n" + log();
    const std::string& out = log();
    auto at = out.find("msg=ready");
    std::string_view line(out.data() + at, out.size() - at);
    line = line.substr(0, line.find('\n'));
    std::string full = " " + std::string(line);
    udp = addresses(field(full, "udp"));
    http = addresses(field(full, "http"));
    auto admins = addresses(field(full, "admin"));
    if (!admins.empty()) admin = admins.front();
    return {};
}

std::string http_get(const io::net::Address& to, std::string_view path) {
    int fd = ::socket(to.storage.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return {};
    timeval tv{5, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    std::string out;
    if (::connect(fd, to.sa(), to.length) == 0) {
        std::string req = "GET " + std::string(path) + " HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n";
        if (::send(fd, req.data(), req.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(req.size())) {
            char buf[8192];
            ssize_t n;
            while ((n = ::recv(fd, buf, sizeof buf, 0)) > 0) out.append(buf, static_cast<std::size_t>(n));
        }
    }
    ::close(fd);
    return out;
}

}  // namespace swarmline::test
