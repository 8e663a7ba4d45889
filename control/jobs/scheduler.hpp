// Background jobs of `swarmline-control serve`: one thread runs every job in turn on one PostgreSQL
// connection, each at its own interval. A run logs one structured record (info when it changed
// something, debug otherwise, so an idle site's log is not one line per second). A run that throws
// is logged as a warning and retried after 1 s, 2 s, 4 s ... but never later than its interval; a
// lost connection is reopened for the next run. stop() lets the running job finish and joins.
// Runs, failures and what each run reported are counters on /metrics, labelled by job.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "http/metrics.hpp"
#include "services/pg_pool.hpp"

namespace swarmline::control::jobs {

struct Job {
    std::string name;                       // the `job` field of its logs and label of its metrics
    std::chrono::milliseconds interval;     // from the end of one run to the start of the next
    std::vector<std::string> counts;        // what a run reports, in order ("completed", "failed")
    // One run; returns one number per entry of `counts`. Throws on failure.
    std::function<std::vector<std::uint64_t>(PgConn&)> run;
};

class Scheduler {
public:
    explicit Scheduler(std::string database_url) : url_(std::move(database_url)) {}
    ~Scheduler() { stop(); }
    Scheduler(const Scheduler&) = delete;
    Scheduler& operator=(const Scheduler&) = delete;

    // Before start(): a job, first run at start.
    void add(Job job);
    // Before start(): the counters appear on `metrics` (swarmline_job_*{job=...}).
    void publish(http::Metrics& metrics);
    void start();
    void stop();

private:
    struct Entry {
        Job job;
        std::chrono::steady_clock::time_point due;
        std::uint32_t failures_in_a_row = 0;
        // Written by the scheduler thread, read by /metrics scrapes: relaxed, as each is a lone
        // counter that orders nothing else.
        std::atomic<std::uint64_t> runs{0};
        std::atomic<std::uint64_t> failures{0};
        std::atomic<std::uint64_t> last_success_unix{0};
        std::unique_ptr<std::atomic<std::uint64_t>[]> totals;  // one per job.counts
    };
    void loop();
    void run_one(Entry& e, std::unique_ptr<PgConn>& db);

    std::string url_;
    std::vector<std::unique_ptr<Entry>> entries_;
    std::mutex mu_;
    std::condition_variable cv_;
    bool stopping_ = false;
    std::thread thread_;
};

}  // namespace swarmline::control::jobs
