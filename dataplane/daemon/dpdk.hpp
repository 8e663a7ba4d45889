// The DPDK backend as the daemon runs it. dpdk.cpp is built where the root found libdpdk;
// no_dpdk.cpp elsewhere, and then --backend dpdk fails at start with the reason.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "io/backend.hpp"
#include "io/dpdk/config.hpp"

namespace swarmline::daemon {

struct DpdkBackend {
    std::unique_ptr<io::Backend> backend;
    // Appends the DPDK workers' port counters (frames in and out, ARP/ND/echo answered, frames to
    // and from the kernel) to a /metrics body.
    std::function<void(std::string&)> render_metrics;
};

// Empty on success, else why there is no DPDK backend.
[[nodiscard]] std::string make_dpdk_backend(const io::dpdk::Config& config, const io::BackendSettings& settings,
                                            DpdkBackend& out);

// Blocks net_tap's signals (SIGIO, SIGRTMIN..SIGRTMAX) in the calling thread, and so in every
// thread it starts: only the DPDK workers, which unblock them, take them (io/dpdk/dpdk_backend.hpp).
// False on failure.
bool block_tap_signals() noexcept;

}  // namespace swarmline::daemon
