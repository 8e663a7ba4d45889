// The DPDK backend behind io/backend.hpp: EAL and the devices come up in open(), one pinned
// polling thread per worker runs a Loop (loop.hpp) in start(). It serves the UDP endpoints
// itself; the HTTP endpoints are the kernel's, on the exception interface that open() gave our
// addresses, where the io_uring backend listens (see hugepages/README.md, "Running with DPDK").
//
// The program should block SIGIO and SIGRTMIN..SIGRTMAX in its threads before open(): net_tap
// signals the process for every frame the kernel writes to the exception interface, and the DPDK
// workers (which unblock them) are the threads meant to take those signals.
#pragma once

#include <memory>

#include "io/backend.hpp"
#include "io/dpdk/config.hpp"
#include "io/dpdk/loop.hpp"

namespace swarmline::io::dpdk {

class DpdkBackend : public Backend {
public:
    // The counters of worker `i`'s loop (valid after start, for /metrics).
    [[nodiscard]] virtual const PortCounters& port_counters(std::size_t i) const noexcept = 0;
};

// `settings.cores` gives the number of workers and their cores, as for io_uring.
[[nodiscard]] std::unique_ptr<DpdkBackend> make_backend(const Config& config, const BackendSettings& settings);

}  // namespace swarmline::io::dpdk
