// The seam between the request logic and the network. A Worker (io/worker.hpp) knows the
// protocols, the rules and its shard of the swarms, and does no I/O; a Backend moves bytes between
// the network and the workers: one pinned thread per worker, each running one event loop over its
// own sockets or queues. io_uring is the backend that runs anywhere; DPDK (io/dpdk/) implements the
// same interface for kernel bypass.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "io/net/address.hpp"

namespace swarmline::io {

class Worker;

// The public addresses to serve. A backend rewrites port 0 with the port the kernel gave, so the
// caller can log and publish what is really bound.
struct Endpoints {
    std::vector<net::Address> udp;
    std::vector<net::Address> http;
};

struct HttpSettings {
    std::uint32_t max_connections = 4096;   // over all workers; beyond it a new connection gets 503
    std::uint32_t header_timeout_s = 10;    // a request's head must arrive within this (slowloris)
    std::uint32_t idle_timeout_s = 60;      // a keep-alive connection with nothing to do is closed
};

struct BackendSettings {
    std::vector<int> cores;  // the core of each worker; -1 leaves the thread unpinned
    HttpSettings http;
    // io_uring: multishot recvmsg (one request serves many datagrams). False uses plain recvmsg, as
    // the loop also does by itself when the kernel refuses multishot.
    bool udp_multishot = true;
};

class Backend {
public:
    virtual ~Backend() = default;
    // Opens every socket of every worker and fills in the ports bound. An empty string on success.
    [[nodiscard]] virtual std::string open(Endpoints& endpoints) = 0;
    // Starts one thread per worker, pinned to its core, each serving `workers[i]`.
    [[nodiscard]] virtual std::string start(std::span<Worker* const> workers) = 0;
    // Asks every worker to stop taking requests, send what it owes and return. Safe from any thread.
    virtual void request_stop() noexcept = 0;
    virtual void join() noexcept = 0;
};

std::unique_ptr<Backend> make_uring_backend(const BackendSettings& settings);

}  // namespace swarmline::io
