#include "jobs/scheduler.hpp"

#include <algorithm>
#include <exception>

#include "base/log.hpp"

namespace swarmline::control::jobs {

namespace {

using Clock = std::chrono::steady_clock;

std::uint64_t unix_seconds() {
    return static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count());
}

}  // namespace

void Scheduler::add(Job job) {
    auto e = std::make_unique<Entry>();
    e->totals = std::make_unique<std::atomic<std::uint64_t>[]>(job.counts.size());
    e->job = std::move(job);
    entries_.push_back(std::move(e));
}

void Scheduler::publish(http::Metrics& metrics) {
    for (const auto& owned : entries_) {
        const Entry* e = owned.get();
        const std::string& job = e->job.name;
        metrics.add_reading("swarmline_job_runs_total", "Runs of a background job, failed or not.", "counter",
                            [e] { return static_cast<double>(e->runs.load(std::memory_order_relaxed)); },
                            {{"job", job}});
        metrics.add_reading("swarmline_job_failures_total", "Runs of a background job that failed (then retried).",
                            "counter",
                            [e] { return static_cast<double>(e->failures.load(std::memory_order_relaxed)); },
                            {{"job", job}});
        metrics.add_reading("swarmline_job_last_success_timestamp_seconds",
                            "Unix time a background job last ran without error (0: never).", "gauge",
                            [e] { return static_cast<double>(e->last_success_unix.load(std::memory_order_relaxed)); },
                            {{"job", job}});
        for (std::size_t i = 0; i < e->job.counts.size(); ++i)
            metrics.add_reading("swarmline_job_items_total", "What background jobs' runs reported, by job and kind.",
                                "counter",
                                [e, i] { return static_cast<double>(e->totals[i].load(std::memory_order_relaxed)); },
                                {{"job", job}, {"kind", e->job.counts[i]}});
    }
}

void Scheduler::start() {
    if (entries_.empty() || thread_.joinable()) return;
    const auto now = Clock::now();
    for (auto& e : entries_) e->due = now;
    thread_ = std::thread([this] { loop(); });
}

void Scheduler::stop() {
    {
        std::lock_guard lock(mu_);
        stopping_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
}

void Scheduler::loop() {
    std::unique_ptr<PgConn> db;
    std::unique_lock lock(mu_);
    while (!stopping_) {
        Entry& next = **std::min_element(entries_.begin(), entries_.end(),
                                         [](const auto& a, const auto& b) { return a->due < b->due; });
        if (cv_.wait_until(lock, next.due, [this] { return stopping_; })) break;
        if (Clock::now() < next.due) continue;
        lock.unlock();
        run_one(next, db);
        lock.lock();
    }
}

void Scheduler::run_one(Entry& e, std::unique_ptr<PgConn>& db) {
    const auto started = Clock::now();
    std::vector<std::uint64_t> counts;
    std::string error;
    try {
        if (!db || !db->ok()) db = std::make_unique<PgConn>(url_);
        counts = e.job.run(*db);
        if (counts.size() != e.job.counts.size()) error = "the job reported the wrong number of counts";
    } catch (const db::Error& ex) {
        error = ex.what();
        if (connection_lost(ex)) db.reset();
    } catch (const std::exception& ex) {
        error = ex.what();
    }
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started).count();
    e.runs.fetch_add(1, std::memory_order_relaxed);
    if (!error.empty()) {
        e.failures.fetch_add(1, std::memory_order_relaxed);
        ++e.failures_in_a_row;
        // 1 s, 2 s, 4 s ... after consecutive failures, never later than the job's own interval.
        const auto backoff = std::chrono::milliseconds(1000LL << std::min<std::uint32_t>(e.failures_in_a_row - 1, 16));
        e.due = Clock::now() + std::min<std::chrono::milliseconds>(backoff, e.job.interval);
        log::warn("job failed; retrying", {{"job", e.job.name},
                                           {"failures_in_a_row", std::to_string(e.failures_in_a_row)},
                                           {"ms", std::to_string(ms)},
                                           {"error", error}});
        return;
    }
    e.failures_in_a_row = 0;
    e.due = Clock::now() + e.job.interval;
    e.last_success_unix.store(unix_seconds(), std::memory_order_relaxed);
    std::string report;
    bool changed = false;
    for (std::size_t i = 0; i < counts.size(); ++i) {
        e.totals[i].fetch_add(counts[i], std::memory_order_relaxed);
        changed = changed || counts[i] != 0;
        report += (i ? "," : "") + e.job.counts[i] + ":" + std::to_string(counts[i]);
    }
    log::write(changed ? log::Level::info : log::Level::debug, "job ran",
               {{"job", e.job.name}, {"ms", std::to_string(ms)}, {"result", report}});
}

}  // namespace swarmline::control::jobs
