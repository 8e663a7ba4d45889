#include "daemon_process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
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

std::string DaemonProcess::fresh_shm_path() {
    static std::atomic<int> n{0};
    return "/dev/shm/swarmline-test-" + std::to_string(::getpid()) + "-" + std::to_string(n.fetch_add(1));
}

DaemonProcess::~DaemonProcess() {
    if (pid_ > 0) stop(SIGKILL);
    if (out_fd_ >= 0) ::close(out_fd_);
}

std::string DaemonProcess::start(const std::vector<std::string>& args, const std::string& shm) {
    int pipefd[2];
    if (::pipe2(pipefd, O_CLOEXEC) != 0) return "pipe failed";
    std::vector<std::string> argv_s{dataplane_path()};
    argv_s.insert(argv_s.end(), args.begin(), args.end());
    if (!shm.empty()) {
        argv_s.emplace_back("--shm");
        argv_s.push_back(shm);
    }
    std::vector<char*> argv;
    for (auto& a : argv_s) argv.push_back(a.data());
    argv.push_back(nullptr);
    pid_ = ::fork();
    if (pid_ == 0) {
        ::dup2(pipefd[1], 2);
        ::dup2(pipefd[1], 1);
        ::execv(argv[0], argv.data());
        _exit(127);
    }
    ::close(pipefd[1]);
    if (out_fd_ >= 0) ::close(out_fd_);
    out_fd_ = pipefd[0];
    log_.clear();
    if (!wait_for_log("msg=ready")) return "the daemon did not get ready; its log:\n" + log_;
    auto at = log_.find("msg=ready");
    std::string_view line(log_.data() + at, log_.size() - at);
    line = line.substr(0, line.find('\n'));
    std::string full = " " + std::string(line);
    udp = addresses(field(full, "udp"));
    http = addresses(field(full, "http"));
    auto admins = addresses(field(full, "admin"));
    if (!admins.empty()) admin = admins.front();
    return {};
}

bool DaemonProcess::read_some(int timeout_ms) {
    pollfd p{out_fd_, POLLIN, 0};
    if (::poll(&p, 1, timeout_ms) <= 0) return true;
    char buf[4096];
    ssize_t n = ::read(out_fd_, buf, sizeof buf);
    if (n <= 0) return false;  // the process closed its output: it exited
    log_.append(buf, static_cast<std::size_t>(n));
    return true;
}

bool DaemonProcess::wait_for_log(std::string_view needle, std::chrono::seconds limit) {
    auto deadline = std::chrono::steady_clock::now() + limit;
    while (log_.find(needle) == std::string::npos) {
        if (std::chrono::steady_clock::now() > deadline) return false;
        if (!read_some(100)) return log_.find(needle) != std::string::npos;
    }
    return true;
}

void DaemonProcess::signal(int sig) const {
    if (pid_ > 0) ::kill(pid_, sig);
}

int DaemonProcess::stop(int sig) {
    if (pid_ <= 0) return -1;
    ::kill(pid_, sig);
    // Keep reading its log so it never blocks on a full pipe while draining.
    while (read_some(100)) {
    }
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
    return status;
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
