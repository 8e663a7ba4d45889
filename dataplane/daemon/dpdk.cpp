#include "daemon/dpdk.hpp"

#include <pthread.h>
#include <signal.h>

#include "io/dpdk/dpdk_backend.hpp"

namespace swarmline::daemon {

std::string make_dpdk_backend(const io::dpdk::Config& config, const io::BackendSettings& settings, DpdkBackend& out) {
    std::unique_ptr<io::dpdk::DpdkBackend> backend = io::dpdk::make_backend(config, settings);
    const io::dpdk::DpdkBackend* ports = backend.get();
    out.render_metrics = [ports](std::string& text) {
        text += "# HELP swarmline_dpdk_frames_total frames by DPDK worker and what became of them\n"
                "# TYPE swarmline_dpdk_frames_total counter\n";
        for (std::size_t w = 0; w < ports->dpdk_workers(); ++w) {
            for (std::size_t c = 0; c < std::size(io::dpdk::kPortCounterNames); ++c) {
                text += "swarmline_dpdk_frames_total{worker=\"" + std::to_string(w) + "\",event=\"";
                text += io::dpdk::kPortCounterNames[c];
                text += "\"} " + std::to_string(ports->port_counters(w).get(static_cast<io::dpdk::PortCounter>(c))) + "\n";
            }
        }
    };
    out.backend = std::move(backend);
    return {};
}

bool block_tap_signals() noexcept {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGIO);
    for (int sig = SIGRTMIN; sig <= SIGRTMAX; ++sig) sigaddset(&set, sig);
    return pthread_sigmask(SIG_BLOCK, &set, nullptr) == 0;
}

}  // namespace swarmline::daemon
