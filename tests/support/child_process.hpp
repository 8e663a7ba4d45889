// A daemon under test as a child process: its stdout and stderr collected through one pipe (read
// while waiting, so the child never blocks on a full pipe) and kept for assertions; killed and reaped
// when the object goes away. tests/dataplane's DaemonProcess and tests/torrents' ServeProcess add
// what their daemon's ready line says.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

namespace swarmline::test {

class ChildProcess {
public:
    ChildProcess() = default;
    ~ChildProcess();
    ChildProcess(const ChildProcess&) = delete;
    ChildProcess& operator=(const ChildProcess&) = delete;

    // Runs argv[0] with argv; "" when it was started, else why not. The log starts empty.
    [[nodiscard]] std::string start(const std::vector<std::string>& argv);
    // True once a line containing `needle` was logged; false when the limit passed or the child
    // exited without logging it.
    bool wait_for_log(std::string_view needle, std::chrono::seconds limit);
    void signal(int sig) const;
    // Sends `sig`, reads the log to its end and reaps the child: the wait status, -1 when none runs.
    int stop(int sig);
    [[nodiscard]] bool running() const noexcept { return pid_ > 0; }
    [[nodiscard]] const std::string& log() const noexcept { return log_; }

private:
    bool read_some(int timeout_ms);
    pid_t pid_ = -1;
    int out_fd_ = -1;
    std::string log_;
};

}  // namespace swarmline::test
