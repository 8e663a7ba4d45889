// /metrics in the Prometheus text format: the workers' counters summed at scrape time, the
// per-worker load, and the gauges read from the shared segment (peers, torrents, ring depths).
#pragma once

#include <span>
#include <string>

namespace swarmline::io {
class Worker;
}

namespace swarmline::daemon {

[[nodiscard]] std::string render_metrics(std::span<io::Worker* const> workers);

}  // namespace swarmline::daemon
