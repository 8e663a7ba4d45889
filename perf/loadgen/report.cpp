#include "report.hpp"

#include <cstdio>
#include <ostream>
#include <string>

namespace swarmline::loadgen {
namespace {

double per_s(std::uint64_t n, double s) { return s > 0 ? static_cast<double>(n) / s : 0; }
double us(std::uint64_t ns) { return static_cast<double>(ns) / 1000.0; }

std::string fmt(const char* f, double v) {
    char buf[64];
    std::snprintf(buf, sizeof buf, f, v);
    return buf;
}

std::uint64_t sum(const std::array<std::uint64_t, kKinds>& a) { return a[0] + a[1] + a[2]; }

// CPU as a share of the cores the workers could use. The user share is the load generator's own
// work; user + system near 100 % means its cores were saturated (see perf/README.md).
double cpu_percent(const Config& c, const RunSummary& s, double cpu_s) {
    return s.wall_s > 0 ? 100.0 * cpu_s / (s.wall_s * c.workers) : 0;
}

std::string json_escape(const std::string& v) {
    std::string o;
    for (char ch : v) {
        if (ch == '"' || ch == '\\') o += '\\';
        if (static_cast<unsigned char>(ch) < 0x20) continue;
        o += ch;
    }
    return o;
}

}  // namespace

void print_text(std::ostream& out, const Config& config, const RunSummary& s) {
    const Counters& c = s.counters;
    out << "swarmline-loadgen: " << (config.targets.front().protocol == Protocol::udp ? "UDP" : "HTTP") << ", "
        << (config.rate ? "open loop at " + std::to_string(config.rate) + " requests/s" : std::string("closed loop"))
        << ", " << config.workers << " worker(s), " << fmt("%.2f", s.wall_s) << " s\n";
    out << "responses/s: " << fmt("%.0f", per_s(sum(c.responses), s.wall_s)) << " total";
    for (std::size_t k = 0; k < kKinds; ++k) out << ", " << fmt("%.0f", per_s(c.responses[k], s.wall_s)) << " " << kKindNames[k];
    out << "\n";
    out << "requests sent: " << sum(c.sent) << ", error responses: " << sum(c.error_responses)
        << ", timeouts: " << sum(c.timeouts) << ", late: " << c.late << ", invalid: " << c.invalid
        << ", send errors: " << c.send_errors << ", unsent (window full): " << c.unsent
        << ", reconnects: " << c.reconnects << ", non-canonical bencode: " << c.noncanonical
        << ", outstanding at end: " << c.outstanding_at_end << "\n";
    if (c.first_error[0] != 0) out << "first error answer: " << c.first_error.data() << "\n";
    if (c.responses[1] > 0)
        out << "peers per announce response: " << fmt("%.2f", static_cast<double>(c.response_peers) / static_cast<double>(c.responses[1])) << "\n";
    out << "latency (us)        p50      p99     p999      max\n";
    auto row = [&](const char* name, const Histogram& h) {
        char line[128];
        std::snprintf(line, sizeof line, "  %-12s %8.1f %8.1f %8.1f %8.1f\n", name, us(h.quantile(0.5)),
                      us(h.quantile(0.99)), us(h.quantile(0.999)), us(h.max()));
        out << line;
    };
    row("all", s.all);
    for (std::size_t k = 0; k < kKinds; ++k)
        if (s.latency[k].count() > 0) row(kKindNames[k], s.latency[k]);
    out << "loadgen CPU: workers " << fmt("%.0f", cpu_percent(config, s, s.worker_user_s)) << " % user + "
        << fmt("%.0f", cpu_percent(config, s, s.worker_sys_s)) << " % system of " << config.workers
        << " core(s); process " << fmt("%.2f", s.process_cpu_s) << " s, max RSS " << s.max_rss_kib / 1024 << " MiB\n";
}

void print_json(std::ostream& out, const Config& config, const RunSummary& s) {
    const Counters& c = s.counters;
    out << "{\"protocol\":\"" << (config.targets.front().protocol == Protocol::udp ? "udp" : "http") << "\"";
    out << ",\"targets\":[";
    for (std::size_t i = 0; i < config.target_urls.size(); ++i)
        out << (i ? "," : "") << "\"" << json_escape(config.target_urls[i]) << "\"";
    out << "],\"mode\":\"" << (config.rate ? "open" : "closed") << "\",\"offered_rate\":" << config.rate
        << ",\"workers\":" << config.workers << ",\"wall_s\":" << fmt("%.3f", s.wall_s);
    out << ",\"responses_per_s\":" << fmt("%.1f", per_s(sum(c.responses), s.wall_s));
    out << ",\"by_kind\":{";
    for (std::size_t k = 0; k < kKinds; ++k) {
        out << (k ? "," : "") << "\"" << kKindNames[k] << "\":{\"sent\":" << c.sent[k] << ",\"responses\":" << c.responses[k]
            << ",\"responses_per_s\":" << fmt("%.1f", per_s(c.responses[k], s.wall_s))
            << ",\"error_responses\":" << c.error_responses[k] << ",\"timeouts\":" << c.timeouts[k]
            << ",\"latency_us\":{\"p50\":" << fmt("%.1f", us(s.latency[k].quantile(0.5)))
            << ",\"p99\":" << fmt("%.1f", us(s.latency[k].quantile(0.99)))
            << ",\"p999\":" << fmt("%.1f", us(s.latency[k].quantile(0.999))) << "}}";
    }
    out << "},\"sent\":" << sum(c.sent) << ",\"responses\":" << sum(c.responses)
        << ",\"error_responses\":" << sum(c.error_responses) << ",\"timeouts\":" << sum(c.timeouts)
        << ",\"late\":" << c.late << ",\"invalid\":" << c.invalid << ",\"send_errors\":" << c.send_errors
        << ",\"unsent\":" << c.unsent << ",\"reconnects\":" << c.reconnects << ",\"noncanonical\":" << c.noncanonical
        << ",\"outstanding_at_end\":" << c.outstanding_at_end << ",\"response_peers\":" << c.response_peers
        << ",\"first_error\":\"" << json_escape(c.first_error.data()) << "\"";
    out << ",\"latency_us\":{\"p50\":" << fmt("%.1f", us(s.all.quantile(0.5))) << ",\"p99\":"
        << fmt("%.1f", us(s.all.quantile(0.99))) << ",\"p999\":" << fmt("%.1f", us(s.all.quantile(0.999)))
        << ",\"max\":" << fmt("%.1f", us(s.all.max())) << "}";
    out << ",\"loadgen\":{\"worker_user_s\":" << fmt("%.3f", s.worker_user_s) << ",\"worker_sys_s\":"
        << fmt("%.3f", s.worker_sys_s) << ",\"worker_user_percent\":" << fmt("%.1f", cpu_percent(config, s, s.worker_user_s))
        << ",\"worker_sys_percent\":" << fmt("%.1f", cpu_percent(config, s, s.worker_sys_s)) << ",\"process_cpu_s\":" << fmt("%.3f", s.process_cpu_s)
        << ",\"max_rss_kib\":" << s.max_rss_kib << "}}\n";
}

}  // namespace swarmline::loadgen
