#include "daemon/dpdk.hpp"

namespace swarmline::daemon {

std::string make_dpdk_backend(const io::dpdk::Config&, const io::BackendSettings&, DpdkBackend&) {
    return "backend dpdk: this build has no DPDK (libdpdk was not found, or a sanitizer build)";
}

bool block_tap_signals() noexcept { return true; }

}  // namespace swarmline::daemon
