// Prometheus text exposition (format 0.0.4) for `/metrics`: request counts and time per route,
// plus gauges read when scraped (pool sizes, server counters).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

namespace swarmline::http {

class Metrics {
public:
    // One finished request; `route` is the route pattern (bounded cardinality), never the raw path.
    void observe(std::string_view method, std::string_view route, unsigned status, double seconds);
    // A value read at scrape time; `type` is "gauge" or "counter". Readings that share a name are one
    // family told apart by `labels` ({"job", "search_queue"}): its HELP and TYPE are written once.
    void add_reading(std::string name, std::string help, std::string type, std::function<double()> read,
                     std::vector<std::pair<std::string, std::string>> labels = {});
    std::string render() const;

private:
    struct Timing {
        std::uint64_t count = 0;
        double seconds = 0;
    };
    struct Reading {
        std::string name, help, type;
        std::function<double()> read;
        std::vector<std::pair<std::string, std::string>> labels;
    };
    mutable std::mutex mu_;
    std::map<std::tuple<std::string, std::string, unsigned>, std::uint64_t> requests_;
    std::map<std::pair<std::string, std::string>, Timing> timings_;
    std::vector<Reading> readings_;
};

}  // namespace swarmline::http
