// A real swarmline-dataplane for a test: started with the test's arguments on free ports (port 0)
// and its own shared-memory segment, waited for until it logs `msg=ready`, whose fields say what
// it bound. The log (stdout and stderr) is kept for assertions and printed when a test fails.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "io/net/address.hpp"
#include "support/child_process.hpp"

namespace swarmline::test {

// A segment path under /dev/shm for one test, unique to this process, unlinked when the owner goes
// away however the daemon ended: the daemon keeps its segment on exit (peers outlive a restart), a
// segment is prefaulted tmpfs of up to hundreds of MB, and a CI run starts hundreds of daemons.
class ScratchShm {
public:
    ScratchShm();
    ~ScratchShm();
    ScratchShm(const ScratchShm&) = delete;
    ScratchShm& operator=(const ScratchShm&) = delete;
    [[nodiscard]] const std::string& path() const noexcept { return path_; }

private:
    std::string path_;
};

class DaemonProcess {
public:
    // Starts the daemon with `args` (plus --shm when `shm` is non-empty) and waits for `ready`.
    // Empty on success, else what went wrong with the log so far.
    [[nodiscard]] std::string start(const std::vector<std::string>& args, const std::string& shm);

    // Waits until a log line containing `needle` appears (or the process exits); true when it did.
    bool wait_for_log(std::string_view needle, std::chrono::seconds limit = std::chrono::seconds(20)) {
        return child_.wait_for_log(needle, limit);
    }
    // Sends `sig` and waits for the exit; returns the wait status (or -1).
    int stop(int sig) { return child_.stop(sig); }
    void signal(int sig) const { child_.signal(sig); }
    [[nodiscard]] bool running() const noexcept { return child_.running(); }
    [[nodiscard]] const std::string& log() const noexcept { return child_.log(); }

    std::vector<io::net::Address> udp;
    std::vector<io::net::Address> http;
    io::net::Address admin;

private:
    ChildProcess child_;
};

// The path of the built daemon (meson passes it in the environment).
std::string dataplane_path();

// Sends a GET to the admin listener and returns the whole response ("" on failure).
std::string http_get(const io::net::Address& to, std::string_view path);

}  // namespace swarmline::test
