#include "daemon/metrics.hpp"

#include <cstdint>
#include <string_view>

#include "io/counters.hpp"
#include "io/worker.hpp"

namespace swarmline::daemon {
namespace {

struct Requests {
    io::Counter counter;
    std::string_view protocol;
    std::string_view request;
    std::string_view outcome;
};

// swarmline_requests_total{protocol, request, outcome}: every request the workers saw, once.
constexpr Requests kRequests[] = {
    {io::Counter::udp_connect, "udp", "connect", "ok"},
    {io::Counter::udp_announce, "udp", "announce", "ok"},
    {io::Counter::udp_scrape, "udp", "scrape", "ok"},
    {io::Counter::udp_refused, "udp", "any", "refused"},
    {io::Counter::udp_bad_connection_id, "udp", "any", "bad_connection_id"},
    {io::Counter::udp_dropped, "udp", "any", "invalid"},
    {io::Counter::http_announce, "http", "announce", "ok"},
    {io::Counter::http_scrape, "http", "scrape", "ok"},
    {io::Counter::http_refused, "http", "any", "refused"},
    {io::Counter::http_bad_request, "http", "any", "invalid"},
    {io::Counter::http_browser, "http", "any", "browser"},
};

struct Plain {
    io::Counter counter;
    std::string_view name;
    std::string_view help;
};

constexpr Plain kPlain[] = {
    {io::Counter::udp_no_buffer, "swarmline_udp_receive_no_buffer_total",
     "UDP receives that found the provided buffer ring empty (back-pressure)"},
    {io::Counter::udp_send_dropped, "swarmline_udp_replies_dropped_total",
     "UDP replies not sent because every send slot was in flight"},
    {io::Counter::http_accepted, "swarmline_http_connections_accepted_total", "HTTP connections accepted"},
    {io::Counter::http_over_capacity, "swarmline_http_connections_refused_total",
     "HTTP connections answered 503 at the connection cap"},
    {io::Counter::http_timed_out, "swarmline_http_connections_timed_out_total",
     "HTTP connections closed by the idle or header timeout"},
    {io::Counter::handoff_sent, "swarmline_handoff_sent_total", "requests handed to the worker owning the torrent"},
    {io::Counter::handoff_received, "swarmline_handoff_received_total", "requests answered for another worker"},
    {io::Counter::handoff_full, "swarmline_handoff_full_total", "hand-offs refused because the ring was full"},
};

void line(std::string& out, std::string_view name, std::string_view labels, std::uint64_t value) {
    out += name;
    if (!labels.empty()) {
        out += '{';
        out += labels;
        out += '}';
    }
    out += ' ';
    out += std::to_string(value);
    out += '\n';
}

void header(std::string& out, std::string_view name, std::string_view type, std::string_view help) {
    out += "# HELP ";
    out += name;
    out += ' ';
    out += help;
    out += "\n# TYPE ";
    out += name;
    out += ' ';
    out += type;
    out += '\n';
}

}  // namespace

std::string render_metrics(std::span<io::Worker* const> workers) {
    std::string out;
    out.reserve(8192);
    auto sum = [&](io::Counter c) {
        std::uint64_t total = 0;
        for (const io::Worker* w : workers) total += w->counters().get(c);
        return total;
    };
    header(out, "swarmline_requests_total", "counter", "tracker requests by protocol, request and outcome");
    for (const auto& r : kRequests) {
        std::string labels = "protocol=\"" + std::string(r.protocol) + "\",request=\"" + std::string(r.request) +
                             "\",outcome=\"" + std::string(r.outcome) + "\"";
        line(out, "swarmline_requests_total", labels, sum(r.counter));
    }
    for (const auto& p : kPlain) {
        header(out, p.name, "counter", p.help);
        line(out, p.name, {}, sum(p.counter));
    }

    header(out, "swarmline_worker_requests_total", "counter", "requests handled per worker (its load)");
    for (const io::Worker* w : workers) {
        std::uint64_t n = 0;
        for (const auto& r : kRequests) n += w->counters().get(r.counter);
        line(out, "swarmline_worker_requests_total", "worker=\"" + std::to_string(w->index()) + "\"", n);
    }
    header(out, "swarmline_worker_loop_iterations_total", "counter", "event loop turns per worker");
    for (const io::Worker* w : workers)
        line(out, "swarmline_worker_loop_iterations_total", "worker=\"" + std::to_string(w->index()) + "\"",
             w->counters().get(io::Counter::loop_iterations));
    header(out, "swarmline_worker_completions_total", "counter", "io_uring completions handled per worker");
    for (const io::Worker* w : workers)
        line(out, "swarmline_worker_completions_total", "worker=\"" + std::to_string(w->index()) + "\"",
             w->counters().get(io::Counter::completions));

    header(out, "swarmline_http_connections", "gauge", "HTTP connections open");
    std::int64_t conns = 0;
    for (const io::Worker* w : workers) conns += w->counters().get(io::Gauge::http_connections);
    line(out, "swarmline_http_connections", {}, static_cast<std::uint64_t>(conns < 0 ? 0 : conns));

    struct GaugeDef {
        std::string_view name;
        std::string_view type;
        std::string_view help;
        std::uint64_t io::WorkerGauges::*field;
    };
    constexpr GaugeDef kGauges[] = {
        {"swarmline_peers", "gauge", "peers (IPv4 and IPv6) in the swarms, by worker (shard)", &io::WorkerGauges::peers},
        {"swarmline_torrents", "gauge", "swarms with at least one peer, by worker (shard)", &io::WorkerGauges::torrents},
        {"swarmline_event_ring_depth", "gauge", "announce records waiting for control, by worker", &io::WorkerGauges::event_ring_depth},
        {"swarmline_event_ring_capacity", "gauge", "announce records a worker's ring holds", &io::WorkerGauges::event_ring_capacity},
        {"swarmline_handoff_ring_depth", "gauge", "requests waiting in the rings into a worker", &io::WorkerGauges::handoff_depth},
        {"swarmline_announces_folded_total", "counter",
         "announces folded into the shard's accumulator while its event ring was full (bytes kept, no announces row of their own), by worker",
         &io::WorkerGauges::folded},
    };
    std::vector<io::WorkerGauges> gauges;
    gauges.reserve(workers.size());
    for (const io::Worker* w : workers) gauges.push_back(w->gauges());
    for (const auto& g : kGauges) {
        header(out, g.name, g.type, g.help);
        for (std::size_t i = 0; i < workers.size(); ++i)
            line(out, g.name, "worker=\"" + std::to_string(workers[i]->index()) + "\"", gauges[i].*g.field);
    }
    return out;
}

}  // namespace swarmline::daemon
