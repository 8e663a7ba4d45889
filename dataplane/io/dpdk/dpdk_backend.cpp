#include "io/dpdk/dpdk_backend.hpp"

#include <pthread.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <sched.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <thread>
#include <vector>

#include "base/log.hpp"
#include "io/dpdk/eal.hpp"
#include "io/dpdk/exception_iface.hpp"
#include "io/dpdk/ports.hpp"
#include "io/dpdk/ring_waker.hpp"
#include "io/net/socket.hpp"
#include "io/uring/loop.hpp"
#include "io/worker.hpp"

namespace swarmline::io::dpdk {
namespace {

// Room for the largest headers (62 bytes) and the Worker's largest reply (kUdpReplyCapacity) after
// the headroom: a reply is written straight into the buffer that will be sent.
constexpr std::uint16_t kDataRoom = RTE_PKTMBUF_HEADROOM + 4224;
static_assert(kDataRoom - RTE_PKTMBUF_HEADROOM - 62 >= kUdpReplyCapacity);
// Per-lcore mempool cache: a burst of receives and sends is served without touching the shared ring.
constexpr unsigned kPoolCache = 256;

class Backend final : public DpdkBackend {
public:
    Backend(const Config& config, const BackendSettings& settings)
        : config_(config),
          settings_(settings),
          http_workers_(std::min<std::size_t>(config.http_workers, settings.cores.size())),
          dpdk_workers_(settings.cores.size() - http_workers_),
          counters_(dpdk_workers_) {}

    ~Backend() override {
        request_stop();
        join();
        for (auto& s : http_sockets_)
            for (int fd : s.http) ::close(fd);
        if (eal_ready_) {
            for (std::uint16_t p : started_) {
                (void)rte_eth_dev_stop(p);
                (void)rte_eth_dev_close(p);
            }
            rte_eal_cleanup();
        }
    }

    std::string open(Endpoints& endpoints) override {
        const std::size_t workers = dpdk_workers_;
        if (workers == 0) return "backend dpdk: no DPDK workers";
        if (workers > 16 && !config_.exception_iface.empty())
            return "backend dpdk: at most 16 workers (the exception interface has 16 queues)";
        if (!endpoints.http.empty() && (config_.exception_iface.empty() || http_workers_ == 0))
            return "backend dpdk: HTTP is served on the exception interface: set dpdk-exception-iface and dpdk-http-workers";
        std::vector<Prefix> prefixes;
        for (const auto& text : config_.addresses) {
            Prefix p;
            if (const char* err = parse_prefix(text, p)) return "dpdk-address: '" + text + "': " + err;
            prefixes.push_back(p);
        }
        if (prefixes.empty()) return "backend dpdk: give our addresses with dpdk-address (e.g. 192.0.2.10/24)";

        if (auto err = init_eal(config_); !err.empty()) return err;
        eal_ready_ = true;

        std::uint16_t tap = 0;
        const bool has_tap = !config_.exception_iface.empty();
        if (has_tap && rte_eth_dev_get_port_by_name(kExceptionVdev, &tap) != 0)
            return "backend dpdk: the exception interface did not come up (is /dev/net/tun there?)";
        std::uint16_t nic = 0;
        if (auto err = find_port(config_.port, tap, has_tap, nic); !err.empty()) return err;

        const int socket = rte_eth_dev_socket_id(nic);
        for (std::size_t i = 0; i < workers; ++i) {
            const std::string name = "swl_pool_" + std::to_string(i);
            rte_mempool* pool = rte_pktmbuf_pool_create(name.c_str(), config_.mbufs, kPoolCache, 0, kDataRoom,
                                                        socket < 0 ? SOCKET_ID_ANY : socket);
            if (!pool) return "cannot create the packet buffer pool: " + std::string(rte_strerror(rte_errno));
            pools_.push_back(pool);
        }
        if (auto err = start_nic(nic, pools_, config_, nic_); !err.empty()) return err;
        started_.push_back(nic);
        if (has_tap) {
            if (auto err = start_tap(tap, pools_, nic_.mac); !err.empty()) return err;
            started_.push_back(tap);
            tap_ = tap;
            if (auto err = configure_exception_iface(config_.exception_iface, prefixes, nic_.mtu); !err.empty())
                return err;
        }

        local_ = std::make_unique<LocalAddresses>(nic_.mac);
        for (const auto& p : prefixes) {
            if (p.v6) {
                local_->add_ipv6(p.ip, p.length);
            } else {
                std::uint32_t v4;
                std::memcpy(&v4, p.ip.data() + 12, 4);
                local_->add_ipv4(v4, p.length);
            }
        }
        for (const auto& a : endpoints.udp) {
            if (a.port() == 0) return "backend dpdk: UDP address " + net::to_string(a) + " needs a port (no kernel picks one)";
            const proto::Endpoint e = net::endpoint_of(a.sa());
            static constexpr std::uint8_t kAny[16] = {};
            const bool wildcard = e.v4() ? std::memcmp(e.ip.data() + 12, kAny, 4) == 0 : std::memcmp(e.ip.data(), kAny, 16) == 0;
            const bool ours = e.v4() ? local_->has_ipv4(e.ip.data() + 12) : local_->has_ipv6(e.ip.data());
            if (!wildcard && !ours)
                return "backend dpdk: UDP address " + net::to_string(a) + " is not one of dpdk-address";
            if (!local_->add_udp(e.ip, e.port)) return "backend dpdk: too many UDP addresses";
        }
        // The exception interface holds our addresses by now, so the kernel lets them be bound.
        http_sockets_.resize(http_workers_);
        std::string error;
        for (auto& a : endpoints.http) {
            for (auto& s : http_sockets_) {
                // The first bind resolves port 0; the others bind the port it got (SO_REUSEPORT).
                const int fd = net::open_tcp_listener(a, 1024, error);
                if (fd < 0) return "HTTP on the exception interface: " + error;
                s.http.push_back(fd);
            }
        }
        log::info("dpdk ready", {{"port", std::to_string(nic)},
                                 {"queues", std::to_string(workers)},
                                 {"rss", nic_.rss ? "true" : "false"},
                                 {"tx_checksum_offload", nic_.tx_offload.udp ? "true" : "false"},
                                 {"mtu", std::to_string(nic_.mtu)},
                                 {"exception_iface", config_.exception_iface}});
        return {};
    }

    std::string start(std::span<Worker* const> workers) override {
        if (workers.size() != dpdk_workers_ + http_workers_ || pools_.size() != dpdk_workers_)
            return "backend dpdk: worker count differs from the cores configured";
        // One table of ring fds over every worker, indexed by worker: the HTTP workers' io_uring
        // rings; -1 for the DPDK workers, which poll and are never woken.
        ring_fds_ = std::make_unique<std::atomic<int>[]>(workers.size());
        // Relaxed: the threads that read the table start afterwards, and thread creation orders these.
        for (std::size_t i = 0; i < workers.size(); ++i) ring_fds_[i].store(-1, std::memory_order_relaxed);
        const std::span<const std::atomic<int>> ring_fds(ring_fds_.get(), workers.size());
        std::atomic<std::size_t> ready{0};
        std::atomic<bool> failed{false};
        for (std::size_t i = 0; i < dpdk_workers_; ++i) {
            LoopSetup setup;
            setup.nic = nic_.port;
            setup.tap = tap_;
            setup.exception_path = !config_.exception_iface.empty();
            setup.queue = static_cast<std::uint16_t>(i);
            setup.pool = pools_[i];
            setup.local = local_.get();
            setup.neighbors = &neighbors_;
            setup.counters = &counters_[i];
            setup.tx_offload = nic_.tx_offload;
            setup.rx_checksum_flags = nic_.rx_checksum_flags;
            setup.mtu = nic_.mtu;
            setup.idle_sleep_us = config_.idle_sleep_us;
            threads_.emplace_back([this, i, setup, ring_fds, worker = workers[i], &ready, &failed]() mutable {
                pin(i, "swarmline-d");
                take_tap_signals();
                RingWaker waker(ring_fds);
                std::string err = waker.init();
                // A registered thread gets an lcore id, so the mempool's per-lcore cache serves it.
                if (err.empty() && rte_thread_register() != 0) err = rte_strerror(rte_errno);
                if (!err.empty()) {
                    log::error("dpdk worker could not start", {{"worker", std::to_string(i)}, {"error", err}});
                    failed.store(true);
                    ready.fetch_add(1);
                    return;
                }
                ready.fetch_add(1);
                setup.waker = &waker;
                Loop loop(*worker, setup);
                loop.run(stop_);
                rte_thread_unregister();
            });
        }
        const auto per_worker = static_cast<std::uint32_t>(
            (settings_.http.max_connections + http_workers_ - 1) / std::max<std::size_t>(http_workers_, 1));
        for (std::size_t h = 0; h < http_workers_; ++h) {
            const std::size_t i = dpdk_workers_ + h;
            uring::LoopSockets sockets = std::move(http_sockets_[h]);
            http_sockets_[h] = uring::LoopSockets{};
            threads_.emplace_back([this, i, per_worker, ring_fds, sockets = std::move(sockets), worker = workers[i],
                                   &ready, &failed]() mutable {
                pin(i, "swarmline-h");
                uring::Loop loop(*worker, std::move(sockets), settings_.http, per_worker, settings_.udp_multishot);
                if (auto err = loop.init(); !err.empty()) {
                    log::error("HTTP worker could not start", {{"worker", std::to_string(i)}, {"error", err}});
                    failed.store(true);
                    ready.fetch_add(1);
                    return;
                }
                // Release: the ring exists before a DPDK worker loads its fd to wake it.
                ring_fds_[i].store(loop.ring_fd(), std::memory_order_release);
                ready.fetch_add(1);
                loop.run(stop_, ring_fds);
                ring_fds_[i].store(-1, std::memory_order_release);
            });
        }
        while (ready.load() < workers.size()) std::this_thread::yield();
        if (failed.load()) return "a worker could not start (see the log above)";
        return {};
    }

    void request_stop() noexcept override { stop_.store(true, std::memory_order_relaxed); }

    void join() noexcept override {
        for (auto& t : threads_)
            if (t.joinable()) t.join();
        threads_.clear();
    }

    std::size_t dpdk_workers() const noexcept override { return dpdk_workers_; }
    const PortCounters& port_counters(std::size_t i) const noexcept override { return counters_[i]; }

private:
    // net_tap (the exception interface) learns that the kernel wrote a frame from a signal sent to
    // the process (SIGIO or a real-time signal, by DPDK version). The polling workers take it: a
    // thread of the program that blocks these signals before starting the backend (as it should)
    // then never sees its poll() or io_uring wait cut short by EINTR.
    static void take_tap_signals() noexcept {
        sigset_t set;
        sigemptyset(&set);
        sigaddset(&set, SIGIO);
        for (int sig = SIGRTMIN; sig <= SIGRTMAX; ++sig) sigaddset(&set, sig);
        pthread_sigmask(SIG_UNBLOCK, &set, nullptr);
    }

    void pin(std::size_t worker, const char* prefix) const {
        const std::string name = prefix + std::to_string(worker);
        pthread_setname_np(pthread_self(), name.c_str());
        const int core = settings_.cores[worker];
        if (core < 0) return;
        cpu_set_t set;
        CPU_ZERO(&set);
        CPU_SET(core, &set);
        if (sched_setaffinity(0, sizeof set, &set) != 0)
            log::warn("could not pin worker", {{"worker", std::to_string(worker)}, {"core", std::to_string(core)},
                                               {"error", std::strerror(errno)}});
    }

    Config config_;
    BackendSettings settings_;
    std::size_t http_workers_;  // the last ones: io_uring on the exception interface
    std::size_t dpdk_workers_;  // the first ones: a queue pair each, and the shards
    bool eal_ready_ = false;
    std::vector<std::uint16_t> started_;
    std::vector<rte_mempool*> pools_;
    NicInfo nic_;
    std::uint16_t tap_ = 0;
    std::unique_ptr<LocalAddresses> local_;
    NeighborTable neighbors_;
    std::vector<PortCounters> counters_;
    std::vector<uring::LoopSockets> http_sockets_;
    std::unique_ptr<std::atomic<int>[]> ring_fds_;
    std::vector<std::thread> threads_;
    // Relaxed is enough: the flag only asks the loops to return; join() orders everything after.
    std::atomic<bool> stop_{false};
};

}  // namespace

std::unique_ptr<DpdkBackend> make_backend(const Config& config, const BackendSettings& settings) {
    return std::make_unique<Backend>(config, settings);
}

}  // namespace swarmline::io::dpdk
