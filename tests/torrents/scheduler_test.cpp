// The jobs scheduler on its own: a job that throws is retried with back-off (1 s, then 2 s) well
// before its hour-long interval, its failures and what its successful run reported are counters
// on /metrics under the job's label, and stop() ends the thread while the job waits an hour.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <stdexcept>
#include <thread>

#include "jobs/scheduler.hpp"
#include "support/test_database.hpp"

namespace swarmline::control::test {
namespace {

class Scheduler : public swarmline::test::DatabaseTest {};

TEST_F(Scheduler, AFailingJobIsRetriedCountedAndStopped) {
    std::atomic<int> calls{0};
    http::Metrics metrics;
    jobs::Scheduler s(database().url());
    s.add({"flaky", std::chrono::hours(1), {"done"}, [&](PgConn& db) {
               const int n = ++calls;
               if (n <= 2) throw std::runtime_error("failure number " + std::to_string(n));
               // The connection it gets is a live one.
               return std::vector<std::uint64_t>{static_cast<std::uint64_t>(db.connection().exec("SELECT 7").get_int64(0, 0))};
           }});
    s.publish(metrics);
    s.start();
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (calls < 3 && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    s.stop();  // returns although the next run is an hour away
    EXPECT_EQ(calls.load(), 3) << "two retries, then the interval";
    const auto text = metrics.render();
    EXPECT_NE(text.find("swarmline_job_runs_total{job=\"flaky\"} 3\n"), std::string::npos) << text;
    EXPECT_NE(text.find("swarmline_job_failures_total{job=\"flaky\"} 2\n"), std::string::npos) << text;
    EXPECT_NE(text.find("swarmline_job_items_total{job=\"flaky\",kind=\"done\"} 7\n"), std::string::npos) << text;
    EXPECT_EQ(text.find("swarmline_job_last_success_timestamp_seconds{job=\"flaky\"} 0\n"), std::string::npos) << text;
}

}  // namespace
}  // namespace swarmline::control::test
