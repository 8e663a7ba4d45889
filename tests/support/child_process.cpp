#include "support/child_process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

namespace swarmline::test {

ChildProcess::~ChildProcess() {
    if (pid_ > 0) stop(SIGKILL);
    if (out_fd_ >= 0) ::close(out_fd_);
}

std::string ChildProcess::start(const std::vector<std::string>& argv_in) {
    if (argv_in.empty()) return "nothing to run";
    int pipefd[2];
    if (::pipe2(pipefd, O_CLOEXEC) != 0) return "pipe failed";
    std::vector<std::string> args = argv_in;
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    pid_ = ::fork();
    if (pid_ < 0) {
        ::close(pipefd[0]);
        ::close(pipefd[1]);
        return "fork failed";
    }
    if (pid_ == 0) {
        ::dup2(pipefd[1], 1);
        ::dup2(pipefd[1], 2);
        ::execv(argv[0], argv.data());
        _exit(127);
    }
    ::close(pipefd[1]);
    if (out_fd_ >= 0) ::close(out_fd_);
    out_fd_ = pipefd[0];
    log_.clear();
    return "";
}

bool ChildProcess::read_some(int timeout_ms) {
    pollfd p{out_fd_, POLLIN, 0};
    if (::poll(&p, 1, timeout_ms) <= 0) return true;
    char buf[4096];
    const ssize_t n = ::read(out_fd_, buf, sizeof buf);
    if (n <= 0) return false;  // the child closed its output: it exited
    log_.append(buf, static_cast<std::size_t>(n));
    return true;
}

bool ChildProcess::wait_for_log(std::string_view needle, std::chrono::seconds limit) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (log_.find(needle) == std::string::npos) {
        if (std::chrono::steady_clock::now() > deadline || !read_some(100))
            return log_.find(needle) != std::string::npos;
    }
    return true;
}

void ChildProcess::signal(int sig) const {
    if (pid_ > 0) ::kill(pid_, sig);
}

int ChildProcess::stop(int sig) {
    if (pid_ <= 0) return -1;
    ::kill(pid_, sig);
    while (read_some(100)) {
    }
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
    return status;
}

}  // namespace swarmline::test
