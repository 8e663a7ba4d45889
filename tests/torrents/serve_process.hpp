// A real `swarmline-control serve` for a test: started on a free port (listen 127.0.0.1:0) against
// the test's database, waited for until it logs that it is serving (which names the port), its log
// kept for assertions. Stopped with SIGTERM by stop(), or killed when the object goes away.
#pragma once

#include <signal.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "support/child_process.hpp"

namespace swarmline::control::test {

class ServeProcess {
public:
    // SWARMLINE_CONTROL_BIN serve --database-url URL --listen 127.0.0.1:0 ARGS...; "" once it serves,
    // else what went wrong with its log so far.
    [[nodiscard]] std::string start(const std::string& database_url, const std::vector<std::string>& args);
    // True once a log line containing `needle` appeared; false when the limit passed or it exited.
    bool wait_for_log(std::string_view needle, std::chrono::seconds limit = std::chrono::seconds(60)) {
        return child_.wait_for_log(needle, limit);
    }
    // SIGTERM and wait; the exit status as waitpid gives it, -1 when it was not running.
    int stop() { return child_.stop(SIGTERM); }
    // One GET on the server's port; the response body ("" on failure).
    std::string get(const std::string& target) const;

    std::uint16_t port() const noexcept { return port_; }
    const std::string& log() const noexcept { return child_.log(); }

private:
    swarmline::test::ChildProcess child_;
    std::uint16_t port_ = 0;
};

}  // namespace swarmline::control::test
