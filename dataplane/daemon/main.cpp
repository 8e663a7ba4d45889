// swarmline-dataplane: answers UDP and HTTP announces from the shared-memory tables, one pinned
// worker per core. The main thread only starts things, serves the admin listener and waits for
// signals; the workers never block on it.
#include <poll.h>
#include <sodium.h>

#include <filesystem>
#include <iostream>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/log.hpp"
#include "base/options.hpp"
#include "daemon/admin.hpp"
#include "daemon/config.hpp"
#include "daemon/dpdk.hpp"
#include "daemon/metrics.hpp"
#include "daemon/signals.hpp"
#include "io/backend.hpp"
#include "io/handoff.hpp"
#include "io/worker.hpp"
#include "shm/connection_secret.hpp"
#include "shm/segment.hpp"
#include "swarmline_version.hpp"

namespace swarmline::daemon {
namespace {

constexpr std::string_view kUsage =
    "usage: swarmline-dataplane [--config FILE] [--key value ...]\n"
    "  --config FILE     read the [dataplane] section of FILE, then apply the command line\n"
    "  --print-config    print every option with its help and value (an example config file)\n"
    "  --help, --version\n";

// The options from the config file (when given) with the command line on top. Empty on success.
std::string load(int argc, char** argv, options::Registry& registry) {
    std::string file = options::Registry::find_config_arg(argc, argv, 1);
    if (!file.empty())
        if (auto err = registry.load_file(file); !err.empty()) return err;
    return registry.parse_args(argc, argv, 1, nullptr);
}

std::string join(const std::vector<io::net::Address>& addresses) {
    std::string s;
    for (const auto& a : addresses) {
        if (!s.empty()) s += ',';
        s += io::net::to_string(a);
    }
    return s;
}

int run(int argc, char** argv) {
    // The program's own flags are taken out before the registry sees the rest.
    bool print_config = false;
    std::vector<char*> args{argv[0]};
    for (int i = 1; i < argc; ++i) {
        std::string_view a = argv[i];
        if (a == "--version") {
            std::cout << "swarmline-dataplane " << SWARMLINE_VERSION << "\n";
            return 0;
        }
        if (a == "--print-config") print_config = true;
        else args.push_back(argv[i]);
    }
    const int n_args = static_cast<int>(args.size());

    Config config;
    options::Registry registry("dataplane");
    config.register_options(registry);
    for (int i = 1; i < n_args; ++i) {
        if (std::string_view(args[i]) == "--help") {
            std::cout << kUsage << "options:\n";
            registry.print_help(std::cout);
            return 0;
        }
    }
    if (auto err = load(n_args, args.data(), registry); !err.empty()) {
        std::cerr << "swarmline-dataplane: " << err << "\n";
        return 2;
    }
    if (print_config) {
        registry.print(std::cout);
        return 0;
    }
    Settings settings;
    if (auto err = resolve(config, settings); !err.empty()) {
        std::cerr << "swarmline-dataplane: " << err << "\n";
        return 2;
    }
    log::set_level(settings.level);
    if (sodium_init() < 0) {
        log::error("libsodium failed to initialize");
        return 1;
    }

    // Chosen before anything is created (the segment), so a build without DPDK says so first. Nothing
    // starts here: EAL comes up in open().
    std::unique_ptr<io::Backend> backend;
    DpdkBackend dpdk;
    if (settings.dpdk) {
        if (auto err = make_dpdk_backend(config.dpdk, settings.backend, dpdk); !err.empty()) {
            log::error("cannot start", {{"error", err}});
            return 1;
        }
        backend = std::move(dpdk.backend);
    } else {
        backend = io::make_uring_backend(settings.backend);
    }

    int signal_fd = block_signals();
    if (signal_fd < 0 || (settings.dpdk && !block_tap_signals())) {
        log::error("cannot block signals");
        return 1;
    }

    std::filesystem::path shm_path(config.shm);
    shm::SegmentLocation where;
    where.name = shm_path.filename().string();
    where.shm_dir = shm_path.parent_path().string();
    where.hugetlbfs_dir = where.shm_dir;  // a path on a hugetlbfs mount puts the segment on huge pages
    auto opened = shm::Segment::open(where, settings.sizes,
                                     config.shm_recreate ? shm::OpenMode::recreate : shm::OpenMode::attach_or_create);
    if (!opened.segment) {
        log::error("cannot open the shared memory segment", {{"path", config.shm}, {"error", opened.error}});
        return 1;
    }
    shm::Segment& segment = *opened.segment;
    if (config.shm_prefault) {
        if (auto err = segment.prefault(); !err.empty()) log::warn("segment pages are faulted in as used", {{"error", err}});
    }
    log::info("segment", {{"path", segment.path()},
                          {"created", segment.created() ? "true" : "false"},
                          {"hugepages", segment.hugepages() ? "true" : "false"},
                          {"bytes", std::to_string(segment.header().total_size)}});

    io::HandoffRings rings(settings.workers, settings.shards, config.handoff_ring);
    io::WorkerContext context;
    context.segment = &segment;
    context.rings = &rings;
    context.workers = settings.workers;
    context.shards = settings.shards;
    context.open_mode = config.open;
    context.reap_budget = config.reap_budget;
    // One secret for every worker (SO_REUSEPORT may deliver a client's connect and its announce to
    // different workers), and for every run on this segment: ids issued before a restart still hold.
    context.connection_secret = shm::connection_secret(segment);
    std::vector<std::unique_ptr<io::Worker>> workers;
    std::vector<io::Worker*> worker_ptrs;
    for (std::uint32_t i = 0; i < settings.workers; ++i) {
        workers.push_back(std::make_unique<io::Worker>(context, i));
        worker_ptrs.push_back(workers.back().get());
    }

    if (auto err = backend->open(settings.endpoints); !err.empty()) {
        log::error("cannot open the listeners", {{"error", err}});
        return 1;
    }
    Admin admin;
    if (auto err = admin.open(settings.admin); !err.empty()) {
        log::error("cannot open the admin listener", {{"error", err}});
        return 1;
    }
    if (auto err = backend->start(worker_ptrs); !err.empty()) {
        log::error("cannot start the workers", {{"error", err}});
        // Joined here: the backend outlives the workers, segment and rings its threads use.
        backend->request_stop();
        backend->join();
        return 1;
    }
    std::string udp = join(settings.endpoints.udp);
    std::string http = join(settings.endpoints.http);
    std::string admin_at = io::net::to_string(settings.admin);
    log::info("ready", {{"udp", udp},
                        {"http", http},
                        {"admin", admin_at},
                        {"workers", std::to_string(settings.workers)},
                        {"shards", std::to_string(settings.shards)},
                        {"backend", config.backend},
                        {"mode", config.open ? "open" : "private"},
                        {"version", SWARMLINE_VERSION}});

    auto metrics = [&] {
        std::string text = render_metrics(worker_ptrs);
        if (dpdk.render_metrics) dpdk.render_metrics(text);
        return text;
    };
    pollfd fds[2] = {{signal_fd, POLLIN, 0}, {admin.fd(), POLLIN, 0}};
    for (;;) {
        if (::poll(fds, 2, -1) < 0) continue;
        if (fds[1].revents & POLLIN) admin.serve_one(metrics, true);
        if (!(fds[0].revents & POLLIN)) continue;
        SignalAction action = read_signal(signal_fd);
        if (action == SignalAction::stop) break;
        if (action == SignalAction::reload) {
            // What can change at run time: the log level (rules live in the segment, written by control).
            Config fresh;
            options::Registry again("dataplane");
            fresh.register_options(again);
            log::Level level{};
            if (auto err = load(n_args, args.data(), again); !err.empty()) {
                log::warn("reload failed, keeping the running configuration", {{"error", err}});
            } else if (!log::parse_level(fresh.log_level, level)) {
                log::warn("reload failed, keeping the running configuration", {{"error", "bad log-level"}});
            } else {
                log::set_level(level);
                log::info("reloaded", {{"log_level", fresh.log_level}});
            }
        }
    }
    log::info("stopping", {{"reason", "signal"}});
    backend->request_stop();
    backend->join();
    log::info("stopped");
    return 0;
}

}  // namespace
}  // namespace swarmline::daemon

int main(int argc, char** argv) { return swarmline::daemon::run(argc, argv); }
