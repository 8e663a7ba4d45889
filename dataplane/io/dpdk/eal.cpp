#include "io/dpdk/eal.hpp"

#include <rte_eal.h>
#include <rte_errno.h>

namespace swarmline::io::dpdk {

std::vector<std::string> eal_arguments(const Config& c) {
    std::vector<std::string> a{"swarmline-dataplane"};
    // Only the main lcore is EAL's; the workers are threads the backend pins and registers
    // (rte_thread_register), so the daemon's `cores` option places them as with io_uring.
    a.push_back("-l");
    a.push_back(std::to_string(c.main_core));
    a.push_back("--file-prefix=" + c.file_prefix);
    if (c.no_huge) {
        // --no-huge cannot be combined with --in-memory; --no-shconf keeps it from writing the
        // runtime config files that would let another process attach.
        a.push_back("--no-huge");
        a.push_back("--no-shconf");
    } else {
        // No files in the hugetlbfs mount or /var/run/dpdk: several processes (tests) run side by
        // side and nothing is left behind after a crash.
        a.push_back("--in-memory");
        if (!c.huge_dir.empty()) a.push_back("--huge-dir=" + c.huge_dir);
    }
    if (c.memory_mb != 0) {
        a.push_back("-m");
        a.push_back(std::to_string(c.memory_mb));
    }
    const auto allow = split_devices(c.allow);
    if (allow.empty()) a.push_back("--no-pci");
    for (const auto& pci : allow) a.push_back("--allow=" + pci);
    for (const auto& v : split_devices(c.vdev)) a.push_back("--vdev=" + v);
    if (!c.exception_iface.empty()) a.push_back(std::string("--vdev=") + kExceptionVdev + ",iface=" + c.exception_iface);
    // EAL's own telemetry socket is a second control interface; /metrics is ours.
    a.push_back("--no-telemetry");
    return a;
}

std::string init_eal(const Config& config) {
    std::vector<std::string> args = eal_arguments(config);
    std::vector<char*> argv;
    for (auto& s : args) argv.push_back(s.data());
    argv.push_back(nullptr);
    if (rte_eal_init(static_cast<int>(args.size()), argv.data()) < 0)
        return std::string("EAL initialisation failed: ") + rte_strerror(rte_errno);
    return {};
}

}  // namespace swarmline::io::dpdk
