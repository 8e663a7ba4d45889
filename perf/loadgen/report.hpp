// The end-of-run report: responses per second by kind, errors, timeouts, latency percentiles, and
// the load generator's own CPU use (the check that it was not the bottleneck), as text or JSON.
#pragma once

#include <cstdint>
#include <iosfwd>

#include "config.hpp"
#include "stats.hpp"

namespace swarmline::loadgen {

struct RunSummary {
    Counters counters;
    std::array<Histogram, kKinds> latency;
    Histogram all;
    double wall_s = 0;            // the longest worker's run
    double worker_user_s = 0;     // CPU of the worker threads while running: the load generator's own work
    double worker_sys_s = 0;      // ... and the kernel's, loopback delivery to the tracker included
    double process_cpu_s = 0;     // user + system CPU of the whole process (getrusage), set-up included
    std::uint64_t max_rss_kib = 0;
};

void print_text(std::ostream& out, const Config& config, const RunSummary& s);
void print_json(std::ostream& out, const Config& config, const RunSummary& s);

}  // namespace swarmline::loadgen
