#include "serve_process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cstdlib>

namespace swarmline::control::test {

namespace bhttp = boost::beast::http;

ServeProcess::~ServeProcess() {
    if (pid_ > 0) {
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, nullptr, 0);
    }
    if (out_fd_ >= 0) ::close(out_fd_);
}

std::string ServeProcess::start(const std::string& database_url, const std::vector<std::string>& args) {
    const char* bin = std::getenv("SWARMLINE_CONTROL_BIN");
    if (!bin) return "SWARMLINE_CONTROL_BIN is unset (meson test sets it)";
    int pipefd[2];
    if (::pipe2(pipefd, O_CLOEXEC) != 0) return "pipe failed";
    std::vector<std::string> argv_s{bin, "serve", "--database-url", database_url, "--listen", "127.0.0.1:0"};
    argv_s.insert(argv_s.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& a : argv_s) argv.push_back(a.data());
    argv.push_back(nullptr);
    pid_ = ::fork();
    if (pid_ == 0) {
        ::dup2(pipefd[1], 2);
        ::execv(argv[0], argv.data());
        _exit(127);
    }
    ::close(pipefd[1]);
    out_fd_ = pipefd[0];
    constexpr std::string_view kServing = "swarmline-control serving";
    if (!wait_for_log(kServing)) return "serve did not start; its log:\n" + log_;
    // ... msg="swarmline-control serving" version=... listen=127.0.0.1:PORT ...
    const auto at = log_.find(" listen=127.0.0.1:", log_.find(kServing));
    if (at == std::string::npos) return "serve did not say its port; its log:\n" + log_;
    port_ = static_cast<std::uint16_t>(std::strtoul(log_.c_str() + at + 18, nullptr, 10));
    return "";
}

bool ServeProcess::read_some(int timeout_ms) {
    pollfd p{out_fd_, POLLIN, 0};
    if (::poll(&p, 1, timeout_ms) <= 0) return true;
    char buf[4096];
    const ssize_t n = ::read(out_fd_, buf, sizeof buf);
    if (n <= 0) return false;  // it closed its stderr: it exited
    log_.append(buf, static_cast<std::size_t>(n));
    return true;
}

bool ServeProcess::wait_for_log(std::string_view needle, std::chrono::seconds limit) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (log_.find(needle) == std::string::npos) {
        if (std::chrono::steady_clock::now() > deadline || !read_some(100)) return log_.find(needle) != std::string::npos;
    }
    return true;
}

int ServeProcess::stop() {
    if (pid_ <= 0) return -1;
    ::kill(pid_, SIGTERM);
    while (read_some(100)) {
    }
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
    return status;
}

std::string ServeProcess::get(const std::string& target) const {
    try {
        boost::asio::io_context io;
        boost::beast::tcp_stream stream(io);
        stream.connect(boost::asio::ip::tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), port_));
        bhttp::request<bhttp::empty_body> req{bhttp::verb::get, target, 11};
        req.set(bhttp::field::host, "127.0.0.1");
        bhttp::write(stream, req);
        boost::beast::flat_buffer buf;
        bhttp::response<bhttp::string_body> res;
        bhttp::read(stream, buf, res);
        return res.body();
    } catch (const std::exception&) {
        return "";
    }
}

}  // namespace swarmline::control::test
