// swarmline-loadgen: UDP (BEP 15/41) and HTTP keep-alive announce/scrape load against one or more
// trackers, closed loop (throughput) or open loop at a fixed rate (latency), with a report of
// responses/s, errors, timeouts, latency percentiles and its own CPU use. See perf/README.md.
#include <pthread.h>
#include <sched.h>
#include <sys/resource.h>

#include <atomic>
#include <iostream>
#include <memory>
#include <string_view>
#include <thread>
#include <vector>

#include "base/log.hpp"
#include "base/options.hpp"
#include "config.hpp"
#include "http_worker.hpp"
#include "pacer.hpp"
#include "report.hpp"
#include "swarmline_version.hpp"
#include "traffic.hpp"
#include "udp_worker.hpp"
#include "workload.hpp"

namespace sl = swarmline;
using namespace swarmline::loadgen;

namespace {

bool pin(int core) {
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(core, &set);
    return pthread_setaffinity_np(pthread_self(), sizeof set, &set) == 0;
}

double seconds(const timeval& tv) { return static_cast<double>(tv.tv_sec) + static_cast<double>(tv.tv_usec) / 1e6; }

// Opens every worker, then runs them all from one common start time and adds up their results.
template <typename Worker>
int run_workers(const Config& config, Traffic& traffic, RunSummary& summary) {
    std::vector<std::unique_ptr<Worker>> workers;
    for (unsigned i = 0; i < config.workers; ++i) {
        workers.push_back(std::make_unique<Worker>(config, traffic, i));
        if (auto err = workers.back()->open(); !err.empty()) {
            sl::log::error("cannot open worker", {{"worker", std::to_string(i)}, {"reason", err}});
            return 1;
        }
    }
    std::vector<WorkerResult> results(config.workers);
    const std::uint64_t start = now_ns();
    const std::uint64_t end = start + std::uint64_t{config.duration_s} * 1'000'000'000u;
    std::vector<std::thread> threads;
    // Relaxed: only read after join(), which orders the workers' stores before the read.
    std::atomic<bool> pinned{true};
    for (unsigned i = 0; i < config.workers; ++i) {
        threads.emplace_back([&, i] {
            if (!config.core_ids.empty() && !pin(config.core_ids[i]))
                pinned.store(false, std::memory_order_relaxed);
            workers[i]->run(start, end, results[i]);
        });
    }
    for (auto& t : threads) t.join();
    if (!pinned.load(std::memory_order_relaxed)) sl::log::warn("could not pin every worker to its core");
    for (const auto& r : results) {
        summary.counters.add(r.counters);
        for (std::size_t k = 0; k < kKinds; ++k) {
            summary.latency[k].merge(r.latency[k]);
            summary.all.merge(r.latency[k]);
        }
        summary.worker_user_s += static_cast<double>(r.cpu_user_ns) / 1e9;
        summary.worker_sys_s += static_cast<double>(r.cpu_sys_ns) / 1e9;
        const double wall = static_cast<double>(r.wall_ns) / 1e9;
        if (wall > summary.wall_s) summary.wall_s = wall;
    }
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    Config config;
    sl::options::Registry registry("loadgen");
    config.register_options(registry);
    for (int i = 1; i < argc; ++i) {
        const std::string_view a = argv[i];
        if (a == "--version") {
            std::cout << "swarmline-loadgen " << SWARMLINE_VERSION << "\n";
            return 0;
        }
        if (a == "--help") {
            std::cout << "usage: swarmline-loadgen [--config FILE] [options]\n"
                         "Announce/scrape load over UDP (BEP 15/41) or HTTP keep-alive; see perf/README.md.\n"
                         "  --print-config\n      print every option with its help and value (a config file)\n";
            registry.print_help(std::cout);
            return 0;
        }
        if (a == "--print-config") {
            registry.print(std::cout);
            return 0;
        }
    }
    if (auto path = sl::options::Registry::find_config_arg(argc, argv, 1); !path.empty()) {
        if (auto err = registry.load_file(path); !err.empty()) {
            sl::log::error("bad config file", {{"reason", err}});
            return 2;
        }
    }
    if (auto err = registry.parse_args(argc, argv, 1, nullptr); !err.empty()) {
        sl::log::error("bad arguments", {{"reason", err}});
        return 2;
    }
    if (auto err = config.resolve(); !err.empty()) {
        sl::log::error("bad arguments", {{"reason", err}});
        return 2;
    }

    Workload workload(config.workload);
    if (!config.dump_info_hashes.empty()) {
        if (auto err = workload.dump_info_hashes(config.dump_info_hashes); !err.empty()) {
            sl::log::error("cannot dump info_hashes", {{"reason", err}});
            return 1;
        }
        return 0;
    }
    Traffic traffic(config, workload);
    RunSummary summary;
    const int rc = config.targets.front().protocol == Protocol::udp ? run_workers<UdpWorker>(config, traffic, summary)
                                                                    : run_workers<HttpWorker>(config, traffic, summary);
    if (rc != 0) return rc;
    rusage ru{};
    getrusage(RUSAGE_SELF, &ru);
    summary.process_cpu_s = seconds(ru.ru_utime) + seconds(ru.ru_stime);
    summary.max_rss_kib = static_cast<std::uint64_t>(ru.ru_maxrss);
    if (config.json)
        print_json(std::cout, config, summary);
    else
        print_text(std::cout, config, summary);
    return 0;
}
