// The DPDK backend behind io/backend.hpp: EAL and the devices come up in open(), one pinned
// polling thread per DPDK worker runs a Loop (loop.hpp) in start(). It serves the UDP endpoints
// itself. The HTTP endpoints are the kernel's, on the exception interface that open() gave our
// addresses: the last `dpdk-http-workers` workers run io_uring loops there (io/uring/loop.hpp).
// They own no shard, so every announce they take is handed to the DPDK worker owning its swarm,
// and that worker wakes them through their rings when the reply is ready (ring_waker.hpp).
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
    // The DPDK workers (the first ones; the HTTP workers follow).
    [[nodiscard]] virtual std::size_t dpdk_workers() const noexcept = 0;
    // The counters of DPDK worker `i`'s loop (valid after start, for /metrics).
    [[nodiscard]] virtual const PortCounters& port_counters(std::size_t i) const noexcept = 0;
};

// `settings.cores` gives every worker's core: the DPDK workers first (workers 0..N-1, the shards'
// owners), then the config's http_workers HTTP workers.
[[nodiscard]] std::unique_ptr<DpdkBackend> make_backend(const Config& config, const BackendSettings& settings);

}  // namespace swarmline::io::dpdk
