// swarmline-bench-serve: the dataplane's Workers (open mode) behind one backend, io_uring or DPDK,
// for compare_vdev.sh to put the same load on both through the same veth set-up. It exists because
// swarmline-dataplane does not run the DPDK backend yet (issue 6: HTTP on the exception path needs
// io_uring workers that hand announces to the DPDK workers); once it does, the script should run
// the daemon instead and this file goes.
//
//   swarmline-bench-serve --backend dpdk --udp 10.77.200.1:6969 --cores 0 --dpdk-vdev ... --dpdk-address ...
//
// Logs `msg=ready` when serving; stops on SIGINT/SIGTERM and prints the DPDK port counters.
#include <signal.h>
#include <sodium.h>
#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "base/log.hpp"
#include "base/options.hpp"
#include "io/backend.hpp"
#include "io/dpdk/dpdk_backend.hpp"
#include "io/handoff.hpp"
#include "io/worker.hpp"
#include "shm/segment.hpp"

namespace {

using namespace swarmline;

int run(int argc, char** argv) {
    std::string backend_name = "io_uring";
    std::vector<std::string> udp;
    std::vector<std::string> cores{"0"};
    std::uint32_t peers = 1u << 21;
    io::dpdk::Config dpdk;
    options::Registry registry("serve");
    registry.add("backend", "io_uring or dpdk", &backend_name);
    registry.add("udp", "UDP addresses to serve (IP:PORT)", &udp);
    registry.add("cores", "one core per worker", &cores);
    registry.add("peers", "IPv4 peers the swarms can hold (over all workers)", &peers);
    dpdk.register_options(registry);
    if (auto err = registry.parse_args(argc, argv, 1, nullptr); !err.empty()) {
        std::cerr << "swarmline-bench-serve: " << err << "\n";
        registry.print_help(std::cerr);
        return 2;
    }
    if (sodium_init() < 0) return 1;

    io::BackendSettings settings;
    for (const auto& c : cores) settings.cores.push_back(std::stoi(c));
    const auto workers = static_cast<std::uint32_t>(settings.cores.size());
    io::Endpoints endpoints;
    for (const auto& text : udp) {
        io::net::Address a;
        if (const char* err = io::net::parse_address(text, a)) {
            std::cerr << "udp: " << text << ": " << err << "\n";
            return 2;
        }
        endpoints.udp.push_back(a);
    }

    shm::SegmentSizes sizes = shm::Segment::default_sizes(workers, peers);
    sizes.users = sizes.torrents = sizes.tokens = 1024;
    shm::SegmentLocation where;
    where.name = "swl-bench-serve-" + std::to_string(::getpid());
    auto opened = shm::Segment::open(where, sizes, shm::OpenMode::recreate);
    if (!opened.segment) {
        log::error("segment", {{"error", opened.error}});
        return 1;
    }
    ::unlink(opened.segment->path().c_str());  // the mapping outlives the name: nothing left behind
    io::HandoffRings rings(workers, 256);
    io::WorkerContext context;
    context.segment = opened.segment.get();
    context.rings = &rings;
    context.workers = workers;
    context.open_mode = true;
    randombytes_buf(context.connection_secret.data(), context.connection_secret.size());
    std::vector<std::unique_ptr<io::Worker>> owned;
    std::vector<io::Worker*> ptrs;
    for (std::uint32_t i = 0; i < workers; ++i) {
        owned.push_back(std::make_unique<io::Worker>(context, i));
        ptrs.push_back(owned.back().get());
    }

    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, nullptr);  // before any thread starts, so they inherit it
    // net_tap's signals go to the DPDK workers only (dpdk_backend.hpp).
    sigset_t tap_signals;
    sigemptyset(&tap_signals);
    sigaddset(&tap_signals, SIGIO);
    for (int s = SIGRTMIN; s <= SIGRTMAX; ++s) sigaddset(&tap_signals, s);
    pthread_sigmask(SIG_BLOCK, &tap_signals, nullptr);

    io::dpdk::DpdkBackend* dpdk_backend = nullptr;
    std::unique_ptr<io::Backend> backend;
    if (backend_name == "dpdk") {
        auto b = io::dpdk::make_backend(dpdk, settings);
        dpdk_backend = b.get();
        backend = std::move(b);
    } else {
        backend = io::make_uring_backend(settings);
    }
    std::string err = backend->open(endpoints);
    if (err.empty()) err = backend->start(ptrs);
    if (!err.empty()) {
        log::error("cannot serve", {{"error", err}});
        return 1;
    }
    log::info("ready", {{"backend", backend_name}, {"workers", std::to_string(workers)}});
    int sig = 0;
    sigwait(&set, &sig);
    backend->request_stop();
    backend->join();
    if (dpdk_backend) {
        static const char* names[] = {"rx", "tx", "tx_dropped", "answered_arp", "answered_neighbor", "answered_echo",
                                      "to_kernel", "to_kernel_dropped", "from_kernel", "dropped", "fragmented",
                                      "reply_too_large", "no_neighbor", "no_mbuf", "stray_http"};
        static_assert(std::size(names) == static_cast<std::size_t>(io::dpdk::PortCounter::count_));
        for (std::uint32_t w = 0; w < workers; ++w)
            for (std::size_t c = 0; c < std::size(names); ++c)
                std::printf("worker=%u %s=%llu\n", w, names[c],
                            static_cast<unsigned long long>(
                                dpdk_backend->port_counters(w).get(static_cast<io::dpdk::PortCounter>(c))));
    }
    return 0;
}

}  // namespace

int main(int argc, char** argv) { return run(argc, argv); }
