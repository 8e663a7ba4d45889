// A real `swarmline-control serve` for a test: started on a free port (listen 127.0.0.1:0) against
// the test's database, waited for until it logs that it is serving (which names the port), its log
// kept for assertions. Stopped with SIGTERM by stop(), or killed when the object goes away.
// (tests/dataplane's DaemonProcess does the same for the dataplane; both belong in tests/support.)
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace swarmline::control::test {

class ServeProcess {
public:
    ServeProcess() = default;
    ~ServeProcess();
    ServeProcess(const ServeProcess&) = delete;
    ServeProcess& operator=(const ServeProcess&) = delete;

    // SWARMLINE_CONTROL_BIN serve --database-url URL --listen 127.0.0.1:0 ARGS...; "" once it serves,
    // else what went wrong with its log so far.
    [[nodiscard]] std::string start(const std::string& database_url, const std::vector<std::string>& args);
    // True once a log line containing `needle` appeared; false when the limit passed or it exited.
    bool wait_for_log(std::string_view needle, std::chrono::seconds limit = std::chrono::seconds(60));
    // SIGTERM and wait; the exit status as waitpid gives it, -1 when it was not running.
    int stop();
    // One GET on the server's port; the response body ("" on failure).
    std::string get(const std::string& target) const;

    std::uint16_t port() const noexcept { return port_; }
    const std::string& log() const noexcept { return log_; }

private:
    bool read_some(int timeout_ms);
    pid_t pid_ = -1;
    int out_fd_ = -1;
    std::uint16_t port_ = 0;
    std::string log_;
};

}  // namespace swarmline::control::test
