// The io_uring backend: opens every worker's SO_REUSEPORT sockets up front (so a bind error is
// reported before anything runs and port 0 resolves to one port shared by all workers), then runs
// one pinned thread per worker, each with its own ring (see loop.hpp).
#include <pthread.h>
#include <sched.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <memory>
#include <thread>
#include <vector>

#include "base/log.hpp"
#include "io/backend.hpp"
#include "io/net/socket.hpp"
#include "io/uring/loop.hpp"
#include "io/worker.hpp"

namespace swarmline::io {
namespace {

class UringBackend final : public Backend {
public:
    explicit UringBackend(const BackendSettings& settings) : settings_(settings) {}
    ~UringBackend() override {
        request_stop();
        join();
        for (auto& s : sockets_) {
            for (int fd : s.udp) ::close(fd);
            for (int fd : s.http) ::close(fd);
        }
    }

    std::string open(Endpoints& endpoints) override {
        std::size_t workers = settings_.cores.size();
        sockets_.resize(workers);
        std::string error;
        for (auto& a : endpoints.udp) {
            for (std::size_t w = 0; w < workers; ++w) {
                // The first worker's bind resolves port 0; the others bind the port it got.
                int fd = net::open_udp(a, error);
                if (fd < 0) return error;
                sockets_[w].udp.push_back(fd);
                sockets_[w].udp_family.push_back(a.storage.ss_family);
            }
        }
        for (auto& a : endpoints.http) {
            for (std::size_t w = 0; w < workers; ++w) {
                int fd = net::open_tcp_listener(a, 1024, error);
                if (fd < 0) return error;
                sockets_[w].http.push_back(fd);
            }
        }
        return {};
    }

    std::string start(std::span<Worker* const> workers) override {
        std::size_t n = workers.size();
        if (n != sockets_.size()) return "io_uring backend: worker count differs from the cores configured";
        ring_fds_ = std::make_unique<std::atomic<int>[]>(n);
        for (std::size_t i = 0; i < n; ++i) ring_fds_[i].store(-1, std::memory_order_relaxed);
        std::uint32_t per_worker = static_cast<std::uint32_t>((settings_.http.max_connections + n - 1) / n);
        std::atomic<std::size_t> ready{0};
        std::atomic<bool> failed{false};
        for (std::size_t i = 0; i < n; ++i) {
            uring::LoopSockets sockets = std::move(sockets_[i]);
            sockets_[i] = uring::LoopSockets{};
            threads_.emplace_back([this, i, n, per_worker, sockets = std::move(sockets), worker = workers[i], &ready,
                                   &failed]() mutable {
                pin(i);
                uring::Loop loop(*worker, std::move(sockets), settings_.http, per_worker, settings_.udp_multishot);
                std::string err = loop.init();
                if (!err.empty()) {
                    log::error("worker start failed", {{"worker", std::to_string(i)}, {"error", err}});
                    failed.store(true);
                    ready.fetch_add(1);
                    return;
                }
                // Release: the ring exists before a peer loads its fd to send it a message.
                ring_fds_[i].store(loop.ring_fd(), std::memory_order_release);
                ready.fetch_add(1);
                loop.run(stop_, {ring_fds_.get(), n});
                ring_fds_[i].store(-1, std::memory_order_release);
            });
        }
        // Every loop has its ring before start() returns, so "ready" is only logged once it is true.
        while (ready.load() < n) std::this_thread::yield();
        if (failed.load()) return "a worker could not set up its io_uring (see the log above)";
        return {};
    }

    void request_stop() noexcept override { stop_.store(true, std::memory_order_relaxed); }

    void join() noexcept override {
        for (auto& t : threads_)
            if (t.joinable()) t.join();
        threads_.clear();
    }

private:
    void pin(std::size_t worker) const {
        int core = settings_.cores[worker];
        std::string name = "swarmline-w" + std::to_string(worker);
        pthread_setname_np(pthread_self(), name.c_str());
        if (core < 0) return;
        cpu_set_t set;
        CPU_ZERO(&set);
        CPU_SET(core, &set);
        if (sched_setaffinity(0, sizeof set, &set) != 0)
            log::warn("could not pin worker", {{"worker", std::to_string(worker)}, {"core", std::to_string(core)},
                                               {"error", std::strerror(errno)}});
    }

    BackendSettings settings_;
    std::vector<uring::LoopSockets> sockets_;
    std::vector<std::thread> threads_;
    std::unique_ptr<std::atomic<int>[]> ring_fds_;
    std::atomic<bool> stop_{false};
};

}  // namespace

std::unique_ptr<Backend> make_uring_backend(const BackendSettings& settings) {
    return std::make_unique<UringBackend>(settings);
}

}  // namespace swarmline::io
